/**
 * The byte streams the lamp benchmarks feed to every lamp (the same bytes for all), one per frame
 * kind, each ending in one distinctive COLOR ({@linkcode FINAL_COLOR}) so a lamp's final state
 * shows it read the whole stream. Built straight into one buffer: no object per frame.
 *
 * @module
 */

/**
 * The frame kinds by short name (`bench:e2e --only lamp:NAME` and `profile_lamp.ts` take it), in
 * the order the tables show them.
 */
export const STREAM_KINDS = {
  "on-off": "ON/OFF",
  "color": "COLOR",
  "unknown": "unknown type",
  "malformed": "malformed",
  "mixed": "mixed",
  "64k": "64 KiB unknown",
} as const;

/** One of the kinds in {@linkcode STREAM_KINDS}. */
export type StreamKind = typeof STREAM_KINDS[keyof typeof STREAM_KINDS];

/** The last frame of every stream: COLOR #123456. */
export const FINAL_COLOR = 0x123456;

/** What a lamp should count after reading a stream. */
export interface FrameCounts {
  /** Frames applied (ON, OFF, COLOR with the right length). */
  applied: number;
  /** Frames of a type the lamp does not know. */
  unknown: number;
  /** Known types with a wrong length. */
  malformed: number;
}

/** A stream and what it holds. */
export interface FrameStream {
  /** The frame kind. */
  readonly kind: StreamKind;
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** Frames in it, the final COLOR included. */
  readonly frames: number;
  /** What a lamp counts after reading it. */
  readonly counts: FrameCounts;
  /** One line saying what is in it, for the table. */
  readonly description: string;
}

const ON = 0x12;
const OFF = 0x13;
const COLOR = 0x20;
const UNKNOWN_TYPES = [0x00, 0x40, 0x77, 0xff];

/** Appends frames to a preallocated buffer. */
class StreamWriter {
  readonly bytes: Uint8Array;
  readonly counts: FrameCounts = { applied: 0, unknown: 0, malformed: 0 };
  offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** One frame whose value is `length` bytes of `fill` (COLOR: the 3 bytes of `fill`). */
  frame(type: number, length: number, fill: number, outcome: keyof FrameCounts): void {
    const { bytes } = this;
    let at = this.offset;
    bytes[at] = type;
    bytes[at + 1] = length >> 8;
    bytes[at + 2] = length & 0xff;
    at += 3;
    if (length === 3) {
      bytes[at] = fill >> 16;
      bytes[at + 1] = (fill >> 8) & 0xff;
      bytes[at + 2] = fill & 0xff;
    } else if (fill !== 0) {
      bytes.fill(fill & 0xff, at, at + length);
    }
    this.offset = at + length;
    this.counts[outcome]++;
  }
}

/** Frame sizes per kind, in bytes (the largest a kind writes), for preallocation. */
const MAX_FRAME: Record<StreamKind, number> = {
  "ON/OFF": 3,
  "COLOR": 6,
  "unknown type": 6,
  "malformed": 7,
  "mixed": 8,
  "64 KiB unknown": 3 + 0xffff,
};

function writeFrame(out: StreamWriter, kind: StreamKind, i: number): void {
  const color = ((i & 0xff) << 16) | (((i >> 8) & 0xff) << 8) | 7;
  switch (kind) {
    case "ON/OFF":
      return out.frame(i & 1 ? OFF : ON, 0, 0, "applied");
    case "COLOR":
      return out.frame(COLOR, 3, color, "applied");
    case "unknown type":
      return out.frame(UNKNOWN_TYPES[i & 3], 3, color, "unknown");
    case "malformed": // ON/3, OFF/3, COLOR/2, COLOR/4: 6 bytes on average
      return i & 2
        ? out.frame(COLOR, i & 1 ? 4 : 2, 0x55, "malformed")
        : out.frame(i & 1 ? OFF : ON, 3, color, "malformed");
    case "mixed": // COLOR, ON or OFF, unknown with 5 bytes, malformed COLOR/2
      switch (i & 3) {
        case 0:
          return out.frame(COLOR, 3, color, "applied");
        case 1:
          return out.frame(i & 4 ? OFF : ON, 0, 0, "applied");
        case 2:
          return out.frame(UNKNOWN_TYPES[(i >> 2) & 3], 5, 0x33, "unknown");
        default:
          return out.frame(COLOR, 2, 0x44, "malformed");
      }
    case "64 KiB unknown":
      return out.frame(0x40, 0xffff, 0x5a, "unknown");
  }
}

/**
 * Builds the stream of one kind: `frames` frames of that kind, then the final COLOR.
 *
 * @param kind The frame kind.
 * @param frames How many frames of that kind.
 * @returns The stream.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { frameStream } from "./frame_streams.ts";
 * const stream = frameStream("unknown type", 2);
 * assertEquals(stream.counts, { applied: 1, unknown: 2, malformed: 0 });
 * assertEquals(stream.bytes.length, 3 * 6);
 * ```
 */
export function frameStream(kind: StreamKind, frames: number): FrameStream {
  const out = new StreamWriter(frames * MAX_FRAME[kind] + 6);
  for (let i = 0; i < frames; i++) writeFrame(out, kind, i);
  out.frame(COLOR, 3, FINAL_COLOR, "applied");
  const bytes = out.bytes.subarray(0, out.offset);
  const size = (bytes.length - 6) / frames; // the kind's frames, without the final COLOR
  return {
    kind,
    bytes,
    frames: frames + 1,
    counts: out.counts,
    description: `${frames.toLocaleString("en")} frames, ${
      size < 100 ? `${size.toFixed(1)} B` : `${(size / 1024).toFixed(0)} KiB`
    } each, ${(bytes.length / 1e6).toFixed(0)} MB`,
  };
}
