/**
 * One log line per event, as text or as a JSON Lines record. Pure.
 *
 * @module
 */
import { bareOrQuoted, safeJson } from "./escape_text.ts";

/** How log lines are written. */
export type LogFormat = "text" | "json";

/** An event as the logs carry it: its name plus flat fields. */
export interface LogRecord {
  /** The event name (`connected`, `command`, `listening`, …). */
  readonly event: string;
  /** Further fields. */
  readonly [field: string]: string | number | boolean;
}

/**
 * Formats one event as a log line (no trailing newline). Every value from outside is escaped:
 * no control, C1 or bidi character reaches the line raw.
 *
 * Text: `2026-11-25T12:00:00.000Z info  command command=COLOR value=#ff0000 …`.
 * JSON: `{"time":"…","level":"info","event":"command",…}` with the record's fields.
 *
 * @param record The event.
 * @param level Its severity.
 * @param format `text` or `json`.
 * @param time When it happened, ISO-8601.
 * @returns The line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatLogLine } from "./log_line.ts";
 * const time = "1970-01-01T00:00:00.000Z";
 * assertEquals(
 *   formatLogLine({ event: "connected", address: "127.0.0.1:9999" }, "info", "json", time),
 *   '{"time":"1970-01-01T00:00:00.000Z","level":"info","event":"connected","address":"127.0.0.1:9999"}',
 * );
 * assertEquals(
 *   formatLogLine({ event: "lamp_closed", reason: "bye\u009b" }, "info", "text", time),
 *   '1970-01-01T00:00:00.000Z info  lamp_closed reason="bye\\u009b"',
 * );
 * ```
 */
export function formatLogLine(
  record: LogRecord,
  level: string,
  format: LogFormat,
  time: string,
): string {
  if (format === "json") return safeJson(JSON.stringify({ time, level, ...record }));
  let line = `${time} ${level.padEnd(5)} ${bareOrQuoted(record.event)}`;
  for (const key in record) {
    const value = record[key];
    if (key === "event" || value === "") continue;
    line += ` ${bareOrQuoted(key)}=${
      typeof value === "string" ? bareOrQuoted(value) : String(value)
    }`;
  }
  return line;
}
