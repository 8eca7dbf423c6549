/**
 * The lamp's log lines: lifecycle events as records, and one line per applied command written
 * straight into the log's bytes (no record, no string, no intermediate object: a flood of
 * commands is logged at the rate the output takes them).
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import { type Command, MAX_FORMATTED_BYTES } from "../commands/command.ts";
import type { DispatchListener, IgnoredReason } from "../commands/dispatcher.ts";
import type { StateField } from "../lamp/lamp_state.ts";
import { bareOrQuoted, quoteText } from "../log/escape_text.ts";
import type { Level } from "../log/level.ts";
import type { LineBatch } from "../log/line_batch.ts";
import type { LogWriter } from "../log/log_writer.ts";
import { toHex } from "../protocol/hex.ts";

const encoder = new TextEncoder();

/** Room for a line's value and each piece of state, written by `formatInto`/`textInto`. */
const ROOM = MAX_FORMATTED_BYTES;

/** How one piece of state is written in a command line, per log format. */
interface PieceWriter {
  /** ` on=` (text) or `,"on":` (JSON). */
  readonly label: Uint8Array;
  /** Whether its JSON is a string (written in quotes). */
  readonly quoted: boolean;
  /** The field, for its text or JSON. */
  readonly field: StateField;
}

/** A whole command line to copy, and where in it the value and each piece of state are. */
interface LineTemplate {
  readonly bytes: Uint8Array;
  /** Start and end of the value, then of each piece's text: `[start, end, start, end, …]`. */
  readonly slots: Int32Array;
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
 * does no work per frame for the log. A command line carries the command, its value and one field
 * per piece of the lamp's state (`on=true color=#ff0000`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LampLog } from "./lamp_log.ts";
 * import { LogWriter } from "../log/log_writer.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * const out = new OutputWriter({ write: (bytes) => Promise.resolve(bytes.length) });
 * const log = new LampLog(new LogWriter(out, { format: "text", level: "error" }), []);
 * assertEquals(log.listener, {});
 * ```
 */
export class LampLog {
  /** The per-frame callbacks to give the client. */
  readonly listener: DispatchListener;
  #log: LogWriter;
  #json: boolean;
  #pieces: readonly PieceWriter[];
  /** Whether every piece has `textInto`, so a line can be patched in place. */
  #patchable: boolean;
  #address = "";
  #addressText = "";
  /** Per command type: the line's bytes up to its value, for the time in `#headsTime`. */
  #heads: (Uint8Array | undefined)[] = [];
  /** Per command type: the last line written whole, to copy and patch. */
  #templates: (LineTemplate | undefined)[] = [];
  #headsTime = "";
  /** Where the general path put the value and each piece in the line it wrote last. */
  #slots: Int32Array;
  /** The length of the line the general path wrote last. */
  #lineLength = 0;

