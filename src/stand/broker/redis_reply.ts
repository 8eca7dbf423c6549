/**
 * The shapes of the Redis replies the broker reads, checked. Pure.
 *
 * @module
 */
import { isStreamId } from "./stream_id.ts";
import type { StreamFacts } from "./stream_place.ts";

/** One raw stream entry: its id and its fields (still unchecked). */
export interface RawStreamEntry {
  /** The entry's id. */
  readonly id: string;
  /** Field names and values, alternating (whatever Redis returned). */
  readonly fields: readonly unknown[];
}

/**
 * Reads an `XREAD … STREAMS key id` reply (RESP2 arrays): the entries of its one stream.
 *
 * @param reply The reply (`null` when `BLOCK` timed out).
 * @returns The entries, in order.
 * @throws {TypeError} When the reply does not have that shape (not something Redis sends).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { xreadEntries } from "./redis_reply.ts";
 * assertEquals(xreadEntries([["s", [["1-0", ["n", "1"]]]]]), [{ id: "1-0", fields: ["n", "1"] }]);
 * assertEquals(xreadEntries(null), []);
 * ```
 */
export function xreadEntries(reply: unknown): RawStreamEntry[] {
  if (reply === null) return [];
  const stream = Array.isArray(reply) && reply.length === 1 ? reply[0] : undefined;
  const entries = Array.isArray(stream) && stream.length === 2 ? stream[1] : undefined;
  if (!Array.isArray(entries)) throw new TypeError("XREAD reply is not [[key, entries]]");
  return entries.map((entry) => {
    const [id, fields] = Array.isArray(entry) ? entry : [];
    if (typeof id !== "string" || !isStreamId(id) || !Array.isArray(fields)) {
      throw new TypeError("XREAD entry is not [id, fields]");
    }
    return { id, fields };
  });
}

/**
 * Reads a hash reply (`HGETALL`): field/value pairs, from a flat array (RESP2) or an object.
 *
 * @param reply The reply.
 * @returns The pairs; non-text fields or values become `""` so the caller reports them.
 * @throws {TypeError} When it is neither.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hashPairs } from "./redis_reply.ts";
 * assertEquals(hashPairs(["32", "1-0 ff0000"]), [["32", "1-0 ff0000"]]);
 * ```
 */
export function hashPairs(reply: unknown): [string, string][] {
  const text = (value: unknown) => typeof value === "string" ? value : "";
  if (Array.isArray(reply)) {
    return Array.from(
      { length: Math.floor(reply.length / 2) },
      (_, i) => [text(reply[2 * i]), text(reply[2 * i + 1])],
    );
  }
  if (typeof reply === "object" && reply !== null) {
    return Object.entries(reply).map(([field, value]) => [field, text(value)]);
  }
  throw new TypeError("hash reply is neither an array nor an object");
}

/**
 * Reads the reply of the facts script (`redis_scripts.ts`): `[now]` when there is no stream, else
 * `[now, first, newest, last, length, added]`.
 *
 * @param reply The reply.
 * @returns The facts (`added` left out when Redis does not count it, before Redis 7).
 * @throws {TypeError} When the reply does not have that shape.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { streamFacts } from "./redis_reply.ts";
 * assertEquals(streamFacts(["1700000000123"]), {
 *   exists: false, first: "", newest: "", last: "0-0", length: 0, now: 1700000000123,
 * });
 * assertEquals(streamFacts(["5", "1-0", "3-0", "3-0", 3, 3]).last, "3-0");
 * ```
 */
export function streamFacts(reply: unknown): StreamFacts {
  const [now, first, newest, last, length, added] = Array.isArray(reply) ? reply : [];
  if (typeof now !== "string" || !/^\d{1,16}$/.test(now)) {
    throw new TypeError("stream facts: Redis's clock is not a number of ms");
  }
  if (Array.isArray(reply) && reply.length === 1) {
    return { exists: false, first: "", newest: "", last: "0-0", length: 0, now: Number(now) };
  }
  const entryId = (id: unknown) => typeof id === "string" && (id === "" || isStreamId(id));
  if (
    !entryId(first) || !entryId(newest) || typeof last !== "string" || !isStreamId(last) ||
    !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(added)
  ) {
    throw new TypeError("stream facts are not [now, first, newest, last, length, added]");
  }
  return {
    exists: true,
    first,
    newest,
    last,
    length,
    ...(added >= 0 ? { added } : {}),
    now: Number(now),
  };
}
