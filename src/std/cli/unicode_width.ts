/**
 * Local stand-in for `jsr:@std/cli/unicode-width` (JSR is unreachable here), with the real
 * module's rules: Unicode 15.0 East Asian Width, combining marks and format characters zero.
 *
 * @module
 */
import { WIDE_RANGES } from "./_wide_ranges.ts";

/** Controls, format characters (but the soft hyphen), combining marks: no column. */
const ZERO_WIDTH = /[\p{Cc}\p{Cf}\p{Mn}\p{Me}\u1160-\u11ff]/u;

function isWide(codePoint: number): boolean {
  let low = 0;
  let high = WIDE_RANGES.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last] = WIDE_RANGES[middle];
    if (codePoint < first) high = middle - 1;
    else if (codePoint > last) low = middle + 1;
    else return true;
  }
  return false;
}

function charWidth(char: string): number {
  const codePoint = char.codePointAt(0)!;
  if (codePoint < 0x7f) return codePoint >= 0x20 ? 1 : 0;
  if (codePoint === 0xad) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  return isWide(codePoint) ? 2 : 1;
}

/**
 * The number of terminal columns a string takes, code point by code point: East Asian wide and
 * fullwidth characters (CJK, most emoji) take two, combining marks and zero-width characters
 * none, controls none. Escape sequences are not recognised: strip them first.
 *
 * @param str The text to measure.
 * @returns Its width in columns.
 * @example
 * ```ts
 * import { unicodeWidth } from "@std/cli/unicode-width";
 * import { assertEquals } from "@std/assert";
 * assertEquals(unicodeWidth("hello world"), 11);
 * assertEquals(unicodeWidth("ランプ"), 6);
 * assertEquals(unicodeWidth("🔦"), 2);
 * assertEquals(unicodeWidth("e\u0301"), 1);
 * ```
 */
export function unicodeWidth(str: string): number {
  let width = 0;
  for (const char of str) width += charWidth(char);
  return width;
}
