/**
 * Decoder benchmarks, each beside a limit baseline that only walks the frame headers of the
 * same bytes: `deno task bench`. Every iteration decodes the whole workload; the workload's
 * frame count and size are in the group name, so frames/s = count / avg time.
 *
 * @module
 */
import { createCommandTable } from "../../src/commands/command_table.ts";
import { dispatchFrame } from "../../src/commands/dispatch_frame.ts";
import { INITIAL_LAMP_STATE } from "../../src/lamp/lamp_state.ts";
import { concatBytes } from "../../src/protocol/concat_bytes.ts";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";
import { FrameDecoder } from "../../src/protocol/frame_decoder.ts";

const table = createCommandTable();
const FRAMES = 100_000;

function workload(make: (i: number) => Uint8Array, count: number): Uint8Array {
  return concatBytes(Array.from({ length: count }, (_, i) => make(i)));
}

const ON_OFF = workload((i) => encodeFrame(i % 2 ? 0x12 : 0x13), FRAMES);
const COLOR = workload((i) => encodeFrame(0x20, new Uint8Array([i & 0xff, 0x80, 0x40])), FRAMES);
const MIXED = workload(
  (i) =>
    i % 3 === 0
      ? encodeFrame(0x20, new Uint8Array([1, 2, 3]))
      : i % 3 === 1
      ? encodeFrame(0x12)
      : encodeFrame(0x77, new Uint8Array(5)),
  FRAMES,
);
const LARGE = workload(() => encodeFrame(0x40, new Uint8Array(0xffff)), 64);

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The limit: walk the headers, nothing else. */
function walkHeaders(bytes: Uint8Array): number {
  let frames = 0;
  for (let offset = 0; offset + 3 <= bytes.length; frames++) {
    offset += 3 + ((bytes[offset + 1] << 8) | bytes[offset + 2]);
  }
  return frames;
}

function decodeOnly(parts: Uint8Array[]): number {
  const decoder = new FrameDecoder();
  let frames = 0;
  const onFrame = () => frames++;
  for (const part of parts) decoder.push(part, onFrame);
  return frames;
}

function decodeAndDispatch(parts: Uint8Array[]): number {
  const decoder = new FrameDecoder();
  let state = INITIAL_LAMP_STATE;
  const onFrame = (type: number, bytes: Uint8Array, start: number, end: number) => {
    const result = dispatchFrame(table, state, type, bytes, start, end);
    if (result.kind === "applied") state = result.state;
  };
  for (const part of parts) decoder.push(part, onFrame);
  return state.on ? 1 : 0;
}

const WORKLOADS: [string, Uint8Array, number][] = [
  ["ON/OFF 3 B", ON_OFF, FRAMES],
  ["COLOR 6 B", COLOR, FRAMES],
  ["mixed with unknown", MIXED, FRAMES],
  ["64 KiB frames", LARGE, 64],
];

for (const [name, bytes, count] of WORKLOADS) {
  for (
    const [feed, parts] of [["one chunk", [bytes]], ["1500 B chunks", chunks(bytes, 1500)]] as const
  ) {
    const group = `${name}, ${count} frames, ${(bytes.length / 1e6).toFixed(2)} MB, ${feed}`;
    Deno.bench({
      name: "header walk (limit)",
      group,
      baseline: true,
      fn: () => void walkHeaders(bytes),
    });
    Deno.bench({ name: "decoder", group, fn: () => void decodeOnly([...parts]) });
    Deno.bench({ name: "decoder + dispatch", group, fn: () => void decodeAndDispatch([...parts]) });
  }
}
