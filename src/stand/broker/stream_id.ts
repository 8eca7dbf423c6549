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
