/**
 * WebSocket frames (RFC 6455 §5), both ways: a frame header checked as it arrives (a client's
 * frames are masked, a server's never), and frames encoded unmasked (a server's) or masked (a
 * client's). Pure.
 *
 * @module
 */

/** Frame opcodes. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** A violation of the protocol: the connection is failed with `code` (1002, 1007, 1009). */
export class WebSocketProtocolError extends Error {
  /** The close code to send. */
  readonly code: number;

  /**
   * A protocol violation, failing the connection with `code`.
   * @param code The close code.
   * @param message What was wrong.
   * @param options The cause, when another error showed what was wrong.
   */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WebSocketProtocolError";
    this.code = code;
  }
}

/** A frame header. */
export interface FrameHeader {
  /** Last frame of its message. */
  readonly fin: boolean;
  /** The opcode. */
  readonly opcode: number;
  /** Payload length in bytes. */
  readonly length: number;
  /** The 4-byte masking key (empty in a server's frame). */
  readonly mask: Uint8Array;
  /** Bytes taken by the header itself. */
  readonly headerLength: number;
}

const KNOWN = new Set<number>(Object.values(Opcode));

/**
 * Reads a frame header, or returns `null` when it has not fully arrived.
 *
 * @param bytes The received bytes, starting at a frame.
 * @param from Who sent it: a `client` masks every frame, a `server` none.
 * @returns The header, or `null`.
 * @throws {WebSocketProtocolError} 1002 for reserved bits, an unknown opcode, a frame masked
 *   the wrong way for its sender, a fragmented or oversized control frame, or a length with its
 *   top bit set.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseFrameHeader } from "./websocket_frame.ts";
 * const header = parseFrameHeader(new Uint8Array([0x81, 0x82, 1, 2, 3, 4]));
 * assertEquals([header?.fin, header?.opcode, header?.length, header?.headerLength], [true, 1, 2, 6]);
 * ```
 */
export function parseFrameHeader(
  bytes: Uint8Array,
  from: "client" | "server" = "client",
): FrameHeader | null {
  if (bytes.length < 2) return null;
  const fin = (bytes[0] & 0x80) !== 0;
  const opcode = bytes[0] & 0x0f;
  if ((bytes[0] & 0x70) !== 0) throw new WebSocketProtocolError(1002, "reserved bits set");
  if (!KNOWN.has(opcode)) throw new WebSocketProtocolError(1002, `unknown opcode ${opcode}`);
  const masked = (bytes[1] & 0x80) !== 0;
  if (masked !== (from === "client")) {
    throw new WebSocketProtocolError(1002, `${from} frame ${masked ? "masked" : "not masked"}`);
  }
  let length = bytes[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = (bytes[2] << 8) | bytes[3];
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    if (bytes[2] & 0x80) throw new WebSocketProtocolError(1002, "frame length over 2^63");
    length = 0;
    for (let i = 2; i < 10; i++) length = length * 256 + bytes[i];
    offset = 10;
  }
  if (opcode >= 0x8 && (!fin || length > 125)) {
    throw new WebSocketProtocolError(1002, "control frames must be whole and at most 125 bytes");
  }
  const maskLength = masked ? 4 : 0;
  if (bytes.length < offset + maskLength) return null;
  const mask = bytes.slice(offset, offset + maskLength);
  return { fin, opcode, length, mask, headerLength: offset + maskLength };
}

/**
 * Unmasks payload bytes in place.
 *
 * @param payload Bytes of the payload (a part of it).
 * @param mask The frame's masking key.
 * @param offset Where in the payload `payload` starts (for a payload arriving in parts).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { unmask } from "./websocket_frame.ts";
 * const bytes = new Uint8Array([1 ^ 9, 2 ^ 8]);
 * unmask(bytes, new Uint8Array([9, 8, 7, 6]), 0);
 * assertEquals([...bytes], [1, 2]);
 * ```
 */
export function unmask(payload: Uint8Array, mask: Uint8Array, offset: number): void {
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[(offset + i) & 3];
}

/**
 * Encodes a whole frame: unmasked, as a server sends it, or masked with `mask`, as a client must.
 *
 * @param opcode The opcode.
 * @param payload The payload.
 * @param mask A client's 4-byte masking key (fresh and random for each frame).
 * @returns The frame bytes.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeFrame, Opcode } from "./websocket_frame.ts";
 * assertEquals([...encodeFrame(Opcode.text, new Uint8Array([104, 105]))], [0x81, 2, 104, 105]);
 * const masked = encodeFrame(Opcode.binary, new Uint8Array([1, 2]), new Uint8Array([9, 8, 7, 6]));
 * assertEquals([...masked], [0x82, 0x82, 9, 8, 7, 6, 1 ^ 9, 2 ^ 8]);
 * ```
 */
export function encodeFrame(opcode: number, payload: Uint8Array, mask?: Uint8Array): Uint8Array {
  const length = payload.length;
  const lengthBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const headerLength = lengthBytes + (mask ? 4 : 0);
  const frame = new Uint8Array(headerLength + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame[2] = length >> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  frame.set(payload, headerLength);
  if (mask) {
    frame[1] |= 0x80;
    frame.set(mask, lengthBytes);
    unmask(frame.subarray(headerLength), mask, 0); // masking and unmasking are one XOR
  }
  return frame;
}

/**
 * Tells whether a close code may be sent on the wire (RFC 6455 §7.4).
 *
 * @param code The code.
 * @returns `true` for 1000–1003, 1007–1014 and 3000–4999.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isValidCloseCode } from "./websocket_frame.ts";
 * assertEquals([1000, 1005, 4000].map(isValidCloseCode), [true, false, true]);
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/**
 * Reads the code and reason of a close frame's payload.
 *
 * @param payload The unmasked payload.
 * @returns The code (1005 when none was given) and the reason.
 * @throws {WebSocketProtocolError} 1002 for a one-byte payload or a code not allowed on the
 *   wire; 1007 for a reason that is not UTF-8.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseClosePayload } from "./websocket_frame.ts";
 * assertEquals(parseClosePayload(new Uint8Array([0x03, 0xe8, 0x6f, 0x6b])), { code: 1000, reason: "ok" });
 * ```
 */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: 1005, reason: "" };
  if (payload.length === 1) throw new WebSocketProtocolError(1002, "close payload of one byte");
  const code = (payload[0] << 8) | payload[1];
  if (!isValidCloseCode(code)) throw new WebSocketProtocolError(1002, `close code ${code}`);
  try {
    return { code, reason: new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(2)) };
  } catch (error) {
    throw new WebSocketProtocolError(1007, "close reason is not UTF-8", { cause: error });
  }
}

/**
 * Builds a close frame's payload.
 *
 * @param code The code.
 * @param reason The reason (at most 123 bytes of UTF-8).
 * @returns The payload.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeClosePayload } from "./websocket_frame.ts";
 * assertEquals([...encodeClosePayload(1000, "ok")], [0x03, 0xe8, 0x6f, 0x6b]);
 * ```
 */
export function encodeClosePayload(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}
