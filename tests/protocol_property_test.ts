import { assert, assertEquals } from "@std/assert";
import { encodeFrame } from "../src/protocol/encode_frame.ts";
import { FrameDecoder } from "../src/protocol/frame_decoder.ts";
import { HEADER_LENGTH } from "../src/protocol/frame.ts";
import { concat } from "@std/bytes/concat";
import { randomChunks, seededRandom } from "../scripts/fuzz/random.ts";
import { runFuzzCase } from "../scripts/fuzz/fuzz_case.ts";

Deno.test("property: random frame sequences survive any split, 1-byte chunks included", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const frames = Array.from({ length: random.int(0, 40) }, () => ({
      type: random.int(0, 255),
      value: random.bytes(random.int(0, 3) === 0 ? random.int(0, 3000) : random.int(0, 8)),
    }));
    const stream = concat(frames.map((f) => encodeFrame(f.type, f.value)));
    for (const maxChunk of [1, random.int(2, 16), 1500]) {
      const decoder = new FrameDecoder();
      const decoded: { type: number; value: Uint8Array }[] = [];
      for (const chunk of randomChunks(random, stream, maxChunk)) {
        decoder.push(
          chunk,
          (type, bytes, start, end) => decoded.push({ type, value: bytes.slice(start, end) }),
        );
      }
      assertEquals(decoded, frames, `seed ${seed}, chunks up to ${maxChunk}`);
      assertEquals(decoder.bufferedBytes, 0);
    }
  }
});

/** Offsets where frames end when the whole stream is walked at once. */
function frameBoundaries(bytes: Uint8Array): number[] {
  const ends = [0];
  for (let at = 0; at + HEADER_LENGTH <= bytes.length;) {
    at += HEADER_LENGTH + ((bytes[at + 1] << 8) | bytes[at + 2]);
    if (at <= bytes.length) ends.push(at);
  }
  return ends;
}

Deno.test("fuzz: random bytes never throw and hold only the bytes of the one partial frame", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = seededRandom(seed);
    const stream = random.bytes(random.int(0, 20000));
    const boundaries = frameBoundaries(stream);
    const decoder = new FrameDecoder();
    let pushed = 0;
    for (const chunk of randomChunks(random, stream, 97)) {
      decoder.push(chunk, () => {});
      pushed += chunk.length;
      const lastEnd = boundaries.findLast((end) => end <= pushed) ?? 0;
      assertEquals(decoder.bufferedBytes, pushed - lastEnd, `seed ${seed} at byte ${pushed}`);
      assert(decoder.bufferedBytes < HEADER_LENGTH + 0x10000);
    }
  }
});

Deno.test("model: decoder + command table + lamp agree with the reference model (2,000 seeds)", () => {
  for (let seed = 1; seed <= 2000; seed++) runFuzzCase(seed);
});
