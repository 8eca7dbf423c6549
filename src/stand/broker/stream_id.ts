/**
 * Redis stream ids (`<ms>-<seq>`): checked and ordered. Pure.
 *
 * The broker uses them as versions too: each retained state entry carries the id of the command
 * that set it, and the newer id wins when two instances disagree.
 *
 * @module
 */

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

/**
 * Whether a text is a stream id as Redis writes them.
 *
 * @param text Any text.
 * @returns `true` for `<ms>-<seq>` with both parts decimal.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { isStreamId } from "./stream_id.ts";
 * assert(isStreamId("1700000000000-0") && !isStreamId("17"));
 * ```
 */
export function isStreamId(text: string): boolean {
  return STREAM_ID.test(text);
}

/**
 * Orders two stream ids.
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
  return aMs !== bMs ? (aMs < bMs ? -1 : 1) : aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function parts(id: string): [bigint, bigint] {
  const match = STREAM_ID.exec(id);
  if (!match) throw new RangeError(`Not a stream id: ${JSON.stringify(id.slice(0, 40))}`);
  return [BigInt(match[1]), BigInt(match[2])];
}
