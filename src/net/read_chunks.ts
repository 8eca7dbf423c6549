/**
 * The bytes a paused-able stream (a `node:tls` socket) delivered and nobody read yet, read out
 * into callers' buffers: the stream is paused while 64 KiB wait and resumed once they are read,
 * so a peer that sends faster than we read holds a bounded amount. Its owner keeps the stream's
 * end and errors; this holds the bytes and wakes a waiting read.
 *
 * @module
 */

/** Decrypted bytes held before the stream is paused until they are read. */
const MAX_BUFFERED = 64 * 1024;

/** What is paused and resumed (a `node:stream` readable). */
export interface Pausable {
  /** Stops delivering chunks. */
  pause(): unknown;
  /** Delivers chunks again. */
  resume(): unknown;
  /** Whether it is paused. */
  isPaused(): boolean;
}

/**
 * Chunks waiting to be read.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ReadChunks } from "./read_chunks.ts";
 * let paused = false;
 * const chunks = new ReadChunks({
 *   pause: () => paused = true,
 *   resume: () => paused = false,
 *   isPaused: () => paused,
 * });
 * chunks.push(Uint8Array.of(1, 2, 3));
 * const buffer = new Uint8Array(2);
 * assertEquals([chunks.take(buffer), [...buffer]], [2, [1, 2]]);
 * assertEquals([chunks.take(buffer), buffer[0], chunks.empty], [1, 3, true]);
 * ```
 */
export class ReadChunks {
  #source: Pausable;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #wake: (() => void) | null = null;

  /**
   * No chunk yet.
   * @param source The stream the chunks come from (paused while too many wait).
   */
  constructor(source: Pausable) {
    this.#source = source;
  }

  /** Whether nothing waits to be read. */
  get empty(): boolean {
    return this.#chunks.length === 0;
  }

  /**
   * Keeps a chunk the stream delivered (pausing it when enough wait) and wakes a waiting read.
   * @param chunk The bytes (kept as they are).
   */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= MAX_BUFFERED) this.#source.pause();
    this.wake();
  }

  /**
   * Waits until {@linkcode wake} (a chunk came, or the owner's state changed).
   * @returns Resolves once woken.
   */
  arrival(): Promise<void> {
    return new Promise((resolve) => this.#wake = resolve);
  }

  /** Wakes a read waiting in {@linkcode arrival}. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /**
   * Moves waiting bytes into `buffer`, as many as fit, and resumes the stream when few wait.
   * @param buffer Where they go.
   * @returns How many.
   */
  take(buffer: Uint8Array): number {
    let count = 0;
    while (count < buffer.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const taken = Math.min(chunk.length, buffer.length - count);
      buffer.set(taken === chunk.length ? chunk : chunk.subarray(0, taken), count);
      count += taken;
      if (taken === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(taken);
    }
    this.#buffered -= count;
    if (this.#buffered < MAX_BUFFERED && this.#source.isPaused()) this.#source.resume();
    return count;
  }
}
