/**
 * Hex text for bytes: how values from the wire are shown (never raw) and how they are typed in.
 * The digits come from the runtime's `Uint8Array.prototype.toHex` and `Uint8Array.fromHex`.
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
 * import { assertEquals } from "@std/assert";
 * import { toHex } from "./hex.ts";
 * assertEquals(toHex(new Uint8Array([0x20, 0, 3])), "20 00 03");
 * assertEquals(toHex(new Uint8Array([1, 2, 3]), 2), "01 02 … (3 bytes)");
 * ```
 */
export function toHex(bytes: Uint8Array, limit = Infinity): string {
  const shown = bytes.length > limit ? bytes.subarray(0, limit) : bytes;
  const digits = shown.toHex();
  let text = digits.slice(0, 2);
  for (let at = 2; at < digits.length; at += 2) text += ` ${digits.slice(at, at + 2)}`;
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
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { parseHex } from "./hex.ts";
 * assertEquals(parseHex("ff 0A"), new Uint8Array([255, 10]));
 * assertThrows(() => parseHex("f"), RangeError, "Not hex bytes");
 * ```
 */
export function parseHex(text: string): Uint8Array {
  try {
    return Uint8Array.fromHex(/\s/.test(text) ? text.replace(/\s+/g, "") : text);
  } catch (error) {
    throw new RangeError(`Not hex bytes: ${JSON.stringify(text.slice(0, 80))}`, { cause: error });
  }
}
