/**
 * A raw WebSocket client over a real socket: the handshake, frames built by hand (masked or not,
 * fragmented, oversized, invalid), and the server's frames read back.
 *
 * @module
 */
import { RawClient } from "./raw_http.ts";

/**
 * Opens a WebSocket by hand.
 * @param port The server's port.
 * @param path The path.
 * @returns The client, with the `101` head already read (and removed from `received`).
 */
export async function openRawWebSocket(port: number, path = "/"): Promise<RawClient> {
  const client = await RawClient.connect(port);
  await client.send(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n",
  );
  const received = await client.readUntil((text) => text.includes("\r\n\r\n"));
  if (!received.startsWith("HTTP/1.1 101 ")) {
    client.close();
    throw new Error(`no upgrade: ${JSON.stringify(received.slice(0, 200))}`);
  }
  client.received = received.slice(received.indexOf("\r\n\r\n") + 4);
  return client;
}

/**
 * Builds a client frame.
 * @param opcode The opcode.
 * @param payload The payload.
 * @param options `fin` (default true), `masked` (default true), `rsv` bits, or a `length` to
 *   declare instead of the payload's own (for frames whose payload is sent later or never).
 * @returns The frame bytes.
 */
export function clientFrame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  options: { fin?: boolean; masked?: boolean; rsv?: number; length?: number } = {},
): Uint8Array {
  const data = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const { fin = true, masked = true, rsv = 0, length = data.length } = options;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + extended + (masked ? 4 : 0) + data.length);
  frame[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  frame[1] = (masked ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127);
  const view = new DataView(frame.buffer);
  if (extended === 2) view.setUint16(2, length);
  if (extended === 8) view.setBigUint64(2, BigInt(length));
  let offset = 2 + extended;
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  if (masked) {
    frame.set(mask, offset);
    offset += 4;
  }
  for (let i = 0; i < data.length; i++) {
    frame[offset + i] = masked ? data[i] ^ mask[i & 3] : data[i];
  }
  return frame;
}

/** A frame from the server. */
export interface ServerFrame {
  /** The opcode. */
  readonly opcode: number;
  /** FIN. */
  readonly fin: boolean;
  /** The payload, one char per byte. */
  readonly payload: string;
}

/**
 * Splits what the server sent (one char per byte) into frames; a partial last frame is left out.
 * @param text The received text.
 * @returns The whole frames.
 */
export function serverFrames(text: string): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let i = 0;
  while (i + 2 <= text.length) {
    let length = text.charCodeAt(i + 1) & 0x7f;
    let offset = i + 2;
    if (length === 126) {
      length = (text.charCodeAt(i + 2) << 8) | text.charCodeAt(i + 3);
      offset = i + 4;
    } else if (length === 127) {
      length = 0;
      for (let k = 2; k < 10; k++) length = length * 256 + text.charCodeAt(i + k);
      offset = i + 10;
    }
    if (offset + length > text.length) break;
    frames.push({
      opcode: text.charCodeAt(i) & 0x0f,
      fin: (text.charCodeAt(i) & 0x80) !== 0,
      payload: text.slice(offset, offset + length),
    });
    i = offset + length;
  }
  return frames;
}

/**
 * The close code in a close frame's payload.
 * @param frame The frame.
 * @returns The code, or 1005 when there is none.
 */
export function closeCode(frame: ServerFrame): number {
  return frame.payload.length < 2
    ? 1005
    : (frame.payload.charCodeAt(0) << 8) | frame.payload.charCodeAt(1);
}
