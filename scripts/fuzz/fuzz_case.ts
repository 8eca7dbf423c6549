/**
 * One seeded fuzz case: a random stream of valid, malformed, unknown and junk frames, cut at
 * random points, fed to the real decoder and command table, and checked against the reference
 * model. Used by the test suite (short run) and `deno task fuzz` (long run).
 *
 * @module
 */
import { createCommandTable } from "../../src/commands/command_table.ts";
import { Dispatcher } from "../../src/commands/dispatcher.ts";
import { stateJson } from "../../src/lamp/lamp_state.ts";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";
import { HEADER_LENGTH } from "../../src/protocol/frame.ts";
import { FrameDecoder } from "../../src/protocol/frame_decoder.ts";
import { concat } from "@std/bytes/concat";
import { type Random, randomChunks, seededRandom } from "./random.ts";
import { type ModelResult, referenceModel } from "./reference_model.ts";

const table = createCommandTable();

function randomFrame(random: Random): Uint8Array {
  switch (random.int(0, 6)) {
    case 0:
      return encodeFrame(0x12);
    case 1:
      return encodeFrame(0x13);
    case 2:
      return encodeFrame(0x20, random.bytes(3));
    case 3: // known type, wrong length
      return encodeFrame([0x12, 0x13, 0x20][random.int(0, 2)], random.bytes(random.int(1, 6)));
    case 4: // unknown type, occasionally large
      return encodeFrame(
        random.int(0x21, 0xff),
        random.bytes(random.int(0, 1) ? 5 : random.int(0, 2000)),
      );
    case 5:
      return encodeFrame(random.int(0, 0x11), random.bytes(random.int(0, 40)));
    default: // raw junk: whatever frames it happens to spell
      return random.bytes(random.int(1, 8));
  }
}

/**
 * Runs one fuzz case and throws, naming the seed, on any disagreement with the model.
 * @param seed The case's seed (replay a failure with the same seed).
 * @returns What the model saw, for totals.
 */
export function runFuzzCase(seed: number): ModelResult {
  const random = seededRandom(seed);
  const stream = concat(Array.from({ length: random.int(0, 60) }, () => randomFrame(random)));
  const maxChunk = [1, 2, 7, 64, 1500, 70000][random.int(0, 5)];
  const dispatcher = new Dispatcher(table);
  const decoder = new FrameDecoder(dispatcher); // as the lamp wires it: unknown values skipped
  for (const chunk of randomChunks(random, stream, maxChunk)) {
    decoder.push(chunk, dispatcher.frame);
    if (decoder.bufferedBytes > HEADER_LENGTH + 0xffff) {
      throw new Error(`seed ${seed}: decoder holds ${decoder.bufferedBytes} bytes`);
    }
  }
  const expected = referenceModel(stream);
  const { state, counts } = dispatcher;
  const actual = { ...stateJson(table.state, state), ...counts };
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `seed ${seed}: got ${JSON.stringify(actual)}, model says ${JSON.stringify(expected)}`,
    );
  }
  return expected;
}
