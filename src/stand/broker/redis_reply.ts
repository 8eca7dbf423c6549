/**
 * The shapes of the Redis replies the broker reads, checked. Pure.
 *
 * @module
 */
import { isStreamId } from "./stream_id.ts";

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
