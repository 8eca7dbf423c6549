/**
 * Redis stream ids (`<ms>-<seq>`): checked and ordered. Pure.
 *
 * The broker uses them as versions too: each retained state entry carries the id of the command
 * that set it, and the newer id wins when two instances disagree.
 *
 * @module
 */

const STREAM_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/;

/**
 * Whether a text is a stream id as Redis writes them (decimal parts, no leading zeros).
 *
 * @param text Any text.
 * @returns `true` for `<ms>-<seq>`.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { isStreamId } from "./stream_id.ts";
 * assert(isStreamId("1700000000000-0") && !isStreamId("17") && !isStreamId("01-0"));
 * ```
 */
export function isStreamId(text: string): boolean {
  return STREAM_ID.test(text);
}

/**
 * Orders two stream ids, as numbers (time, then sequence).
 *
 * @param a A stream id.
 * @param b Another.
 * @returns Negative when `a` is older, 0 when equal, positive when `a` is newer.
 * @throws {RangeError} When either is not a stream id.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { compareStreamIds } from "./stream_id.ts";
 * assert(compareStreamIds("1700000000000-10", "1700000000000-9") > 0);
 * ```
 */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  return compareDecimal(aMs, bMs) || compareDecimal(aSeq, bSeq);
}

function parts(id: string): [string, string] {
  const match = STREAM_ID.exec(id);
  if (!match) throw new RangeError(`Not a stream id: ${JSON.stringify(id.slice(0, 40))}`);
  return [match[1], match[2]];
}

/** Orders decimal numbers without leading zeros: the longer is larger, else the text decides. */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The largest sequence part Redis allows (2^64 − 1). */
const MAX_SEQ = 18446744073709551615n;

/**
 * The smallest id after `id`: no stream can hold an entry between the two.
 *
 * @param id A stream id.
 * @returns The next id (`<ms>-<seq + 1>`, or `<ms + 1>-0` after the largest sequence).
 * @throws {RangeError} When it is not a stream id.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { nextStreamId } from "./stream_id.ts";
 * assertEquals(nextStreamId("5-1"), "5-2");
 * assertEquals(nextStreamId("5-18446744073709551615"), "6-0");
 * ```
 */
export function nextStreamId(id: string): string {
  const [ms, seq] = parts(id).map(BigInt);
  return seq < MAX_SEQ ? `${ms}-${seq + 1n}` : `${ms + 1n}-0`;
}

/**
 * The largest id Redis can generate in a millisecond: any id from a clock at or before `ms` is
 * at most this.
 *
 * @param ms A time, in milliseconds since the epoch.
 * @returns `<ms>-18446744073709551615`.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { compareStreamIds, lastStreamIdAt } from "./stream_id.ts";
 * assert(compareStreamIds("9999999999999-0", lastStreamIdAt(1_800_000_000_000)) > 0);
 * ```
 */
export function lastStreamIdAt(ms: number): string {
  return `${Math.max(0, Math.floor(ms))}-${MAX_SEQ}`;
}
