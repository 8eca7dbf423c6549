/**
 * The streaming frame decoder: feed it chunks as they arrive, get whole frames out.
 *
 * @module
 */
import { type FrameHandler, HEADER_LENGTH } from "./frame.ts";

/**
 * Turns arbitrary chunks of a byte stream into whole frames, in order.
 *
 * Frames that lie wholly inside a chunk are handed out as offsets into that chunk (no copy, no
 * allocation).
 * Only a frame cut by a chunk boundary is copied, into a buffer of exactly its size, so the
 * decoder never holds more than one partial frame (at most 3 + 65535 bytes) and never re-copies
 * bytes it already holds. It knows nothing about commands.
 *
 * @example
 * ```ts
 * import { FrameDecoder } from "./frame_decoder.ts";
 * const decoder = new FrameDecoder();
 * const seen: number[] = [];
 * decoder.push(new Uint8Array([0x12, 0x00]), (type) => seen.push(type));
 * decoder.push(new Uint8Array([0x00, 0x13, 0x00, 0x00]), (type) => seen.push(type));
 * // seen: [0x12, 0x13]
 * ```
 */
export class FrameDecoder {
  #header = new Uint8Array(HEADER_LENGTH);
  #headerFill = 0;
  #value: Uint8Array | null = null;
  #valueFill = 0;

  /** Bytes of the current partial frame held between chunks (0 when at a frame boundary). */
  get bufferedBytes(): number {
    return this.#headerFill + this.#valueFill;
  }

  /** Drops the partial frame once it is complete. */
  #reset(): void {
    this.#headerFill = 0;
    this.#value = null;
    this.#valueFill = 0;
  }

  /**
   * Consumes one chunk and calls `onFrame` for every frame it completes, in order.
   *
   * @param chunk The next bytes of the stream.
   * @param onFrame Receives `(type, bytes, start, end)` for each whole frame.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    let offset = this.#headerFill > 0 ? this.#fill(chunk, 0, onFrame) : 0;
    const end = chunk.length;
    while (end - offset >= HEADER_LENGTH) {
      const length = (chunk[offset + 1] << 8) | chunk[offset + 2];
      const start = offset + HEADER_LENGTH;
      if (end - start < length) break;
      const type = chunk[offset];
      offset = start + length;
      onFrame(type, chunk, start, offset);
    }
    if (offset < end) this.#fill(chunk, offset, onFrame);
  }

  /** Advances the partial frame with bytes from `chunk`; returns the new offset. */
  #fill(chunk: Uint8Array, offset: number, onFrame: FrameHandler): number {
    const header = this.#header;
    while (this.#headerFill < HEADER_LENGTH && offset < chunk.length) {
      header[this.#headerFill++] = chunk[offset++];
    }
    if (this.#headerFill < HEADER_LENGTH) return offset;
    if (this.#value === null) {
      const length = (header[1] << 8) | header[2];
      if (length === 0) {
        this.#reset();
        onFrame(header[0], header, HEADER_LENGTH, HEADER_LENGTH);
        return offset;
      }
      this.#value = new Uint8Array(length);
    }
    const value = this.#value;
    const count = Math.min(chunk.length - offset, value.length - this.#valueFill);
    value.set(chunk.subarray(offset, offset + count), this.#valueFill);
    this.#valueFill += count;
    offset += count;
    if (this.#valueFill === value.length) {
      const type = header[0];
      this.#reset();
      onFrame(type, value, 0, value.length);
    }
    return offset;
  }
}
