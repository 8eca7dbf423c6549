import { assertEquals, assertThrows } from "@std/assert";
import { encodeFrame } from "../src/protocol/encode_frame.ts";
import { FrameDecoder } from "../src/protocol/frame_decoder.ts";
import { parseHex, toHex } from "../src/protocol/hex.ts";

/** A decoded frame as the tests compare it. */
type Frame = { type: number; value: Uint8Array };

function decodeAll(chunks: Uint8Array[]): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    decoder.push(
      chunk,
      (type, bytes, start, end) => frames.push({ type, value: bytes.slice(start, end) }),
    );
  }
  return frames;
}

const frame = (type: number, hex = ""): Frame => ({ type, value: parseHex(hex) });

Deno.test("encodeFrame writes type, big-endian length and value", () => {
  const cases: [number, string, string][] = [
    [0x20, "ff0000", "20 00 03 ff 00 00"],
    [0x12, "", "12 00 00"],
    [0x13, "", "13 00 00"],
    [0xff, "0102", "ff 00 02 01 02"],
  ];
  for (const [type, value, expected] of cases) {
    assertEquals(toHex(encodeFrame(type, parseHex(value))), expected);
  }
  const big = encodeFrame(1, new Uint8Array(0xffff));
  assertEquals([big[1], big[2], big.length], [0xff, 0xff, 0xffff + 3]);
});

Deno.test("encodeFrame rejects out-of-range types and oversized values with the value", () => {
  assertThrows(() => encodeFrame(256), RangeError, "256");
  assertThrows(() => encodeFrame(-1), RangeError, "-1");
  assertThrows(() => encodeFrame(1.5), RangeError, "1.5");
  assertThrows(() => encodeFrame(1, new Uint8Array(70000)), RangeError, "70000 bytes (max 65535)");
});

Deno.test("decoder vectors: whole frames in one chunk", () => {
  const cases: [string, Frame[]][] = [
    ["20 00 03 ff 00 00", [frame(0x20, "ff0000")]],
    ["12 00 00", [frame(0x12)]],
    ["13 00 00", [frame(0x13)]],
    ["12 00 00 99 00 05 01 02 03 04 05 13 00 00", [
      frame(0x12),
      frame(0x99, "0102030405"),
      frame(0x13),
    ]],
    ["", []],
  ];
  for (const [hex, expected] of cases) assertEquals(decodeAll([parseHex(hex)]), expected, hex);
});

Deno.test("decoder yields a frame whose header is split across three chunks", () => {
  const frames = decodeAll([parseHex("20"), parseHex("00"), parseHex("03 ff 00 00")]);
  assertEquals(frames, [frame(0x20, "ff0000")]);
});

Deno.test("decoder yields a frame whose value is split across chunks", () => {
  const frames = decodeAll([parseHex("20 00 03 ff"), parseHex("00"), parseHex("00 12 00")]);
  assertEquals(frames, [frame(0x20, "ff0000")]);
});

Deno.test("decoder handles the 65535-byte maximum in one chunk and byte by byte", () => {
  const value = Uint8Array.from({ length: 0xffff }, (_, i) => i & 0xff);
  const bytes = encodeFrame(7, value);
  assertEquals(decodeAll([bytes]), [{ type: 7, value }]);
  const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
  const decoder = new FrameDecoder();
  let peak = 0;
  const frames: Frame[] = [];
  for (const chunk of single) {
    decoder.push(
      chunk,
      (type, bytes, start, end) => frames.push({ type, value: bytes.slice(start, end) }),
    );
    peak = Math.max(peak, decoder.bufferedBytes);
  }
  assertEquals(frames, [{ type: 7, value }]);
  assertEquals(peak, bytes.length - 1);
});

Deno.test("a cut frame whose value nobody reads is passed over, not copied, and still handed out", () => {
  const skipped: [number, number][] = [];
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({
    skips: (type) => type === 0x40,
    skipped: (type, length) => skipped.push([type, length]),
  });
  const stream = [
    ...encodeFrame(0x40, new Uint8Array(1000)),
    ...encodeFrame(0x41, parseHex("0102")),
    ...encodeFrame(0x40, parseHex("0a0b")),
  ];
  const onFrame = (type: number, bytes: Uint8Array, start: number, end: number) =>
    frames.push({ type, value: bytes.slice(start, end) });
  const buffered: number[] = [];
  for (const cut of [[0, 2], [2, 500], [500, 1003], [1003, 1006], [1006, stream.length]]) {
    decoder.push(Uint8Array.from(stream.slice(...cut)), onFrame);
    buffered.push(decoder.bufferedBytes);
  }
  assertEquals(skipped, [[0x40, 1000]], "the cut 1000-byte value went by uncopied");
  assertEquals(buffered, [2, 500, 0, 3, 0], "its bytes still count as the partial frame's");
  assertEquals(frames, [frame(0x41, "0102"), frame(0x40, "0a0b")], "an uncut one costs no copy");
});

Deno.test("toHex cuts long values and parseHex rejects junk", () => {
  assertEquals(toHex(new Uint8Array([1, 2, 3, 4]), 2), "01 02 … (4 bytes)");
  assertEquals(parseHex("0A 0b"), new Uint8Array([10, 11]));
  assertThrows(() => parseHex("abc"), RangeError, "Not hex");
  assertThrows(() => parseHex("zz"), RangeError, "zz");
});
