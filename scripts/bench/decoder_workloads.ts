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
import { concatBytes } from "../../src/stand/concat_bytes.ts";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";

const FRAMES = 100_000;

function workload(make: (i: number) => Uint8Array, count: number): Uint8Array {
  return concatBytes(Array.from({ length: count }, (_, i) => make(i)));
}

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

const WORKLOADS: [string, Uint8Array, number][] = [
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
        fn: () => void walkHeaders(bytes),
      });
      Deno.bench({ name, group, fn: () => contender(parts) });
    }
  }
}
