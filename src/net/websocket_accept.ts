/**
 * The `Sec-WebSocket-Accept` value for a handshake key (RFC 6455 §4.2.2): base64 of the SHA-1
 * of the key and a fixed GUID. Synchronous (the upgrade answers at once), so SHA-1 comes from
 * `node:crypto` rather than the asynchronous `crypto.subtle`.
 *
 * @module
 */
import { createHash } from "node:crypto";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Computes the accept value.
 *
 * @param key The client's `Sec-WebSocket-Key`.
 * @returns The value for `Sec-WebSocket-Accept`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { websocketAccept } from "./websocket_accept.ts";
 * assertEquals(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export function websocketAccept(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}
