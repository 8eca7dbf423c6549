/**
 * Output that never blocks: text and bytes are queued and written by one write at a time in the
 * background, so a terminal that is paused or a pipe that nobody drains cannot stall the network
 * side or the signal handlers. A writer that produces faster than the output takes can wait for
 * room (`whenRoom`), at most until the output has made no progress for a while (then it is
 * stalled); the queue is bounded, and past the bound chunks are dropped and counted. A failed
 * write (a closed pipe, a full disk) is reported once and ends the output.
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
  /**
   * How long a write may take before the output counts as stalled (default 1 s): then
   * `whenRoom` stops waiting, and what does not fit the queue is dropped until a write completes.
   */
  readonly stallMs?: number;
  /** Called once when a write fails: the output is gone, nothing more is written. */
  readonly onBroken?: (error: Error) => void;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
/** The queue's first buffer, unless the bound is smaller. */
const MIN_QUEUE_BYTES = 16 * 1024;

/**
 * A bounded, non-blocking writer. A chunk written while the output is idle goes out as it is (its
 * owner gets it back through `done` once written); a chunk written while a write is in flight is
 * copied into the writer's own queue and given back at once, so a queued line holds only its own
 * bytes, never the buffer it was cut from. The queue holds at most `limitBytes` (one chunk larger
 * than that is let in when nothing is queued); with the buffer of the write in flight the writer
 * holds at most twice that ({@linkcode OutputWriter.held}).
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
 * out.write(new TextEncoder().encode("two\n"));
 * await out.whenRoom();
 * await out.flush(1000);
 * assertEquals(written.join(""), "one\ntwo\n");
 * ```
 */
export class OutputWriter {
  #sink: AsyncSink;
  #limit: number;
  #stallMs: number;
  #onBroken: (error: Error) => void;
  /** The queue: `[0, #queued)` of `#queue` holds the bytes waiting behind the write in flight. */
  #queue = EMPTY;
  #queued = 0;
  /** The queue's other buffer: the one in flight, or empty. */
  #spare = EMPTY;
  #writing: Promise<void> | null = null;
  #broken: Error | null = null;
  #stalled = false;
  #room: PromiseWithResolvers<void> | null = null;
  #droppedUnits = 0;
  #droppedReported = 0;

  /**
   * @param sink Where bytes go.
   * @param options The bound, the stall time and the failure callback.
   */
  constructor(sink: AsyncSink, options: OutputWriterOptions = {}) {
    this.#sink = sink;
    this.#limit = options.limitBytes ?? 4 << 20;
    this.#stallMs = options.stallMs ?? 1000;
    this.#onBroken = options.onBroken ?? (() => {});
  }

  /** The error that ended the output, if one did. */
  get broken(): Error | null {
    return this.#broken;
  }

  /** Bytes queued but not yet handed to the sink. */
  get pending(): number {
    return this.#queued;
  }

  /**
   * Bytes the writer's own buffers take: the queue's and the one in flight. At most twice the
   * bound (or the one chunk larger than the bound, while it waits or is written).
   */
  get held(): number {
    return this.#queue.length + this.#spare.length;
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
   * Queues text or bytes; they are written in order, in the background.
   * @param data The text, or bytes (not to be changed until `done` is called).
   * @param units How many units (e.g. lines) it holds, for the drop count.
   * @param done Given `data` back once it was written, copied into the queue or dropped (to reuse
   *   its buffer).
   * @returns `false` when it was dropped (queue full, or the output is broken).
   */
  write(data: string | Uint8Array, units = 1, done?: (bytes: Uint8Array) => void): boolean {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (this.#writing === null && this.#broken === null) {
      this.#writing = this.#drain(bytes, done);
      return true;
    }
    const fits = this.#queued === 0 || this.#queued + bytes.length <= this.#limit;
    if (fits && this.#broken === null) this.#enqueue(bytes);
    else if (this.#broken === null) this.#droppedUnits += units;
    done?.(bytes);
    return fits && this.#broken === null;
  }

  /**
   * For a writer that must not outrun the output: `undefined` when nothing waits behind the
   * write in flight; otherwise a promise that resolves once it went out, or once the output has
   * stalled (no write completed for the stall time: a reader that stopped reading). While stalled
   * it returns `undefined` until a write completes, so a stalled output never holds anyone up
   * more than once.
   * @returns Nothing, or what to await before producing more.
   */
  whenRoom(): Promise<void> | undefined {
    if (this.#queued === 0 || this.#stalled || this.#broken) return undefined;
    if (this.#room === null) {
      const room = this.#room = Promise.withResolvers<void>();
      // AbortSignal.timeout, not setTimeout: a process's first setTimeout loads the timers
      // (milliseconds), and the first wait comes with the first frames.
      AbortSignal.timeout(this.#stallMs).addEventListener("abort", () => {
        if (this.#room !== room) return; // there was room in time
        this.#stalled = true;
        this.#makeRoom();
      });
    }
    return this.#room.promise;
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

  #makeRoom(): void {
    this.#room?.resolve();
    this.#room = null;
  }

  /**
   * Copies `bytes` into the queue, growing it up to the bound (past it only for one chunk larger
   * than the bound, which is let in when nothing is queued).
   */
  #enqueue(bytes: Uint8Array): void {
    const needed = this.#queued + bytes.length;
    if (needed > this.#queue.length) {
      const doubled = Math.max(2 * this.#queue.length, MIN_QUEUE_BYTES);
      const grown = new Uint8Array(Math.max(needed, Math.min(this.#limit, doubled)));
      grown.set(this.#queue.subarray(0, this.#queued));
      this.#queue = grown;
    }
    this.#queue.set(bytes, this.#queued);
    this.#queued = needed;
  }

  /** Takes what is queued as the next write; the queue goes on in the other buffer. */
  #takeQueue(): Uint8Array {
    const taken = this.#queue;
    const bytes = taken.subarray(0, this.#queued);
    this.#queue = this.#spare;
    this.#spare = taken;
    this.#queued = 0;
    return bytes;
  }

  /** Writes `first` (then gives it back), then what was queued meanwhile, until nothing is. */
  async #drain(first: Uint8Array, done: ((bytes: Uint8Array) => void) | undefined): Promise<void> {
    try {
      for (let bytes = first; bytes.length > 0; bytes = this.#takeQueue()) {
        this.#makeRoom(); // nothing waits behind this write now
        for (let written = 0; written < bytes.length;) {
          written += await this.#sink.write(written === 0 ? bytes : bytes.subarray(written));
        }
        this.#stalled = false;
        done?.(first);
        done = undefined;
        if (this.#spare.length > this.#limit) this.#spare = EMPTY; // (one chunk over the bound)
      }
    } catch (error) {
      this.#broken = error instanceof Error ? error : new Error(String(error));
      this.#queued = 0;
      this.#makeRoom();
      this.#onBroken(this.#broken);
    } finally {
      done?.(first);
      this.#writing = null;
    }
  }
}
