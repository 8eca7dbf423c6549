/**
 * Local stand-in for `jsr:@std/fmt/colors` (JSR is unreachable here).
 *
 * Same names, escape sequences and enable switch as the real module, for the subset flashlight
 * uses. Colors start enabled unless `NO_COLOR` is set (read through `Deno.noColor`), and then
 * stay off.
 *
 * @module
 */

/** A 24-bit color as separate channels, each 0–255. */
export interface Rgb {
  /** Red channel. */
  r: number;
  /** Green channel. */
  g: number;
  /** Blue channel. */
  b: number;
}

let enabled = !Deno.noColor;

/**
 * Turns coloring on or off for every function in this module; with `NO_COLOR` set it stays off.
 *
 * @param value Whether to emit escape sequences.
 * @example
 * ```ts
 * import { red, setColorEnabled } from "@std/fmt/colors";
 * setColorEnabled(false);
 * red("plain"); // "plain"
 * setColorEnabled(true);
 * ```
 */
export function setColorEnabled(value: boolean): void {
  if (Deno.noColor) return;
  enabled = value;
}

/**
 * Reports whether coloring is on.
 *
 * @returns `true` when the functions emit escape sequences.
 * @example
 * ```ts
 * import { getColorEnabled } from "@std/fmt/colors";
 * typeof getColorEnabled(); // "boolean"
 * ```
 */
export function getColorEnabled(): boolean {
  return enabled;
}

function run(text: string, open: number[], close: number): string {
  if (!enabled) return text;
  const opening = `\x1b[${open.join(";")}m`;
  const closing = `\x1b[${close}m`;
  return `${opening}${text.replaceAll(closing, opening)}${closing}`;
}

function clamp(value: number): number {
  return Math.trunc(Math.max(Math.min(value, 255), 0));
}

function channels(color: number | Rgb): [number, number, number] {
  return typeof color === "number"
    ? [(color >> 16) & 0xff, (color >> 8) & 0xff, color & 0xff]
    : [clamp(color.r), clamp(color.g), clamp(color.b)];
}

/**
 * Sets bold text.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { bold } from "@std/fmt/colors";
 * bold("x");
 * ```
 */
export const bold = (str: string): string => run(str, [1], 22);
/**
 * Sets dim text.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { dim } from "@std/fmt/colors";
 * dim("x");
 * ```
 */
export const dim = (str: string): string => run(str, [2], 22);
/**
 * Sets red foreground.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { red } from "@std/fmt/colors";
 * red("x");
 * ```
 */
export const red = (str: string): string => run(str, [31], 39);
/**
 * Sets green foreground.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { green } from "@std/fmt/colors";
 * green("x");
 * ```
 */
export const green = (str: string): string => run(str, [32], 39);
/**
 * Sets yellow foreground.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { yellow } from "@std/fmt/colors";
 * yellow("x");
 * ```
 */
export const yellow = (str: string): string => run(str, [33], 39);
/**
 * Sets gray (bright black) foreground.
 * @param str Text to style.
 * @returns The styled text.
 * @example
 * ```ts
 * import { gray } from "@std/fmt/colors";
 * gray("x");
 * ```
 */
export const gray = (str: string): string => run(str, [90], 39);

/**
 * Sets a foreground from the 256-color palette.
 * @param str Text to style.
 * @param color Palette index 0–255.
 * @returns The styled text.
 * @example
 * ```ts
 * import { rgb8 } from "@std/fmt/colors";
 * rgb8("x", 196);
 * ```
 */
export function rgb8(str: string, color: number): string {
  return run(str, [38, 5, clamp(color)], 39);
}

/**
 * Sets a background from the 256-color palette.
 * @param str Text to style.
 * @param color Palette index 0–255.
 * @returns The styled text.
 * @example
 * ```ts
 * import { bgRgb8 } from "@std/fmt/colors";
 * bgRgb8("x", 196);
 * ```
 */
export function bgRgb8(str: string, color: number): string {
  return run(str, [48, 5, clamp(color)], 49);
}

/**
 * Sets a 24-bit foreground.
 * @param str Text to style.
 * @param color `0xrrggbb` or `{ r, g, b }`.
 * @returns The styled text.
 * @example
 * ```ts
 * import { rgb24 } from "@std/fmt/colors";
 * rgb24("x", 0xff0000);
 * ```
 */
export function rgb24(str: string, color: number | Rgb): string {
  return run(str, [38, 2, ...channels(color)], 39);
}

/**
 * Sets a 24-bit background.
 * @param str Text to style.
 * @param color `0xrrggbb` or `{ r, g, b }`.
 * @returns The styled text.
 * @example
 * ```ts
 * import { bgRgb24 } from "@std/fmt/colors";
 * bgRgb24("x", { r: 255, g: 0, b: 0 });
 * ```
 */
export function bgRgb24(str: string, color: number | Rgb): string {
  return run(str, [48, 2, ...channels(color)], 49);
}

const ANSI_PATTERN = new RegExp(
  [
    "[\\u001B\\u009B][[\\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]+)*|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]*)*)?\\u0007)",
    "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TXZcf-nq-uy=><~]))",
  ].join("|"),
  "g",
);

/**
 * Removes ANSI escape codes from a string.
 * @param string Text that may contain escape codes.
 * @returns The text without them.
 * @example
 * ```ts
 * import { red, stripAnsiCode } from "@std/fmt/colors";
 * stripAnsiCode(red("x")); // "x"
 * ```
 */
export function stripAnsiCode(string: string): string {
  return string.replace(ANSI_PATTERN, "");
}

/** Background color functions of the 16-color palette, as in `@std/fmt/colors`. */
const bg = (code: number) => (str: string): string => run(str, [code], 49);
/** Black background. @param str Text. @returns Styled text. */
export const bgBlack: (str: string) => string = bg(40);
/** Red background. @param str Text. @returns Styled text. */
export const bgRed: (str: string) => string = bg(41);
/** Green background. @param str Text. @returns Styled text. */
export const bgGreen: (str: string) => string = bg(42);
/** Yellow background. @param str Text. @returns Styled text. */
export const bgYellow: (str: string) => string = bg(43);
/** Blue background. @param str Text. @returns Styled text. */
export const bgBlue: (str: string) => string = bg(44);
/** Magenta background. @param str Text. @returns Styled text. */
export const bgMagenta: (str: string) => string = bg(45);
/** Cyan background. @param str Text. @returns Styled text. */
export const bgCyan: (str: string) => string = bg(46);
/** White background. @param str Text. @returns Styled text. */
export const bgWhite: (str: string) => string = bg(47);
/** Bright black (gray) background. @param str Text. @returns Styled text. */
export const bgBrightBlack: (str: string) => string = bg(100);
/** Bright red background. @param str Text. @returns Styled text. */
export const bgBrightRed: (str: string) => string = bg(101);
/** Bright green background. @param str Text. @returns Styled text. */
export const bgBrightGreen: (str: string) => string = bg(102);
/** Bright yellow background. @param str Text. @returns Styled text. */
export const bgBrightYellow: (str: string) => string = bg(103);
/** Bright blue background. @param str Text. @returns Styled text. */
export const bgBrightBlue: (str: string) => string = bg(104);
/** Bright magenta background. @param str Text. @returns Styled text. */
export const bgBrightMagenta: (str: string) => string = bg(105);
/** Bright cyan background. @param str Text. @returns Styled text. */
export const bgBrightCyan: (str: string) => string = bg(106);
/** Bright white background. @param str Text. @returns Styled text. */
export const bgBrightWhite: (str: string) => string = bg(107);
