/**
 * A leveled log on a non-blocking output: every line logged during one turn of the event loop
 * goes out in one write, in order; lines the output could not take are counted and reported.
 *
 * @module
 */
import { type Level, levelPasses } from "./level.ts";
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
  #pending = "";
  #pendingLines = 0;
  #timeAt = NaN;
  #time = "";

  /**
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
    if (this.enabled(level)) this.line(formatLogLine(record, level, this.format, this.time()));
  }

  /**
   * Queues one line that is already formatted (the hot path formats without a record).
   * @param text The line, without a newline.
   */
  line(text: string): void {
    if (this.#pendingLines++ === 0) queueMicrotask(() => this.#hand());
    this.#pending += text + "\n";
  }

  /**
   * The current time as ISO-8601 text, made once per millisecond.
   * @returns The time.
   */
  time(): string {
    const now = this.#now();
    if (now !== this.#timeAt) {
      this.#timeAt = now;
      this.#time = new Date(now).toISOString();
    }
    return this.#time;
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

  #hand(): void {
    if (this.#pendingLines === 0) return;
    if (this.#dropping && this.#out.pending === 0) { // caught up again
      this.#dropping = false;
      const lines = this.#out.takeDropped();
      const notice = { event: "log_dropped", lines };
      this.#pending = formatLogLine(notice, "warn", this.format, this.time()) + "\n" +
        this.#pending;
      this.#onDropped(lines);
    }
    if (!this.#out.write(this.#pending, this.#pendingLines) && !this.#dropping) {
      this.#dropping = true;
      this.#onDropping();
    }
    this.#pending = "";
    this.#pendingLines = 0;
  }
}
