/**
 * Writes log lines to a stream, filtered by level and batched: every line logged during one
 * turn of the event loop goes out in a single write.
 *
 * @module
 */
import { formatLogLine, type LogFormat, type LogRecord } from "./log_line.ts";

/** Log levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type Level = typeof LOG_LEVELS[number];

/** Where log lines go: anything with a synchronous write, such as `Deno.stdout`. */
export interface SyncWriter {
  /** Writes some of `bytes`, returning how many. */
  writeSync(bytes: Uint8Array): number;
}

/** What a {@linkcode LogWriter} writes and how. */
export interface LogWriterOptions {
  /** `text` or `json`. */
  readonly format: LogFormat;
  /** Lines below this level are dropped. */
  readonly level: Level;
  /** The clock (defaults to `Date.now`). */
  readonly now?: () => number;
}

/**
 * A leveled, batched log writer.
 *
 * @example
 * ```ts
 * import { LogWriter } from "./log_writer.ts";
 * const log = new LogWriter(Deno.stdout, { format: "json", level: "info" });
 * log.log({ event: "listening", port: 9999 }, "info");
 * log.flush();
 * ```
 */
export class LogWriter {
  #out: SyncWriter;
  #options: LogWriterOptions;
  #pending: string[] = [];
  #encoder = new TextEncoder();
  #broken = false;

  /**
   * @param out The stream to write to.
   * @param options Format, level and clock.
   */
  constructor(out: SyncWriter, options: LogWriterOptions) {
    this.#out = out;
    this.#options = options;
  }

  /**
   * Tells whether lines of `level` are written.
   * @param level The level.
   * @returns `true` when not filtered out.
   */
  enabled(level: Level): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.#options.level);
  }

  /**
   * Queues one event's line (written at the end of this turn of the event loop).
   * @param record The event.
   * @param level Its severity.
   */
  log(record: LogRecord, level: Level): void {
    if (!this.enabled(level) || this.#broken) return;
    const time = new Date(this.#options.now?.() ?? Date.now());
    if (this.#pending.push(formatLogLine(record, level, this.#options.format, time)) === 1) {
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes every queued line now. A closed output (e.g. `| head`) silently ends logging. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = this.#encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending = [];
    try {
      for (let written = 0; written < bytes.length;) {
        written += this.#out.writeSync(bytes.subarray(written));
      }
    } catch {
      this.#broken = true;
    }
  }
}
