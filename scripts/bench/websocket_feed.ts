/**
 * The sender's side of a lamp fed over WebSocket (`ws://127.0.0.1:port/lamp`), as a stand's web
 * port would serve it: the `101` answer to the lamp's upgrade request, the same byte stream cut
 * into binary messages of a fixed size (unmasked, as from a server), the close frame that ends it,
 * and the check that the lamp answered that close with 1000 (it reads the close frame only after
 * every message before it, so a clean answer means it took the whole stream).
 *
 * @module
 */
import { websocketAccept } from "../../src/net/websocket_accept.ts";
import {
  encodeClosePayload,
  encodeFrame,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  unmask,
} from "../../src/net/websocket_frame.ts";

/** The close frame (1000) that ends a fed stream. */
export const CLOSE_FRAME: Uint8Array = encodeFrame(Opcode.close, encodeClosePayload(1000, ""));

const HEAD_END = new TextEncoder().encode("\r\n\r\n");

/** Index of the end of the request head (after its blank line) in `bytes`, or -1. */
function headEnd(bytes: Uint8Array): number {
  outer: for (let i = 0; i + HEAD_END.length <= bytes.length; i++) {
    for (let j = 0; j < HEAD_END.length; j++) if (bytes[i + j] !== HEAD_END[j]) continue outer;
    return i + HEAD_END.length;
  }
  return -1;
}

/**
 * Reads a lamp's upgrade request and answers `101` with its accept value.
 *
 * @param conn The lamp's connection, just accepted.
 * @throws {Error} When the lamp closed first, sent more than a head, or sent no key.
 * @example
 * ```ts ignore
 * import { answerUpgrade } from "./websocket_feed.ts";
 * await answerUpgrade(await listener.accept());
 * ```
 */
export async function answerUpgrade(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(4096);
  let length = 0;
  let end = -1;
  while (end < 0) {
    const count = await conn.read(buffer.subarray(length));
    if (count === null) throw new Error("the lamp closed before its upgrade request ended");
    length += count;
    end = headEnd(buffer.subarray(0, length));
    if (end < 0 && length === buffer.length) throw new Error("the upgrade request is too long");
  }
  if (end !== length) throw new Error("the lamp sent bytes after its upgrade request");
  const head = new TextDecoder().decode(buffer.subarray(0, end));
  const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head)?.[1];
  if (key === undefined) throw new Error("the upgrade request has no Sec-WebSocket-Key");
  const answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
    `Connection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n`;
  const bytes = new TextEncoder().encode(answer);
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

const framed = new WeakMap<Uint8Array, Map<number, Uint8Array>>();

/**
 * A byte stream as binary WebSocket messages of `messageBytes` payload each (the last may be
 * shorter; a message may hold any number of whole or cut frames), framed once per stream and size.
 *
 * @param bytes The stream.
 * @param messageBytes Payload bytes per message.
 * @returns The messages, one after another.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { websocketMessages } from "./websocket_feed.ts";
 * const messages = websocketMessages(new Uint8Array([1, 2, 3]), 2);
 * assertEquals([...messages], [0x82, 2, 1, 2, 0x82, 1, 3]);
 * ```
 */
export function websocketMessages(bytes: Uint8Array, messageBytes: number): Uint8Array {
  const bySize = framed.get(bytes) ?? new Map<number, Uint8Array>();
  framed.set(bytes, bySize);
  let messages = bySize.get(messageBytes);
  if (messages) return messages;
  const header = messageBytes < 126 ? 2 : messageBytes < 65536 ? 4 : 10;
  messages = new Uint8Array(bytes.length + Math.ceil(bytes.length / messageBytes) * header);
  let at = 0;
  for (let from = 0; from < bytes.length; from += messageBytes) {
    const frame = encodeFrame(Opcode.binary, bytes.subarray(from, from + messageBytes));
    messages.set(frame, at);
    at += frame.length;
  }
  bySize.set(messageBytes, messages = messages.subarray(0, at));
  return messages;
}

/**
 * Checks what a lamp sent after its upgrade: one close frame, code 1000 (its answer to ours).
 *
 * @param bytes What the lamp sent until it closed the connection.
 * @param lamp The lamp's name, for the error.
 * @throws {Error} When it is anything else (the lamp failed before the end of the stream).
 * @example
 * ```ts
 * import { checkCleanClose } from "./websocket_feed.ts";
 * import { encodeClosePayload, encodeFrame, Opcode } from "../../src/net/websocket_frame.ts";
 * checkCleanClose(encodeFrame(Opcode.close, encodeClosePayload(1000, ""), new Uint8Array(4)), "a lamp");
 * ```
 */
export function checkCleanClose(bytes: Uint8Array, lamp: string): void {
  const header = parseFrameHeader(bytes, "client");
  if (header?.opcode === Opcode.close && bytes.length >= header.headerLength + header.length) {
    const payload = bytes.slice(header.headerLength, header.headerLength + header.length);
    unmask(payload, header.mask, 0);
    const { code, reason } = parseClosePayload(payload);
    if (code === 1000) return;
    throw new Error(`${lamp} closed the WebSocket with ${code} ${JSON.stringify(reason)}`);
  }
  throw new Error(`${lamp} did not answer the close frame (sent ${bytes.length} bytes)`);
}
