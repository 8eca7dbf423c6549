/**
 * Paints text on a lamp color at a given color depth (24-bit, 256 or 16 colors).
 *
 * @module
 */
import * as colors from "@std/fmt/colors";
import { type Channels, channels, type Rgb } from "../lamp/rgb.ts";
import type { ColorDepth } from "./color_depth.ts";

const PALETTE_16: readonly [Channels, (text: string) => string][] = ([
  [0x000000, colors.bgBlack],
  [0xaa0000, colors.bgRed],
  [0x00aa00, colors.bgGreen],
  [0xaa5500, colors.bgYellow],
  [0x0000aa, colors.bgBlue],
  [0xaa00aa, colors.bgMagenta],
  [0x00aaaa, colors.bgCyan],
  [0xaaaaaa, colors.bgWhite],
  [0x555555, colors.bgBrightBlack],
  [0xff5555, colors.bgBrightRed],
  [0x55ff55, colors.bgBrightGreen],
  [0xffff55, colors.bgBrightYellow],
  [0x5555ff, colors.bgBrightBlue],
  [0xff55ff, colors.bgBrightMagenta],
  [0x55ffff, colors.bgBrightCyan],
  [0xffffff, colors.bgBrightWhite],
] as const).map(([color, paint]) => [channels(color), paint]);

function distance(a: Channels, b: Channels): number {
  return (a.r - b.r) ** 2 + (a.g - b.g) ** 2 + (a.b - b.b) ** 2;
}

/**
 * The nearest entry of the xterm 256-color palette (6×6×6 cube or gray ramp).
 *
 * @param color The color.
 * @returns A palette index 16–255.
 * @example
 * ```ts
 * import { nearestAnsi256 } from "./paint_color.ts";
 * nearestAnsi256(0xff0000); // 196
 * ```
 */
export function nearestAnsi256(color: Rgb): number {
  const target = channels(color);
  const level = (v: number) => v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40);
  const cube = [level(target.r), level(target.g), level(target.b)];
  const step = (i: number) => i === 0 ? 0 : 55 + 40 * i;
  const cubeColor = { r: step(cube[0]), g: step(cube[1]), b: step(cube[2]) };
  const average = (target.r + target.g + target.b) / 3;
  const grayIndex = Math.max(0, Math.min(23, Math.round((average - 8) / 10)));
  const gray = 8 + 10 * grayIndex;
  const grayColor = { r: gray, g: gray, b: gray };
  return distance(target, grayColor) < distance(target, cubeColor)
    ? 232 + grayIndex
    : 16 + 36 * cube[0] + 6 * cube[1] + cube[2];
}

/**
 * Paints `text` with `color` as background, as well as the depth allows (`none` leaves it plain).
 *
 * @param text The text (usually spaces).
 * @param color The background color.
 * @param depth The terminal's color depth.
 * @returns The painted text.
 * @example
 * ```ts
 * import { paintBackground } from "./paint_color.ts";
 * paintBackground("  ", 0xff0000, "256");
 * ```
 */
export function paintBackground(text: string, color: Rgb, depth: ColorDepth): string {
  switch (depth) {
    case "truecolor":
      return colors.bgRgb24(text, color);
    case "256":
      return colors.bgRgb8(text, nearestAnsi256(color));
    case "16": {
      const target = channels(color);
      let best = PALETTE_16[0];
      for (const entry of PALETTE_16) {
        if (distance(target, entry[0]) < distance(target, best[0])) best = entry;
      }
      return best[1](text);
    }
    default:
      return text;
  }
}

/** A channel's share of light (sRGB to linear, as WCAG computes relative luminance). */
function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/**
 * Whether a color is too dark to see as a block on a dark terminal: less than 3:1 contrast with
 * black, the least WCAG asks of a graphical object (relative luminance under 0.1).
 *
 * @param color The color.
 * @returns `true` for black, navy, a dark red; `false` for red, gray, white.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { tooDarkToSee } from "./paint_color.ts";
 * assertEquals([0x000000, 0x000080, 0xff0000, 0x808080].map(tooDarkToSee), [true, true, false, false]);
 * ```
 */
export function tooDarkToSee(color: Rgb): boolean {
  const { r, g, b } = channels(color);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) < 0.1;
}
