/**
 * The lines of one batch as bytes: general lines are encoded into it, hot lines are written
 * straight into it, and the whole batch goes to the output as one write.
 *
 * @module
 */

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

/**
 * A growable byte buffer of whole lines. To write a line as bytes: `reserve` room, write from
 * `length` into `bytes`, then `ended(end)`. `take` hands the lines out as bytes that own their
 * memory, and starts an empty batch: lines that fill most of the buffer are handed out in it (the
 * buffer belongs to the output until it gives it back with `recycle`); fewer are copied out, so a
 * queued line never keeps a large buffer alive for its few bytes.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LineBatch } from "./line_batch.ts";
 * const batch = new LineBatch();
 * batch.text("one");
 * const out = batch.reserve(4);
 * out.set([0x74, 0x77, 0x6f, 0x0a], batch.length); // "two\n"
 * batch.ended(batch.length + 4);
 * assertEquals(batch.lines, 2);
 * const lines = batch.take();
 * assertEquals(new TextDecoder().decode(lines), "one\ntwo\n");
 * assertEquals(lines.buffer.byteLength, 8); // a copy: two lines do not hold 64 KiB
 * assertEquals(batch.length, 0);
 * ```
 */
export class LineBatch {
  /** The buffer; `[0, length)` holds the lines so far. Replaced when it grows: re-read it. */
  bytes: Uint8Array;
  /** Bytes of whole lines so far. */
  length = 0;
  /** Lines so far. */
  lines = 0;
  #spares: Uint8Array[] = [];
  #capacity: number;

  /**
   * An empty batch.
   * @param capacity The first buffer's size (it grows as needed).
   */
  constructor(capacity = 64 * 1024) {
    this.bytes = new Uint8Array(capacity);
    this.#capacity = capacity;
  }

  /**
   * Makes room for `count` more bytes.
   * @param count The most bytes the next line(s) will take.
   * @returns The buffer to write them into, from `length`.
   */
  reserve(count: number): Uint8Array {
    if (this.length + count > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + count));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  /**
   * Ends a line written into `bytes` from `length`.
   * @param end The offset after its newline.
   */
  ended(end: number): void {
    this.length = end;
    this.lines++;
  }

  /**
   * Appends one line of text (UTF-8), adding the newline.
   * @param line The line, without its newline.
   */
  text(line: string): void {
    const out = this.reserve(3 * line.length + 1); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const { written } = encoder.encodeInto(line, out.subarray(this.length));
    out[this.length + written] = NEWLINE;
    this.ended(this.length + written + 1);
  }

  /**
   * Hands the lines out and starts an empty batch: lines that fill at least half the buffer in
   * it (the batch goes on in a spare buffer, when one was given back), fewer as a copy (the batch
   * goes on in the same buffer).
   * @returns The lines, the caller's until it passes them to `recycle`.
   */
  take(): Uint8Array {
    const full = 2 * this.length >= this.bytes.length;
    const lines = full ? this.bytes.subarray(0, this.length) : this.bytes.slice(0, this.length);
    if (full) this.bytes = this.#spares.pop() ?? new Uint8Array(this.bytes.length);
    this.length = 0;
    this.lines = 0;
    return lines;
  }

  /**
   * Gives back what `take` returned once it was written, so its buffer can be filled again
   * (a copy too small to be a batch's buffer is let go).
   * @param lines What `take` returned.
   */
  recycle(lines: Uint8Array): void {
    if (lines.buffer.byteLength >= this.#capacity && this.#spares.length < 2) {
      this.#spares.push(new Uint8Array(lines.buffer));
    }
  }
}
