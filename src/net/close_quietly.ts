/**
 * Closing a connection that may be closed already.
 *
 * @module
 */

/**
 * Closes a connection, ignoring that it may be closed already (closing twice throws
 * `Deno.errors.BadResource`; a caller that only wants it closed has nothing to do about that).
 *
 * @param conn The connection (anything with `close()`).
 * @example
 * ```ts
 * import { closeQuietly } from "./close_quietly.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * listener.close();
 * closeQuietly(listener); // no error the second time
 * ```
 */
export function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
