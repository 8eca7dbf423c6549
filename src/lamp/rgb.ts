/**
 * Colors as the lamp stores them, and their `#rrggbb` text form.
 *
 * @module
 */

/** A 24-bit color, each channel 0–255. */
export interface Rgb {
  /** Red channel. */
  readonly r: number;
  /** Green channel. */
  readonly g: number;
  /** Blue channel. */
  readonly b: number;
}

/** White: the color a new lamp starts with. */
export const WHITE: Rgb = Object.freeze({ r: 255, g: 255, b: 255 });

/**
 * Formats a color as `#rrggbb`.
 *
 * @param color The color.
 * @returns Lower-case `#rrggbb` text.
 * @example
 * ```ts
 * import { formatColor } from "./rgb.ts";
 * formatColor({ r: 255, g: 0, b: 0 }); // "#ff0000"
 * ```
 */
export function formatColor(color: Rgb): string {
  return "#" + ((color.r << 16) | (color.g << 8) | color.b).toString(16).padStart(6, "0");
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
 * parseColor("#00ff00"); // { r: 0, g: 255, b: 0 }
 * ```
 */
export function parseColor(text: string): Rgb {
  const match = /^#?([0-9a-fA-F]{6})$/.exec(text.trim());
  if (!match) {
    throw new RangeError(
      `Invalid color ${JSON.stringify(text.slice(0, 40))}: expected six hex digits like ff0000`,
    );
  }
  const value = parseInt(match[1], 16);
  return { r: value >> 16, g: (value >> 8) & 0xff, b: value & 0xff };
}
