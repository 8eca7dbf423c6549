/**
 * A lamp event as the fields of a log line.
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import { formatColor } from "../lamp/rgb.ts";
import type { LogRecord } from "../log/log_line.ts";

/**
 * The event as a log line's fields. A `command` event carries the decoded value and the new
 * state; they are formatted here, only for a line that is written (formatting every frame of a
 * flood cost two thirds of the lamp's throughput).
 *
 * @param event The event.
 * @returns Its fields: for `command`, `command` (name), `value` (text), `on` and `color`
 *   (`#rrggbb`); for the others, the event as it is.
 * @example
 * ```ts
 * import { toLogRecord } from "./lamp_log_record.ts";
 * import { COLOR } from "../commands/color.ts";
 * toLogRecord({
 *   event: "command",
 *   address: "127.0.0.1:9999",
 *   command: COLOR,
 *   args: 0xff0000,
 *   state: { on: true, color: 0xff0000 },
 * });
 * // { event: "command", address: "127.0.0.1:9999", command: "COLOR", value: "#ff0000", on: true, color: "#ff0000" }
 * ```
 */
export function toLogRecord(event: LampEvent): LogRecord {
  if (event.event !== "command") return event;
  return {
    event: event.event,
    address: event.address,
    command: event.command.name,
    value: event.command.format(event.args),
    on: event.state.on,
    color: formatColor(event.state.color),
  };
}
