/**
 * The lamp's lifecycle events. Their names are the JSON log's, the text log's and the terminal
 * view's: one vocabulary (see README "Log format"). A `command` event carries the command, its
 * value and the new state as data; `toLogRecord` (`src/render/lamp_log_record.ts`) turns it into
 * the log line's fields.
 *
 * @module
 */
import type { Command } from "../commands/command.ts";
import type { LampState } from "../lamp/lamp_state.ts";

/** Severity of an event in the logs. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Everything a lamp client reports, in the order it happens. */
export type LampEvent =
  | { readonly event: "connecting"; readonly address: string }
  | { readonly event: "connected"; readonly address: string }
  | { readonly event: "disconnected"; readonly address: string; readonly reason: string }
  | {
    readonly event: "retry";
    readonly address: string;
    readonly delay_ms: number;
    readonly attempt: number;
  }
  | {
    readonly event: "command";
    readonly address: string;
    /** The command applied. */
    readonly command: Command;
    /** Its decoded value, as `command.format` takes it. */
    readonly args: unknown;
    /** The lamp after it. */
    readonly state: LampState;
  }
  | {
    readonly event: "ignored";
    readonly address: string;
    readonly reason: "unknown" | "malformed";
    readonly type: number;
    readonly length: number;
    readonly hex: string;
  }
  | { readonly event: "shutdown"; readonly address: string };

/**
 * The log level of an event: `ignored` frames are debug, drops are warnings, the rest info.
 *
 * @param event The event.
 * @returns Its level.
 * @example
 * ```ts
 * import { levelOf } from "./lamp_event.ts";
 * levelOf({ event: "connected", address: "127.0.0.1:9999" }); // "info"
 * ```
 */
export function levelOf(event: LampEvent): LogLevel {
  switch (event.event) {
    case "ignored":
      return "debug";
    case "disconnected":
      return "warn";
    default:
      return "info";
  }
}
