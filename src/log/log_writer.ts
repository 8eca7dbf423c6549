/**
 * A leveled log on a non-blocking output: every line logged during one turn of the event loop
 * (or until `handOff`) goes out in one write, in order, as bytes; lines the output could not take
 * are counted and reported.
 *
 * @module
 */
import { type Level, levelPasses } from "./level.ts";
import { LineBatch } from "./line_batch.ts";
import { formatLogLine, type LogFormat, type LogRecord } from "./log_line.ts";
import type { OutputWriter } from "./output_writer.ts";

/** What a {@linkcode LogWriter} writes and how. */
export interface LogWriterOptions {
  /** `text` or `json`. */
  readonly format: LogFormat;
  /** Lines below this level are dropped. */
  readonly level: Level;
  /** The clock in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Told when the output first fails to keep up and lines start being dropped. */
  readonly onDropping?: () => void;
  /** Told how many lines were dropped, once the output takes lines again (or at the final flush). */
  readonly onDropped?: (lines: number) => void;
}

/**
 * A leveled, batched log writer.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LogWriter } from "./log_writer.ts";
 * import { OutputWriter } from "./output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const log = new LogWriter(out, { format: "json", level: "info", now: () => 0 });
 * log.log({ event: "listening", port: 9999 }, "info");
 * log.log({ event: "detail" }, "debug");
 * await log.flush(1000);
 * assertEquals(text, '{"time":"1970-01-01T00:00:00.000Z","level":"info","event":"listening","port":9999}\n');
 * ```
 */
export class LogWriter {
  /** The line format. */
  readonly format: LogFormat;
  #out: OutputWriter;
  #level: Level;
  #now: () => number;
  #onDropping: () => void;
  #onDropped: (lines: number) => void;
  #dropping = false;
  #batch = new LineBatch();
  #handScheduled = false;
  #timeTaken = false;
  #time = "";
  #recycle = (lines: Uint8Array) => this.#batch.recycle(lines);

  /**
   * A writer over an output.
   * @param out The output.
   * @param options Format, level, clock.
   */
  constructor(out: OutputWriter, options: LogWriterOptions) {
    this.#out = out;
    this.format = options.format;
    this.#level = options.level;
    this.#now = options.now ?? Date.now;
    this.#onDropping = options.onDropping ?? (() => {});
    this.#onDropped = options.onDropped ?? (() => {});
  }

  /**
   * Tells whether lines of `level` are written.
   * @param level The level.
   * @returns `true` when not filtered out.
   */
  enabled(level: Level): boolean {
    return levelPasses(level, this.#level);
  }

  /**
   * Logs one event (written at the end of this turn of the event loop).
   * @param record The event.
   * @param level Its severity.
   */
  log(record: LogRecord, level: Level): void {
    if (this.enabled(level)) {
      this.batch(0).text(formatLogLine(record, level, this.format, this.time()));
    }
  }

  /**
   * The lines queued so far, for a line written straight into it as bytes (see
   * {@linkcode LineBatch}); they go out at the end of this turn of the event loop, or at
   * `handOff`.
   * @param room The most bytes the caller will write now.
   * @returns The batch, with that much room.
   */
  batch(room: number): LineBatch {
    this.#schedule();
    this.#batch.reserve(room);
    return this.#batch;
  }

  /**
   * The time of the lines being batched, as ISO-8601 text: taken once per batch (like a C lamp
   * that takes the time once per read), so a flood of lines does not read the clock per line.
   * @returns The time.
   */
  time(): string {
    if (!this.#timeTaken) {
      this.#timeTaken = true;
      this.#schedule(); // the next batch takes the time again
      this.#time = new Date(this.#now()).toISOString();
    }
    return this.#time;
  }

  /**
   * Hands the lines queued so far to the output at once (a reader sees one read's lines as soon
   * as the read was handled), and tells whether to wait before producing more: the output has a
   * batch waiting behind the one it is writing. Waiting slows a flood down to what the output
   * takes, so no line is lost to a reader that keeps up at all; a stalled output ends the wait
   * (then lines are dropped and counted).
   * @returns Nothing, or what to await before producing more lines.
   */
  handOff(): Promise<void> | undefined {
    this.#hand();
    return this.#out.whenRoom();
  }

  /**
   * Writes what is queued and waits for the output, at most `timeoutMs`.
   * @param timeoutMs The bound.
   * @returns `true` when everything was written.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.#hand();
    const written = await this.#out.flush(timeoutMs);
    if (this.#dropping) {
      this.#dropping = false;
      this.#onDropped(this.#out.takeDropped());
    }
    return written;
  }

  #schedule(): void {
    if (this.#handScheduled) return;
    this.#handScheduled = true;
    queueMicrotask(this.#handLater);
  }

  // Made once: a closure written inside #schedule would make V8 allocate a context on every call
  // (every line), not only when it schedules.
  #handLater = () => this.#hand();

  #hand(): void {
    this.#handScheduled = false;
    this.#timeTaken = false;
    const batch = this.#batch;
    if (batch.lines === 0) return;
    if (this.#dropping && this.#out.pending === 0) { // caught up again
      this.#dropping = false;
      const dropped = this.#out.takeDropped();
      const notice = { event: "log_dropped", lines: dropped };
      this.#out.write(formatLogLine(notice, "warn", this.format, this.time()) + "\n");
      this.#onDropped(dropped);
    }
    const lines = batch.lines;
    const written = this.#out.write(batch.take(), lines, this.#recycle);
    if (!written && !this.#dropping && this.#out.broken === null) { // (a broken output is said once)
      this.#dropping = true;
      this.#onDropping();
    }
  }
}
