/**
 * The retained state as the fleet shares it: per frame type, the latest frame a lamp would apply,
 * with the stream id of the command that set it as its version. Pure.
 *
 * The state is the replay of those frames, oldest first, through the command table the lamps
 * use. Two copies merge entry by entry, the newer version winning ("last writer wins"), so
 * instances that saw different commands (e.g. around a Redis restart) converge on the newest of
 * each, in any order of merging.
 *
 * @module
 */
import type { CommandTable } from "../../commands/command_table.ts";
import { Dispatcher } from "../../commands/dispatcher.ts";
import type { LampState } from "../../lamp/lamp_state.ts";
import { parseHex, toHex } from "../../protocol/hex.ts";
import { compareStreamIds, isStreamId } from "./stream_id.ts";
import { quoteWireText } from "./wire_text.ts";

/** The latest frame of one type and the id of the command that set it. */
export interface RetainedFrame {
  /** The stream id of the command (its version). */
  readonly id: string;
  /** The frame value. */
  readonly value: Uint8Array;
}

/** Retained frames by frame type. */
export type RetainedFrames = ReadonlyMap<number, RetainedFrame>;

/** A stored entry that was left out, and why. */
export interface SkippedEntry {
  /** The hash field, quoted for logs. */
  readonly field: string;
  /** What was wrong. */
  readonly reason: string;
}

const ENTRY = /^(\S{1,40}) ((?:[0-9a-f]{2}){0,1024})$/;

/**
 * Whether a frame changes the retained state: a command that sets a piece of state, with a
 * well-formed value.
 *
 * @param table The command table.
 * @param type The frame type.
 * @param value The frame value.
 * @returns `true` when a lamp would apply it.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createCommandTable } from "../../commands/command_table.ts";
 * import { isRetained } from "./retained_frames.ts";
 * assert(!isRetained(createCommandTable(), 0x20, new Uint8Array([0xff]))); // COLOR needs 3 bytes
 * ```
 */
export function isRetained(table: CommandTable, type: number, value: Uint8Array): boolean {
  return table.byType(type)?.state !== undefined &&
    new Dispatcher(table).frame(type, value, 0, value.length) === "applied";
}

/**
 * Writes one entry as stored in Redis: `<id> <hex value>`.
 *
 * @param frame The frame.
 * @returns The stored text.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeRetainedEntry } from "./retained_frames.ts";
 * assertEquals(encodeRetainedEntry({ id: "5-0", value: new Uint8Array([255, 0, 0]) }), "5-0 ff0000");
 * ```
 */
export function encodeRetainedEntry(frame: RetainedFrame): string {
  return `${frame.id} ${toHex(frame.value).replaceAll(" ", "")}`;
}

/**
 * Reads stored entries (hash field: the frame type in decimal), keeping only frames a lamp
 * would apply; everything else is reported, never thrown.
 *
 * @param entries The hash as field/value pairs.
 * @param table The command table.
 * @returns The frames and the entries left out.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../../commands/command_table.ts";
 * import { parseRetainedEntries } from "./retained_frames.ts";
 * const { frames, skipped } = parseRetainedEntries(
 *   [["32", "7-0 00ff00"], ["18", "garbage"]],
 *   createCommandTable(),
 * );
 * assertEquals([frames.get(32)?.id, skipped.length], ["7-0", 1]);
 * ```
 */
export function parseRetainedEntries(
  entries: readonly (readonly [string, string])[],
  table: CommandTable,
): { frames: RetainedFrames; skipped: SkippedEntry[] } {
  const frames = new Map<number, RetainedFrame>();
  const skipped: SkippedEntry[] = [];
  for (const [field, text] of entries) {
    const skip = (reason: string) => skipped.push({ field: quoteWireText(field, 20), reason });
    const type = /^\d{1,3}$/.test(field) ? Number(field) : NaN;
    const match = ENTRY.exec(text);
    if (!(type <= 255)) skip("the field is not a frame type 0-255");
    else if (!match || !isStreamId(match[1])) {
      skip(`the entry is not "<stream id> <hex value>": ${quoteWireText(text, 40)}`);
    } else {
      const value = parseHex(match[2]);
      if (!isRetained(table, type, value)) skip("not a frame a lamp applies");
      else frames.set(type, { id: match[1], value });
    }
  }
  return { frames, skipped };
}

/**
 * Merges two copies entry by entry; for each type the newer version wins (`a` on a tie).
 *
 * @param a One copy.
 * @param b Another.
 * @returns The merge.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { mergeRetained } from "./retained_frames.ts";
 * const old = { id: "1-0", value: new Uint8Array([1, 1, 1]) };
 * const fresh = { id: "2-0", value: new Uint8Array([2, 2, 2]) };
 * assertEquals(mergeRetained(new Map([[32, fresh]]), new Map([[32, old]])).get(32), fresh);
 * ```
 */
export function mergeRetained(a: RetainedFrames, b: RetainedFrames): Map<number, RetainedFrame> {
  const merged = new Map(a);
  for (const [type, frame] of b) {
    const mine = merged.get(type);
    if (!mine || compareStreamIds(frame.id, mine.id) > 0) merged.set(type, frame);
  }
  return merged;
}

/**
 * The entries of `mine` that `theirs` lacks or has in an older version.
 *
 * @param mine This instance's copy.
 * @param theirs The other copy (e.g. what Redis holds, malformed entries left out).
 * @returns Those entries.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { newerEntries } from "./retained_frames.ts";
 * const on = { id: "3-0", value: new Uint8Array() };
 * assertEquals(newerEntries(new Map([[0x12, on]]), new Map()).get(0x12), on);
 * ```
 */
export function newerEntries(mine: RetainedFrames, theirs: RetainedFrames): RetainedFrames {
  return new Map(
    [...mine].filter(([type, frame]) => {
      const other = theirs.get(type);
      return !other || compareStreamIds(frame.id, other.id) > 0;
    }),
  );
}

/**
 * The lamp state the frames make: replayed oldest first from a new lamp's state.
 *
 * @param table The command table.
 * @param frames The retained frames.
 * @returns The state.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../../commands/command_table.ts";
 * import { replayRetained } from "./retained_frames.ts";
 * const frames = new Map([
 *   [0x12, { id: "9-0", value: new Uint8Array() }], // ON, newer
 *   [0x13, { id: "4-0", value: new Uint8Array() }], // OFF, older
 * ]);
 * assertEquals(replayRetained(createCommandTable(), frames).on, true);
 * ```
 */
export function replayRetained(table: CommandTable, frames: RetainedFrames): LampState {
  const replay = new Dispatcher(table);
  const ordered = [...frames].sort(([, a], [, b]) => compareStreamIds(a.id, b.id));
  for (const [type, frame] of ordered) replay.frame(type, frame.value, 0, frame.value.length);
  return replay.state;
}

/**
 * The newest version among the frames.
 *
 * @param frames The retained frames.
 * @returns Its id, or `0-0` when there are none.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { retainedVersion } from "./retained_frames.ts";
 * assertEquals(retainedVersion(new Map()), "0-0");
 * ```
 */
export function retainedVersion(frames: RetainedFrames): string {
  let newest = "0-0";
  for (const { id } of frames.values()) if (compareStreamIds(id, newest) > 0) newest = id;
  return newest;
}
