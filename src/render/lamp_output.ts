/**
 * Where the lamp shows itself: the sink interface, and log lines. The terminal views are in
 * `terminal_output.ts` (loaded only for a terminal).
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import type { DispatchListener } from "../commands/dispatcher.ts";
import type { LogRecord } from "../log/log_line.ts";
import type { StateField } from "../lamp/lamp_state.ts";
import type { LogWriter } from "../log/log_writer.ts";
import { LampLog } from "./lamp_log.ts";
/** A sink for what the lamp does. */
export interface LampOutput {
  /** The per-frame callbacks to give the client (empty when nothing is shown per frame). */
  readonly listener: DispatchListener;
  /** Shows one lifecycle event. */
  onEvent(event: LampEvent): void;
  /**
   * Called after the frames of each read were applied (and when the terminal was resized); when
   * it returns a promise, the next read waits for it (a log whose output has fallen behind).
   */
  onRead(): Promise<void> | void;
  /** Shows the final state and why the lamp stopped. */
  stop(record: LogRecord): void;
  /** Makes the terminal usable again at once; for crash and forced-exit paths. */
  restore(): void;
}

/**
 * Log lines: one per event (and per command at info, per ignored frame at debug), text or JSON
 * Lines, filtered by the writer's level.
 *
 * @param log The log writer.
 * @param fields The lamp's pieces of state (the command table's `state`).
 * @returns The output.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { logOutput } from "./lamp_output.ts";
 * import { LogWriter } from "../log/log_writer.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const output = logOutput(
 *   new LogWriter(out, { format: "json", level: "info", now: () => 0 }),
 *   createCommandTable().state,
 * );
 * output.onEvent({ event: "connected", address: "a:1" });
 * await out.flush(1000);
 * assertEquals(JSON.parse(text).event, "connected");
 * ```
 */
export function logOutput(log: LogWriter, fields: readonly StateField[]): LampOutput {
  const lampLog = new LampLog(log, fields);
  return {
    listener: lampLog.listener,
    onEvent: (event) => lampLog.onEvent(event),
    onRead: () => log.handOff(), // one read's lines in one write, at once
    stop: (record) => log.log(record, "info"),
    restore: () => {},
  };
}
