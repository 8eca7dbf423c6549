/**
 * Output that never blocks: text and bytes are queued and written by one write at a time in the
 * background, so a terminal that is paused or a pipe that nobody drains cannot stall the network
 * side or the signal handlers. A writer that produces faster than the output takes can wait for
 * room (`whenRoom`), at most until the output has made no progress for a while (then it is
 * stalled); the queue is bounded by the bytes it holds, and past the bound chunks are dropped and
 * counted. A failed write (a closed pipe, a full disk) is reported once and ends the output.
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
  /**
   * Bytes that may wait while a write is in flight; more is dropped (default 4 MiB). A chunk
   * counts all the memory it keeps alive: the whole buffer it is a view of.
   */
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

/**
 * The memory a chunk keeps alive while it waits: the whole buffer it is a view of (a line cut
 * out of a 64 KiB read buffer holds all of it).
 */
function held(bytes: Uint8Array): number {
  return bytes.buffer.byteLength;
}

/** One queued write: its bytes, the units (lines) it holds, and who wants its buffer back. */
interface Chunk {
  readonly bytes: Uint8Array;
  readonly units: number;
  readonly done: ((bytes: Uint8Array) => void) | undefined;
}

/**
 * A bounded, non-blocking writer. What waits is counted by the memory it holds, so a writer that
 * queues small views of large buffers is held to the bound too: it should hand over chunks that
 * own their memory (a copy of a short line, a batch that fills most of its buffer).
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
  #queue: Chunk[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #broken: Error | null = null;
  #stalled = false;
  #room: PromiseWithResolvers<void> | null = null;
  #droppedUnits = 0;
  #droppedReported = 0;

  /**
   * An output over a sink.
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

  /** Bytes the chunks queued but not yet handed to the sink hold (their whole buffers). */
  get pending(): number {
    return this.#queuedBytes;
  }

  /** Whether a write is in flight. */
  get busy(): boolean {
    return this.#writing !== null;
  }

  /**
   * Waits until the queue is empty.
   * @returns Resolves once everything queued so far was written (or the output broke).
   */
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
   * @param done Given `data` back once it was written or dropped (to reuse its buffer).
   * @returns `false` when it was dropped (queue full, or the output is broken).
   */
  write(data: string | Uint8Array, units = 1, done?: (bytes: Uint8Array) => void): boolean {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const cost = held(bytes);
    if (this.#broken || (this.#queuedBytes + cost > this.#limit && this.#queuedBytes > 0)) {
      if (!this.#broken) this.#droppedUnits += units;
      done?.(bytes);
      return false;
    }
    this.#queue.push({ bytes, units, done });
    this.#queuedBytes += cost;
    this.#writing ??= this.#drain();
    return true;
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
    if (this.#queue.length === 0 || this.#stalled || this.#broken) return undefined;
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

  /** Takes everything queued as one write (joined when there are several chunks). */
  #takeQueue(): Chunk {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (queue.length === 1) return queue[0];
    const bytes = new Uint8Array(queue.reduce((sum, chunk) => sum + chunk.bytes.length, 0));
    let at = 0;
    for (const chunk of queue) {
      bytes.set(chunk.bytes, at);
      at += chunk.bytes.length;
      chunk.done?.(chunk.bytes);
    }
    return { bytes, units: 0, done: undefined };
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const { bytes, done } = this.#takeQueue();
        this.#makeRoom(); // nothing waits behind this write now
        for (let written = 0; written < bytes.length;) {
          written += await this.#sink.write(written === 0 ? bytes : bytes.subarray(written));
        }
        this.#stalled = false;
        done?.(bytes);
      }
    } catch (error) {
      this.#broken = error instanceof Error ? error : new Error(String(error));
      for (const chunk of this.#queue) chunk.done?.(chunk.bytes);
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#makeRoom();
      this.#onBroken(this.#broken);
    } finally {
      this.#writing = null;
    }
  }
}
