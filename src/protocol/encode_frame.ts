/**
 * Encodes one frame.
 *
 * @module
 */
import { HEADER_LENGTH, MAX_VALUE_LENGTH } from "./frame.ts";

/**
 * Encodes a frame: type byte, big-endian u16 length, value.
 *
 * @param type The frame type, an integer 0–255.
 * @param value The value bytes, at most 65535.
 * @returns The encoded frame.
 * @throws {RangeError} When the type or the value length is out of range.
 * @example
 * ```ts
 * import { encodeFrame } from "./encode_frame.ts";
 * encodeFrame(0x20, new Uint8Array([0xff, 0, 0])); // 20 00 03 ff 00 00
 * ```
 */
export function encodeFrame(type: number, value: Uint8Array = new Uint8Array()): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new RangeError(`Frame type out of range: ${type} (expected an integer 0-255)`);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throw new RangeError(
      `Frame value too long: ${value.length} bytes (max ${MAX_VALUE_LENGTH})`,
    );
  }
  const frame = new Uint8Array(HEADER_LENGTH + value.length);
  frame[0] = type;
  frame[1] = value.length >> 8;
  frame[2] = value.length & 0xff;
  frame.set(value, HEADER_LENGTH);
  return frame;
}
