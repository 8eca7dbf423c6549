/**
 * One entry of the command stream, as written by the publish and restore scripts and read back.
 * Pure. Everything read is checked: a malformed entry is reported, never thrown.
 *
 * Fields: `origin` (the publishing instance), `kind`, then for `command`: `frame`, which is
 * `<type in decimal> <value in hex> <command name> <value as text>` (one field, so an entry is
 * cheap to write and read); for `state` (written when an instance re-established retained
 * entries): one `frame.<type>` field per stored entry. Other fields are ignored (an `n` that
 * entries once carried included): the entry's stream id alone places and versions it.
 *
 * @module
 */
import type { CommandTable } from "../../commands/command_table.ts";
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import { parseHex, toHex } from "../../protocol/hex.ts";
import { isRetained, parseRetainedEntries, type RetainedFrames } from "./retained_frames.ts";
import type { SkippedEntry } from "./retained_frames.ts";
import { quoteWireText } from "./wire_text.ts";

/** A stream entry, read and checked. */
export type StreamEntry =
  | {
    /** A command to deliver. */
    readonly kind: "command";
    /** Its stream id. */
    readonly id: string;
    /** The instance that published it. */
    readonly origin: string;
    /** The command. */
    readonly command: OutgoingCommand;
    /** Whether it changes the retained state (a frame a lamp applies). */
    readonly retained: boolean;
  }
  | {
    /** The retained state after an instance re-established entries. */
    readonly kind: "state";
    /** Its stream id. */
    readonly id: string;
    /** The instance that wrote it. */
    readonly origin: string;
    /** The stored entries it carries. */
    readonly frames: RetainedFrames;
    /** Entries in it that were malformed. */
    readonly skipped: readonly SkippedEntry[];
  }
  | {
    /** Not a valid entry: logged and skipped. */
    readonly kind: "malformed";
    /** Its stream id. */
    readonly id: string;
    /** What was wrong. */
    readonly reason: string;
  };

/**
 * The fields of a command entry.
 *
 * @param command The command.
 * @param origin This instance's id.
 * @returns The fields (names and values, alternating) and the value in hex.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { commandFields } from "./stream_entry.ts";
 * const color = { type: 0x20, value: new Uint8Array([255, 0, 0]), command: "COLOR", text: "#ff0000" };
 * assertEquals(commandFields(color, "a").fields, [
 *   "origin", "a", "kind", "command", "frame", "32 ff0000 COLOR #ff0000",
 * ]);
 * ```
 */
export function commandFields(
  command: OutgoingCommand,
  origin: string,
): { fields: string[]; hex: string } {
  let hex = "";
  for (const byte of command.value) hex += HEX[byte];
  const frame = `${command.type} ${hex} ${command.command} ${command.text}`;
  return { fields: ["origin", origin, "kind", "command", "frame", frame], hex };
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const ORIGIN = /^[\x21-\x7e]{1,64}$/;
const FRAME = /^(\d{1,3}) ((?:[0-9a-f]{2}){0,65535}) (\S{1,40}) ([\x20-\x7e…]{0,200})$/;

/**
 * Reads one entry's fields.
 *
 * @param id The entry's stream id.
 * @param fields Its field names and values, alternating.
 * @param table The command table (names and what is retained).
 * @returns The entry, or why it is malformed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../../commands/command_table.ts";
 * import { parseStreamEntry } from "./stream_entry.ts";
 * assertEquals(parseStreamEntry("1-0", ["hello", "world"], createCommandTable()).kind, "malformed");
 * ```
 */
export function parseStreamEntry(
  id: string,
  fields: readonly unknown[],
  table: CommandTable,
): StreamEntry {
  const malformed = (reason: string): StreamEntry => ({ kind: "malformed", id, reason });
  if (fields.length % 2 !== 0 || fields.some((field) => typeof field !== "string")) {
    return malformed("fields are not name/value text pairs");
  }
  const byName = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string;
    if (byName.has(name)) return malformed(`field ${quoteWireText(name, 20)} appears twice`);
    byName.set(name, fields[i + 1] as string);
  }
  const field = (name: string) => byName.get(name) ?? "";
  if (!ORIGIN.test(field("origin"))) return malformed("bad origin");
  const origin = field("origin");
  if (field("kind") === "state") {
    const stored = [...byName].flatMap(([name, text]) =>
      name.startsWith("frame.") ? [[name.slice(6), text] as const] : []
    );
    const { frames, skipped } = parseRetainedEntries(stored, table);
    return { kind: "state", id, origin, frames, skipped };
  }
  if (field("kind") !== "command") return malformed(`bad kind ${quoteWireText(field("kind"), 20)}`);
  const match = FRAME.exec(field("frame"));
  if (!match) return malformed(`bad frame ${quoteWireText(field("frame"), 40)}`);
  const type = Number(match[1]);
  if (type > 255) return malformed(`bad type ${match[1]}`);
  const value = parseHex(match[2]);
  // Named after its command only when a lamp applies it (as the API names it); FRAME otherwise.
  const retained = isRetained(table, type, value);
  const name = retained ? table.byType(type)!.name : "FRAME";
  if (match[3] !== name) return malformed(`command ${quoteWireText(match[3], 20)} is not ${name}`);
  // The text is what the log, /status and the page show: it must say what the lamps will do.
  const known = table.byType(type);
  const text = retained && known
    ? known.format(known.decode(value, 0, value.length))
    : toHex(value, 32);
  if (match[4] !== text) {
    return malformed(`text ${quoteWireText(match[4], 40)} is not what the frame does (${text})`);
  }
  const command = { type, value, command: name, text };
  return { kind: "command", id, origin, command, retained };
}
