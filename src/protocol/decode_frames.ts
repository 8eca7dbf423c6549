/**
 * The decoder as an async generator over a byte stream such as `conn.readable`.
 *
 * @module
 */
import type { Frame } from "./frame.ts";
import { FrameDecoder } from "./frame_decoder.ts";

/**
 * Yields every whole frame from an async stream of chunks, in order. A partial frame left when
 * the stream ends is discarded. Each call uses a fresh decoder unless one is passed in.
 *
 * @param source Chunks of the byte stream, e.g. `conn.readable`.
 * @param decoder The decoder to use (fresh by default).
 * @returns An async generator of frames.
 * @example
 * ```ts
 * import { decodeFrames } from "./decode_frames.ts";
 * const bytes = ReadableStream.from([new Uint8Array([0x12, 0, 0, 0x13]), new Uint8Array([0, 0])]);
 * const types = (await Array.fromAsync(decodeFrames(bytes))).map((frame) => frame.type);
 * // types: [0x12, 0x13]
 * ```
 */
export async function* decodeFrames(
  source: AsyncIterable<Uint8Array>,
  decoder: FrameDecoder = new FrameDecoder(),
): AsyncGenerator<Frame> {
  const frames: Frame[] = [];
  const collect = (type: number, bytes: Uint8Array, start: number, end: number) =>
    frames.push({ type, value: bytes.slice(start, end) });
  for await (const chunk of source) {
    decoder.push(chunk, collect);
    yield* frames.splice(0);
  }
}
