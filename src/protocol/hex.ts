/**
 * Hex text for bytes: how values from the wire are shown (never raw) and how they are typed in.
 *
 * @module
 */

/**
 * Formats bytes as lower-case hex pairs separated by spaces, cut after `limit` bytes.
 *
 * @param bytes The bytes to show.
 * @param limit The most bytes to spell out; the rest is summarised as `… (N bytes)`.
 * @returns Text such as `20 00 03 ff 00 00`.
 * @example
 * ```ts
 * import { toHex } from "./hex.ts";
 * toHex(new Uint8Array([0x20, 0, 3])); // "20 00 03"
 * ```
 */
export function toHex(bytes: Uint8Array, limit = Infinity): string {
  const shown = bytes.length > limit ? bytes.subarray(0, limit) : bytes;
  const text = Array.from(shown, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return shown === bytes ? text : `${text} … (${bytes.length} bytes)`;
}

/**
 * Parses hex text (pairs of digits, any case, spaces allowed) into bytes.
 *
 * @param text Text such as `"0a0b"` or `"0A 0B"`.
 * @returns The bytes.
 * @throws {RangeError} When the text is not whole hex pairs.
 * @example
 * ```ts
 * import { parseHex } from "./hex.ts";
 * parseHex("ff 00"); // Uint8Array [255, 0]
 * ```
 */
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new RangeError(`Not hex bytes: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
