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
 * Which frame values nobody reads, for a decoder that should not copy them: a frame that
 * {@linkcode ValueSkipper.skips} and that a chunk boundary cuts is not gathered into a buffer; its
 * value bytes are passed over as they arrive and the frame goes to
 * {@linkcode ValueSkipper.skipped} instead of the frame handler. (A frame wholly inside one chunk
 * costs no copy, so it still goes to the frame handler.)
 */
export interface ValueSkipper {
  /** Whether the value of a frame of `type` with `length` bytes of value is never read. */
  skips(type: number, length: number): boolean;
  /** Receives a frame whose value was skipped, once all of it has gone by. */
  skipped(type: number, length: number): void;
}

/**
 * The keep-alive frame's type: an empty frame the flashlight stand sends to idle lamps so they can
 * tell a quiet stand from a dead one. No command uses it, so any lamp skips it as unknown.
 */
export const KEEPALIVE_TYPE = 0x00;