  /**
   * Logs a lamp into a writer.
   * @param log Where lines go; its level decides what is logged per frame.
   * @param fields The lamp's pieces of state (the command table's `state`), in its order.
   */
  constructor(log: LogWriter, fields: readonly StateField[]) {
    this.#log = log;
    this.#json = log.format === "json";
    this.#pieces = fields.map((field) => ({
      field,
      label: encoder.encode(this.#json ? `,${quoteText(field.name)}:` : ` ${field.name}=`),
      quoted: typeof field.json(field.initial) === "string",
    }));
    this.#patchable = fields.every((field) => field.textInto !== undefined);
    this.#slots = new Int32Array(2 + 2 * fields.length);
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
    this.#addressText = this.#json ? quoteText(address) : bareOrQuoted(address);
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
      const name = this.#json ? quoteText(command.name) : bareOrQuoted(command.name);
      head = encoder.encode(
        this.#json
          ? `{"time":"${time}","level":"info","event":"command","address":${this.#addressText},"command":${name},"value":`
          : `${time} info  command address=${this.#addressText} command=${name} value=`,
      );
      this.#heads[command.type] = head;
    }
    return head;
  }

  /**
   * A command line: the last line of this command, copied in one go with its value and each
   * piece of state written over (a line costs one copy and the digits), as long as each keeps
   * its length; otherwise the line is written piece by piece.
   */
  #applied = (command: Command, args: unknown, values: readonly unknown[]): void => {
    const time = this.#log.time();
    const formatInto = command.formatInto;
    const template = time === this.#headsTime ? this.#templates[command.type] : undefined;
    if (template !== undefined && formatInto !== undefined) {
      const { bytes, slots } = template;
      const pieces = this.#pieces;
      const batch = this.#log.batch(bytes.length + ROOM * (1 + pieces.length));
      const out = batch.bytes;
      const at = batch.length;
      out.set(bytes, at);
      let same = formatInto.call(command, args, out, at + slots[0]) === at + slots[1];
      for (let i = 0; same && i < pieces.length; i++) {
        const end = pieces[i].field.textInto!(values[i], out, at + slots[2 + 2 * i]);
        same = end === at + slots[3 + 2 * i];
      }
      if (same) {
        batch.ended(at + bytes.length);
        return;
      }
    }
    const batch = this.#write(command, args, values, time);
    if (formatInto === undefined || !this.#patchable) return; // its text may need escaping
    const start = batch.length - this.#lineLength;
    this.#templates[command.type] = {
      bytes: batch.bytes.slice(start, batch.length),
      slots: this.#slots.map((offset) => offset - start),
    };
  };

  /** Writes text from outside the log's control: quoted for JSON, bare or quoted for text. */
  #text(text: string, out: Uint8Array, at: number): number {
    const written = this.#json ? quoteText(text) : bareOrQuoted(text);
    return at + encoder.encodeInto(written, out.subarray(at)).written;
  }

  /** Writes a command line piece by piece; notes in `#slots` where its value and pieces went. */
  #write(command: Command, args: unknown, values: readonly unknown[], time: string): LineBatch {
    const json = this.#json;
    const slots = this.#slots;
    const head = this.#head(command, time);
    const texts = this.#pieces.map(({ field }, i) =>
      field.textInto ? "" : json ? String(field.json(values[i])) : field.text(values[i])
    );
    const value = command.formatInto === undefined ? command.format(args) : "";
    const room = head.length + ROOM * (1 + this.#pieces.length) + 6 * value.length +
      texts.reduce((sum, text) => sum + 6 * text.length + 2, 0) + 8;
    const batch = this.#log.batch(room);
    const out = batch.bytes;
    const start = batch.length;
    let at = start + head.length;
    out.set(head, start);
    const valueAt = at;
    if (command.formatInto !== undefined) {
      if (json) out[at++] = 0x22; // "
      slots[0] = at;
      at = slots[1] = command.formatInto(args, out, at);
      if (json) out[at++] = 0x22;
    } else if (json || value !== "") {
      at = slots[0] = slots[1] = this.#text(value, out, at);
    }
    // Text leaves out an empty value, and its " value=" with it.
    if (at === valueAt) at = slots[0] = slots[1] = at - " value=".length;
    this.#pieces.forEach(({ field, label, quoted }, i) => {
      const labelAt = at;
      out.set(label, at);
      at += label.length;
      if (field.textInto) {
        if (json && quoted) out[at++] = 0x22;
        slots[2 + 2 * i] = at;
        at = slots[3 + 2 * i] = field.textInto(values[i], out, at);
        if (json && quoted) out[at++] = 0x22;
      } else if (json && !quoted) {
        at += encoder.encodeInto(JSON.stringify(field.json(values[i])), out.subarray(at)).written;
      } else if (json || texts[i] !== "") {
        at = this.#text(texts[i], out, at);
      } else {
        at = labelAt; // text leaves out an empty field
      }
    });
    if (json) out[at++] = 0x7d; // }
    out[at++] = 0x0a; // newline
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
