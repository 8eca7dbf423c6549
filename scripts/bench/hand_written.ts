/**
 * The hand-written code that the runtime's built-ins replaced, kept as the benchmarks' baselines
 * (`scripts/bench/platform_builtins_bench.ts`) and as the reference the built-ins are tested
 * against (`tests/platform_builtins_test.ts`). Never shipped.
 *
 * @module
 */

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The `Sec-WebSocket-Accept` value with SHA-1 computed in TypeScript.
 *
 * @param key The client's `Sec-WebSocket-Key`.
 * @returns Base64 of the SHA-1 of the key and the GUID.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { handWrittenAccept } from "./hand_written.ts";
 * assertEquals(handWrittenAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export function handWrittenAccept(key: string): string {
  const digest = sha1(new TextEncoder().encode(key + GUID));
  return btoa(String.fromCharCode(...digest));
}

/**
 * SHA-1 (FIPS 180-4).
 *
 * @param message The bytes to hash.
 * @returns The 20-byte digest.
 */
export function sha1(message: Uint8Array): Uint8Array {
  const length = Math.ceil((message.length + 9) / 64) * 64;
  const padded = new Uint8Array(length);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(length - 4, message.length * 8);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let block = 0; block < length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    let [a, b, c, d, e] = h;
    for (let i = 0; i < 80; i++) {
      const [f, k] = i < 20
        ? [(b & c) | (~b & d), 0x5a827999]
        : i < 40
        ? [b ^ c ^ d, 0x6ed9eba1]
        : i < 60
        ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
        : [b ^ c ^ d, 0xca62c1d6];
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(i * 4, word));
  return out;
}

/**
 * Bytes as spaced hex pairs, cut after `limit` bytes, one `toString(16)` per byte.
 *
 * @param bytes The bytes to show.
 * @param limit The most bytes to spell out.
 * @returns Text such as `20 00 03`.
 */
export function handWrittenToHex(bytes: Uint8Array, limit = Infinity): string {
  const shown = bytes.length > limit ? bytes.subarray(0, limit) : bytes;
  const text = Array.from(shown, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return shown === bytes ? text : `${text} … (${bytes.length} bytes)`;
}

/**
 * Hex text (pairs, any case, spaces allowed) to bytes, checked by a regular expression and read
 * with one `parseInt` per byte.
 *
 * @param text The hex text.
 * @returns The bytes.
 * @throws {RangeError} When the text is not whole hex pairs.
 */
export function handWrittenParseHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new RangeError(`Not hex bytes: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
