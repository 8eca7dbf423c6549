/**
 * The lamp's log lines: lifecycle events as records, and one line per applied command built
 * straight into text (no record, no intermediate object: a flood of commands is logged at the
 * rate the output takes them).
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import type { Command } from "../commands/command.ts";
import type { DispatchListener, IgnoredReason } from "../commands/dispatcher.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import { formatColor } from "../lamp/rgb.ts";
import { bareOrQuoted, quoteText } from "../log/escape_text.ts";
import type { Level } from "../log/level.ts";
import type { LogWriter } from "../log/log_writer.ts";
import { toHex } from "../protocol/hex.ts";

/**
 * The level of a lamp event: failing to reach the server is an error (so `--quiet` shows it),
 * a lost connection a warning, the rest info.
 *
 * @param event The event.
 * @returns Its level.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { levelOf } from "./lamp_log.ts";
 * assertEquals(levelOf({ event: "connected", address: "127.0.0.1:9999" }), "info");
 * ```
 */
export function levelOf(event: LampEvent): Level {
  switch (event.event) {
    case "unreachable":
      return "error";
    case "connect_failed":
    case "disconnected":
      return "warn";
    default:
      return "info";
  }
}

/**
 * Logs a lamp: its lifecycle events, and per frame only what the level asks for (commands at
 * info, ignored frames at debug). `listener` is empty when no frame is logged, so the lamp then
 * does no work per frame for the log.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LampLog } from "./lamp_log.ts";
 * import { LogWriter } from "../log/log_writer.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * const out = new OutputWriter({ write: (bytes) => Promise.resolve(bytes.length) });
 * const log = new LampLog(new LogWriter(out, { format: "text", level: "error" }));
 * assertEquals(log.listener, {});
 * ```
 */
export class LampLog {
  /** The per-frame callbacks to give the client. */
  readonly listener: DispatchListener;
  #log: LogWriter;
  #address = "";
  #addressText = "";
  #names = new Map<Command, string>();

  /** @param log Where lines go; its level decides what is logged per frame. */
  constructor(log: LogWriter) {
    this.#log = log;
    this.listener = {
      ...(log.enabled("info") ? { onApplied: this.#applied } : {}),
      ...(log.enabled("debug") ? { onIgnored: this.#ignored } : {}),
    };
  }

  /**
   * Logs a lifecycle event.
   * @param event The event.
   */
  onEvent(event: LampEvent): void {
    if (event.event === "connecting" || event.event === "connected") this.#use(event.address);
    this.#log.log(event, levelOf(event));
  }

  #use(address: string): void {
    if (address === this.#address) return;
    this.#address = address;
    this.#addressText = this.#log.format === "json" ? quoteText(address) : bareOrQuoted(address);
    this.#names.clear();
  }

  #name(command: Command): string {
    let name = this.#names.get(command);
    if (name === undefined) {
      name = this.#log.format === "json" ? quoteText(command.name) : bareOrQuoted(command.name);
      this.#names.set(command, name);
    }
    return name;
  }

  #applied = (command: Command, args: unknown, lamp: LampState): void => {
    const value = command.format(args);
    const name = this.#name(command);
    const color = formatColor(lamp.color);
    const time = this.#log.time();
    this.#log.line(
      this.#log.format === "json"
        ? `{"time":"${time}","level":"info","event":"command","address":${this.#addressText},"command":${name},"value":${
          quoteText(value)
        },"on":${lamp.on},"color":"${color}"}`
        : `${time} info  command address=${this.#addressText} command=${name}${
          value === "" ? "" : ` value=${bareOrQuoted(value)}`
        } on=${lamp.on} color=${color}`,
    );
  };

  #ignored = (
    reason: IgnoredReason,
    type: number,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): void => {
    const hex = toHex(bytes.subarray(start, end), 32);
    this.#log.log(
      { event: "ignored", address: this.#address, reason, type, length: end - start, hex },
      "debug",
    );
  };
}
