/**
 * The streaming frame decoder: feed it chunks as they arrive, get whole frames out.
 *
 * @module
 */
import {
  type FrameHandler,
  HEADER_LENGTH as IMPORTED_HEADER_LENGTH,
  type ValueSkipper,
} from "./frame.ts";

// A module-local copy: V8 reads an imported binding anew (with its initialisation check) on every
// use, and this one is read per frame.
const HEADER_LENGTH = IMPORTED_HEADER_LENGTH;

/**
 * Hands out the frames that lie wholly in `chunk` from `offset` on; returns where the first
 * incomplete one starts. (A function of its own: V8 compiles its loop while it first runs, and
 * code after a loop that had never run yet would be compiled without feedback and deoptimize on
 * every read.)
 */
function whole(chunk: Uint8Array, offset: number, onFrame: FrameHandler): number {
  const end = chunk.length;
  while (end - offset >= HEADER_LENGTH) {
    const length = (chunk[offset + 1] << 8) | chunk[offset + 2];
    const start = offset + HEADER_LENGTH;
    if (end - start < length) break;
    const type = chunk[offset];
    offset = start + length;
    onFrame(type, chunk, start, offset);
  }
  return offset;
}

/** Cut values up to this size are gathered in one buffer reused for every frame. */
const SMALL_VALUE_BYTES = 256;

/**
 * Turns arbitrary chunks of a byte stream into whole frames, in order.
 *
 * Frames that lie wholly inside a chunk are handed out as offsets into that chunk (no copy, no
 * allocation).
 * Only a frame cut by a chunk boundary is copied (a small value into one reused buffer, a large
 * one into a buffer of exactly its size), so the decoder never holds more than one partial frame
 * (at most 3 + 65535 bytes) and never re-copies bytes it already holds; given a
 * {@linkcode ValueSkipper}, a cut frame whose value nobody reads is not copied at all. It knows
 * nothing about commands.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { FrameDecoder } from "./frame_decoder.ts";
 * const decoder = new FrameDecoder();
 * const seen: number[] = [];
 * decoder.push(new Uint8Array([0x12, 0x00]), (type) => seen.push(type));
 * decoder.push(new Uint8Array([0x00, 0x13, 0x00, 0x00]), (type) => seen.push(type));
 * assertEquals(seen, [0x12, 0x13]);
 * ```
 */
export class FrameDecoder {
  #skipper: ValueSkipper | undefined;
  #header = new Uint8Array(HEADER_LENGTH);
  #small: Uint8Array | undefined = undefined; // made when first needed
  #headerFill = 0;
  #value: Uint8Array | null = null;
  #valueLength = 0;
  #valueFill = 0;

  /**
   * A decoder at a frame boundary.
   * @param skipper Which values of cut frames to pass over instead of copying (none by default).
   */
  constructor(skipper?: ValueSkipper) {
    this.#skipper = skipper;
  }

  /** Bytes of the current partial frame seen so far (0 when at a frame boundary). */
  get bufferedBytes(): number {
    return this.#headerFill + this.#valueFill;
  }

  /**
   * Consumes one chunk and calls `onFrame` for every frame it completes, in order.
   *
   * @param chunk The next bytes of the stream.
   * @param onFrame Receives `(type, bytes, start, end)` for each whole frame.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler): void {
    const passing = this.#valueLength - this.#valueFill; // > 0 when passing over a skipped value
    if (this.#value === null && passing > chunk.length) { // a skipped value goes on past this chunk
      this.#valueFill += chunk.length;
      return;
    }
    const first = this.#headerFill > 0 ? this.#fill(chunk, 0, onFrame) : 0;
    const offset = whole(chunk, first, onFrame);
    if (offset < chunk.length) this.#fill(chunk, offset, onFrame);
  }

  /** Advances the partial frame with bytes from `chunk`; returns the new offset. */
  #fill(chunk: Uint8Array, offset: number, onFrame: FrameHandler): number {
    const header = this.#header;
    while (this.#headerFill < HEADER_LENGTH && offset < chunk.length) {
      header[this.#headerFill++] = chunk[offset++];
    }
    if (this.#headerFill < HEADER_LENGTH) return offset;
    const type = header[0];
    if (this.#valueLength === 0) {
      const length = (header[1] << 8) | header[2];
      if (length === 0) {
        this.#reset();
        onFrame(type, header, HEADER_LENGTH, HEADER_LENGTH);
        return offset;
      }
      this.#valueLength = length;
      if (this.#skipper?.skips(type, length) !== true) {
        this.#value = length <= SMALL_VALUE_BYTES
          ? this.#small ??= new Uint8Array(SMALL_VALUE_BYTES)
          : new Uint8Array(length);
      }
    }
    const value = this.#value;
    const count = Math.min(chunk.length - offset, this.#valueLength - this.#valueFill);
    value?.set(chunk.subarray(offset, offset + count), this.#valueFill);
    this.#valueFill += count;
    offset += count;
    if (this.#valueFill === this.#valueLength) {
      const length = this.#valueLength;
      this.#reset();
      if (value === null) this.#skipper!.skipped(type, length);
      else onFrame(type, value, 0, length);
    }
    return offset;
  }

  /** Drops the partial frame once it is complete. */
  #reset(): void {
    this.#headerFill = 0;
    this.#value = null;
    this.#valueLength = 0;
    this.#valueFill = 0;
  }
}
