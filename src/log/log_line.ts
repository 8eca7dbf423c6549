/**
 * One log line per event, as text or as a JSON Lines record. Pure.
 *
 * @module
 */

/** How log lines are written. */
export type LogFormat = "text" | "json";

/** An event as the logs carry it: its name plus flat fields. */
export interface LogRecord {
  /** The event name (`connected`, `command`, `listening`, …). */
  readonly event: string;
  /** Further fields. */
  readonly [field: string]: string | number | boolean;
}

function textValue(value: string | number | boolean): string {
  const text = String(value);
  return text !== "" && /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * Formats one event as a log line (no trailing newline).
 *
 * Text: `2026-11-25T12:00:00.000Z info  command command=COLOR value=#ff0000 …`.
 * JSON: `{"time":"…","level":"info","event":"command",…}` with the record's fields.
 *
 * @param record The event.
 * @param level Its severity.
 * @param format `text` or `json`.
 * @param time When it happened.
 * @returns The line.
 * @example
 * ```ts
 * import { formatLogLine } from "./log_line.ts";
 * formatLogLine({ event: "connected", address: "127.0.0.1:9999" }, "info", "json", new Date(0));
 * // {"time":"1970-01-01T00:00:00.000Z","level":"info","event":"connected","address":"127.0.0.1:9999"}
 * ```
 */
export function formatLogLine(
  record: LogRecord,
  level: string,
  format: LogFormat,
  time: Date,
): string {
  if (format === "json") return JSON.stringify({ time: time.toISOString(), level, ...record });
  const { event, ...fields } = record;
  const pairs = Object.entries(fields).filter(([, value]) => value !== "").map(([key, value]) =>
    `${key}=${textValue(value)}`
  );
  return [time.toISOString(), level.padEnd(5), event, ...pairs].join(" ");
}
