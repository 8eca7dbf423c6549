/**
 * Output that never blocks: text is queued and written by one write at a time in the
 * background, so a terminal that is paused or a pipe that nobody drains cannot stall the network
 * side or the signal handlers. The queue is bounded; past the bound, text is dropped and counted.
 * A failed write (a closed pipe, a full disk) is reported once and ends the output.
 *
 * @module
 */

/** Where bytes go: anything with an asynchronous write, such as `Deno.stdout`. */
export interface AsyncSink {
  /** Writes some of `bytes`, resolving with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** How an {@linkcode OutputWriter} reacts. */
export interface OutputWriterOptions {
  /** Bytes that may wait while a write is in flight; more is dropped (default 4 MiB). */
  readonly limitBytes?: number;
  /** Called once when a write fails: the output is gone, nothing more is written. */
  readonly onBroken?: (error: Error) => void;
}

const encoder = new TextEncoder();

/**
 * A bounded, non-blocking writer.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { OutputWriter } from "./output_writer.ts";
 * const written: string[] = [];
 * const out = new OutputWriter({
 *   write: (bytes) => (written.push(new TextDecoder().decode(bytes)), Promise.resolve(bytes.length)),
 * });
 * out.write("one\n");
 * out.write("two\n");
 * await out.flush(1000);
 * assertEquals(written.join(""), "one\ntwo\n");
 * ```
 */
export class OutputWriter {
  #sink: AsyncSink;
  #limit: number;
  #onBroken: (error: Error) => void;
  #queue: string[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #broken: Error | null = null;
  #droppedUnits = 0;
  #droppedReported = 0;

  /**
   * @param sink Where bytes go.
   * @param options The bound and the failure callback.
   */
  constructor(sink: AsyncSink, options: OutputWriterOptions = {}) {
    this.#sink = sink;
    this.#limit = options.limitBytes ?? 4 << 20;
    this.#onBroken = options.onBroken ?? (() => {});
  }

  /** The error that ended the output, if one did. */
  get broken(): Error | null {
    return this.#broken;
  }

  /** Text queued but not yet handed to the sink, in UTF-16 units (a close bound on bytes). */
  get pending(): number {
    return this.#queuedBytes;
  }

  /** Whether a write is in flight. */
  get busy(): boolean {
    return this.#writing !== null;
  }

  /** @returns Resolves once everything queued so far was written (or the output broke). */
  idle(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  /**
   * How many units (lines, for a log) were dropped since the last call, and resets the count.
   * @returns The count.
   */
  takeDropped(): number {
    const dropped = this.#droppedUnits - this.#droppedReported;
    this.#droppedReported = this.#droppedUnits;
    return dropped;
  }

  /**
   * Queues text; it is written in order, in the background.
   * @param text The text.
   * @param units How many units (e.g. lines) it holds, for the drop count.
   * @returns `false` when it was dropped (queue full, or the output is broken).
   */
  write(text: string, units = 1): boolean {
    if (this.#broken) return false;
    if (this.#queuedBytes + text.length > this.#limit && this.#queuedBytes > 0) {
      this.#droppedUnits += units;
      return false;
    }
    this.#queue.push(text);
    this.#queuedBytes += text.length;
    this.#writing ??= this.#drain();
    return true;
  }

  /**
   * Waits until everything queued was written, at most `timeoutMs`.
   * @param timeoutMs The bound.
   * @returns `true` when all was written, `false` on timeout or when the output is broken.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) =>
      timer = setTimeout(() => resolve(false), timeoutMs)
    );
    try {
      for (;;) {
        const writing = this.#writing;
        if (writing === null) return this.#broken === null;
        if (await Promise.race([writing.then(() => true), timeout]) === false) return false;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const text = this.#queue.length === 1 ? this.#queue[0] : this.#queue.join("");
        this.#queue = [];
        this.#queuedBytes = 0;
        const bytes = encoder.encode(text);
        for (let written = 0; written < bytes.length;) {
          written += await this.#sink.write(written === 0 ? bytes : bytes.subarray(written));
        }
      }
    } catch (error) {
      this.#broken = error instanceof Error ? error : new Error(String(error));
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#onBroken(this.#broken);
    } finally {
      this.#writing = null;
    }
  }
}
