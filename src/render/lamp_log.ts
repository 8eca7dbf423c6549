/**
 * The lamp's log lines: lifecycle events as records, and one line per applied command written
 * straight into the log's bytes (no record, no string, no intermediate object: a flood of
 * commands is logged at the rate the output takes them).
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import { formatColorInto } from "../commands/color.ts";
import { type Command, MAX_FORMATTED_BYTES } from "../commands/command.ts";
import type { DispatchListener, IgnoredReason } from "../commands/dispatcher.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import { bareOrQuoted, quoteText } from "../log/escape_text.ts";
import type { Level } from "../log/level.ts";
import type { LineBatch } from "../log/line_batch.ts";
import type { LogWriter } from "../log/log_writer.ts";
import { toHex } from "../protocol/hex.ts";

const encoder = new TextEncoder();

/** The bytes of a command line around its value and the lamp's state, per log format. */
const PIECES = {
  text: {
    beforeValue: " value=",
    lit: encoder.encode(" on=true color="),
    dark: encoder.encode(" on=false color="),
    end: "\n",
  },
  json: {
    beforeValue: ',"value":',
    lit: encoder.encode(',"on":true,"color":"'),
    dark: encoder.encode(',"on":false,"color":"'),
    end: '"}\n',
  },
} as const;

/** Room for what follows a command line's head: value, state and the color. */
const TAIL_BYTES = MAX_FORMATTED_BYTES + 32;

/** A whole command line to copy, and where in it the value and the color are. */
interface LineTemplate {
  readonly bytes: Uint8Array;
  readonly valueAt: number;
  readonly valueEnd: number;
  readonly colorAt: number;
}

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
  #pieces: typeof PIECES.text | typeof PIECES.json;
  #address = "";
  #addressText = "";
  /** Per command type: the line's bytes up to its value, for the time in `#headsTime`. */
  #heads: (Uint8Array | undefined)[] = [];
  /** Per command type and lamp state (`2 * type + on`): a whole line to copy and patch. */
  #templates: (LineTemplate | undefined)[] = [];
  #headsTime = "";
  // Where the general path put the value and the color in the line it wrote last, and its length.
  #valueAt = 0;
  #valueEnd = 0;
  #colorAt = 0;
  #lineLength = 0;

  /** @param log Where lines go; its level decides what is logged per frame. */
  constructor(log: LogWriter) {
    this.#log = log;
    this.#pieces = PIECES[log.format];
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
    this.#heads = [];
    this.#templates = [];
  }

  /** The line of a command up to its value: made once per command and batch time. */
  #head(command: Command, time: string): Uint8Array {
    if (time !== this.#headsTime) {
      this.#headsTime = time;
      this.#heads = [];
      this.#templates = [];
    }
    let head = this.#heads[command.type];
    if (head === undefined) {
      const json = this.#log.format === "json";
      const name = json ? quoteText(command.name) : bareOrQuoted(command.name);
      head = encoder.encode(
        (json
          ? `{"time":"${time}","level":"info","event":"command","address":${this.#addressText},"command":${name}`
          : `${time} info  command address=${this.#addressText} command=${name}`) +
          this.#pieces.beforeValue,
      );
      this.#heads[command.type] = head;
    }
    return head;
  }

  /** Writes the value after the head: from `formatInto` when the command has it, else its text. */
  #value(command: Command, args: unknown, out: Uint8Array, at: number): number {
    const json = this.#log.format === "json";
    if (command.formatInto !== undefined) {
      if (!json) return command.formatInto(args, out, at);
      out[at] = 0x22; // "
      at = command.formatInto(args, out, at + 1);
      out[at] = 0x22;
      return at + 1;
    }
    const value = command.format(args);
    const text = json ? quoteText(value) : value === "" ? "" : bareOrQuoted(value);
    return at + encoder.encodeInto(text, out.subarray(at)).written;
  }

  /**
   * A command line: the same line as the last one of this command and lamp state, copied in one
   * go with its value and color written over (a line costs one copy and the digits), as long as
   * the value keeps its length; otherwise the line is written piece by piece.
   */
  #applied = (command: Command, args: unknown, lamp: LampState): void => {
    const time = this.#log.time();
    const formatInto = command.formatInto;
    const slot = 2 * command.type + (lamp.on ? 1 : 0);
    const template = time === this.#headsTime ? this.#templates[slot] : undefined;
    if (template !== undefined && formatInto !== undefined) {
      const { bytes, valueAt, valueEnd, colorAt } = template;
      const batch = this.#log.batch(bytes.length + MAX_FORMATTED_BYTES); // (a longer value too)
      const out = batch.bytes;
      const at = batch.length;
      out.set(bytes, at);
      if (formatInto.call(command, args, out, at + valueAt) === at + valueEnd) {
        formatColorInto(lamp.color, out, at + colorAt);
        batch.ended(at + bytes.length);
        return;
      }
    }
    const batch = this.#write(command, args, lamp, time);
    if (formatInto === undefined) return; // its text may need escaping: always written in full
    const end = batch.length;
    const start = end - this.#lineLength;
    this.#templates[slot] = {
      bytes: batch.bytes.slice(start, end),
      valueAt: this.#valueAt - start,
      valueEnd: this.#valueEnd - start,
      colorAt: this.#colorAt - start,
    };
  };

  /** Writes a command line piece by piece; notes where its value and color went. */
  #write(command: Command, args: unknown, lamp: LampState, time: string): LineBatch {
    const pieces = this.#pieces;
    const head = this.#head(command, time);
    const valueRoom = command.formatInto === undefined ? 3 * command.format(args).length + 8 : 0;
    const batch = this.#log.batch(head.length + TAIL_BYTES + valueRoom);
    const out = batch.bytes;
    const start = batch.length;
    let at = start;
    out.set(head, at);
    at += head.length;
    const valueAt = at;
    at = this.#value(command, args, out, at);
    this.#valueAt = this.#log.format === "json" ? valueAt + 1 : valueAt; // after its quote
    this.#valueEnd = this.#log.format === "json" ? at - 1 : at;
    // Text leaves out an empty value, and its " value=" with it.
    if (at === valueAt && this.#log.format === "text") {
      at -= pieces.beforeValue.length;
      this.#valueAt = this.#valueEnd = at;
    }
    const state = lamp.on ? pieces.lit : pieces.dark;
    out.set(state, at);
    this.#colorAt = at + state.length;
    at = formatColorInto(lamp.color, out, this.#colorAt);
    const end = pieces.end;
    for (let i = 0; i < end.length; i++) out[at++] = end.charCodeAt(i);
    batch.ended(at);
    this.#lineLength = at - start;
    return batch;
  }

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
