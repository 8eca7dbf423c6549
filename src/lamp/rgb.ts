/**
 * Colors as the lamp stores them, and their `#rrggbb` text form.
 *
 * A color is one integer `0xRRGGBB`: a plain value, immutable by nature, compared with `===`,
 * and decoding it from a frame allocates nothing.
 *
 * @module
 */

/** A 24-bit color packed as `0xRRGGBB` (an integer 0 to 0xffffff). */
export type Rgb = number;

/** A color's three channels, each 0–255 (for palette math). */
export interface Channels {
  /** Red channel. */
  readonly r: number;
  /** Green channel. */
  readonly g: number;
  /** Blue channel. */
  readonly b: number;
}

/** White: the color a new lamp starts with. */
export const WHITE: Rgb = 0xffffff;

/**
 * Packs three channels into a color.
 *
 * @param r Red, 0–255.
 * @param g Green, 0–255.
 * @param b Blue, 0–255.
 * @returns The color.
 * @example
 * ```ts
 * import { rgb } from "./rgb.ts";
 * rgb(255, 128, 0); // 0xff8000
 * ```
 */
export function rgb(r: number, g: number, b: number): Rgb {
  return ((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff);
}

/**
 * Splits a color into its channels.
 *
 * @param color The color.
 * @returns Red, green and blue.
 * @example
 * ```ts
 * import { channels } from "./rgb.ts";
 * channels(0xff8000); // { r: 255, g: 128, b: 0 }
 * ```
 */
export function channels(color: Rgb): Channels {
  return { r: (color >> 16) & 0xff, g: (color >> 8) & 0xff, b: color & 0xff };
}

/**
 * Formats a color as `#rrggbb`.
 *
 * @param color The color.
 * @returns Lower-case `#rrggbb` text.
 * @example
 * ```ts
 * import { formatColor } from "./rgb.ts";
 * formatColor(0xff0000); // "#ff0000"
 * ```
 */
export function formatColor(color: Rgb): string {
  return "#" + color.toString(16).padStart(6, "0");
}

/**
 * Parses six hex digits, `#` optional, any case.
 *
 * @param text Text such as `"ff0000"` or `"#FF0000"`.
 * @returns The color.
 * @throws {RangeError} When the text is not six hex digits.
 * @example
 * ```ts
 * import { parseColor } from "./rgb.ts";
 * parseColor("#00ff00"); // 0x00ff00
 * ```
 */
export function parseColor(text: string): Rgb {
  const match = /^#?([0-9a-fA-F]{6})$/.exec(text.trim());
  if (!match) {
    throw new RangeError(
      `Invalid color ${JSON.stringify(text.slice(0, 40))}: expected six hex digits like ff0000`,
    );
  }
  return parseInt(match[1], 16);
}
