/**
 * The byte streams the decoder benchmarks run on, and the limit baseline they are compared with:
 * a loop that only walks the frame headers of the same bytes.
 *
 * Each benchmark file registers one contender with {@linkcode benchAgainstHeaderWalk}. `deno
 * bench` runs every file in its own isolate, so a contender's call sites see only its own
 * callbacks, as in the lamp process (mixing contenders in one isolate makes the decoder's callback
 * site polymorphic, which never happens in production).
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";
import { HEADER_LENGTH } from "../../src/protocol/frame.ts";

const FRAMES = 100_000;

function workload(make: (i: number) => Uint8Array, count: number): Uint8Array {
  return concat(Array.from({ length: count }, (_, i) => make(i)));
}

/**
 * Cuts bytes into chunks of `size` (the last may be shorter), as reads would.
 * @param bytes The stream.
 * @param size Bytes per chunk.
 * @returns Views of `bytes`.
 */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/**
 * The limit: walk the frame headers of the same chunks and nothing else, carrying a header cut by
 * a chunk boundary and passing over a cut value as the C lamp does (one contiguous walk would not
 * be the same work: no decoder sees the stream as one buffer).
 *
 * @param parts The chunks of one stream, in order.
 * @returns The frames walked.
 */
export function walkHeaders(parts: readonly Uint8Array[]): number {
  let frames = 0;
  let skip = 0; // bytes of a cut value still to pass over
  const header = new Uint8Array(HEADER_LENGTH);
  let held = 0; // bytes of a cut header
  for (const part of parts) {
    let offset = Math.min(skip, part.length);
    skip -= offset;
    if (held > 0) {
      while (held < HEADER_LENGTH && offset < part.length) header[held++] = part[offset++];
      if (held < HEADER_LENGTH) continue;
      held = 0;
      frames++;
      offset += (header[1] << 8) | header[2];
    }
    for (; offset + HEADER_LENGTH <= part.length; frames++) {
      offset += HEADER_LENGTH + ((part[offset + 1] << 8) | part[offset + 2]);
    }
    if (offset > part.length) skip = offset - part.length;
    while (offset < part.length) header[held++] = part[offset++];
  }
  return frames;
}

/** The workloads: name, bytes, frames in them. */
export const WORKLOADS: readonly [string, Uint8Array, number][] = [
  ["ON/OFF 3 B", workload((i) => encodeFrame(i % 2 ? 0x12 : 0x13), FRAMES), FRAMES],
  [
    "COLOR 6 B",
    workload((i) => encodeFrame(0x20, new Uint8Array([i & 0xff, 0x80, 0x40])), FRAMES),
    FRAMES,
  ],
  [
    "mixed with unknown",
    workload(
      (i) =>
        i % 3 === 0
          ? encodeFrame(0x20, new Uint8Array([i & 0xff, 2, 3]))
          : i % 3 === 1
          ? encodeFrame(i % 2 ? 0x12 : 0x13)
          : encodeFrame(0x77, new Uint8Array(5)),
      FRAMES,
    ),
    FRAMES,
  ],
  ["64 KiB frames", workload(() => encodeFrame(0x40, new Uint8Array(0xffff)), 64), 64],
];

/**
 * Registers, for every workload fed as one chunk and as 1500-byte chunks, the header walk as the
 * baseline and `contender` beside it. The group name carries the frame count and size, so
 * frames/s = count / avg time.
 *
 * @param name The contender's name in the table.
 * @param contender Consumes the chunks of one whole workload.
 * @example
 * ```ts ignore
 * import { benchAgainstHeaderWalk } from "./decoder_workloads.ts";
 * benchAgainstHeaderWalk("nothing", () => {});
 * ```
 */
export function benchAgainstHeaderWalk(
  name: string,
  contender: (parts: readonly Uint8Array[]) => void,
): void {
  for (const [label, bytes, count] of WORKLOADS) {
    const feeds = [["one chunk", [bytes]], ["1500 B chunks", chunks(bytes, 1500)]] as const;
    for (const [feed, parts] of feeds) {
      const group = `${label}, ${count} frames, ${(bytes.length / 1e6).toFixed(2)} MB, ${feed}`;
      Deno.bench({
        name: "header walk (limit)",
        group,
        baseline: true,
        fn: () => void walkHeaders(parts),
      });
      Deno.bench({ name, group, fn: () => contender(parts) });
    }
  }
}
