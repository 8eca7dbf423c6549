/**
 * Paints text on a lamp color at a given color depth (24-bit, 256 or 16 colors).
 *
 * @module
 */
import * as colors from "@std/fmt/colors";
import type { Rgb } from "../lamp/rgb.ts";
import type { ColorDepth } from "./color_depth.ts";

const PALETTE_16: readonly [Rgb, (text: string) => string][] = [
  [{ r: 0, g: 0, b: 0 }, colors.bgBlack],
  [{ r: 170, g: 0, b: 0 }, colors.bgRed],
  [{ r: 0, g: 170, b: 0 }, colors.bgGreen],
  [{ r: 170, g: 85, b: 0 }, colors.bgYellow],
  [{ r: 0, g: 0, b: 170 }, colors.bgBlue],
  [{ r: 170, g: 0, b: 170 }, colors.bgMagenta],
  [{ r: 0, g: 170, b: 170 }, colors.bgCyan],
  [{ r: 170, g: 170, b: 170 }, colors.bgWhite],
  [{ r: 85, g: 85, b: 85 }, colors.bgBrightBlack],
  [{ r: 255, g: 85, b: 85 }, colors.bgBrightRed],
  [{ r: 85, g: 255, b: 85 }, colors.bgBrightGreen],
  [{ r: 255, g: 255, b: 85 }, colors.bgBrightYellow],
  [{ r: 85, g: 85, b: 255 }, colors.bgBrightBlue],
  [{ r: 255, g: 85, b: 255 }, colors.bgBrightMagenta],
  [{ r: 85, g: 255, b: 255 }, colors.bgBrightCyan],
  [{ r: 255, g: 255, b: 255 }, colors.bgBrightWhite],
];

function distance(a: Rgb, b: Rgb): number {
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
 * nearestAnsi256({ r: 255, g: 0, b: 0 }); // 196
 * ```
 */
export function nearestAnsi256(color: Rgb): number {
  const level = (v: number) => v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40);
  const cube = [level(color.r), level(color.g), level(color.b)];
  const step = (i: number) => i === 0 ? 0 : 55 + 40 * i;
  const cubeColor = { r: step(cube[0]), g: step(cube[1]), b: step(cube[2]) };
  const average = (color.r + color.g + color.b) / 3;
  const grayIndex = Math.max(0, Math.min(23, Math.round((average - 8) / 10)));
  const gray = 8 + 10 * grayIndex;
  const grayColor = { r: gray, g: gray, b: gray };
  return distance(color, grayColor) < distance(color, cubeColor)
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
 * paintBackground("  ", { r: 255, g: 0, b: 0 }, "256");
 * ```
 */
export function paintBackground(text: string, color: Rgb, depth: ColorDepth): string {
  switch (depth) {
    case "truecolor":
      return colors.bgRgb24(text, color);
    case "256":
      return colors.bgRgb8(text, nearestAnsi256(color));
    case "16": {
      let best = PALETTE_16[0];
      for (const entry of PALETTE_16) {
        if (distance(color, entry[0]) < distance(color, best[0])) best = entry;
      }
      return best[1](text);
    }
    default:
      return text;
  }
}
