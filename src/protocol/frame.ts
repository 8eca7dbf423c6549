/**
 * The TLV frame: `type` (u8), `length` (u16 big-endian), then `length` bytes of value.
 *
 * @module
 */

/** Bytes before the value: one for the type, two for the big-endian length. */
export const HEADER_LENGTH = 3;

/** The largest value a frame can carry (the u16 length field). */
export const MAX_VALUE_LENGTH = 0xffff;

/**
 * Receives each whole frame as the decoder finds it: its value is `bytes[start, end)`. Passing
 * offsets instead of a `subarray` view keeps the hot path free of per-frame allocation; read
 * the value before returning (the bytes belong to the caller's read buffer).
 */
export type FrameHandler = (type: number, bytes: Uint8Array, start: number, end: number) => void;

/**
 * The keep-alive frame's type: an empty frame the flashlight stand sends to idle lamps so they can
 * tell a quiet stand from a dead one. No command uses it, so any lamp skips it as unknown.
 */
export const KEEPALIVE_TYPE = 0x00;
