/**
 * COLOR (`0x20`, value R G B): set the lamp's color. It sets one piece of state, `color`, which the
 * lamp's block shows while lit.
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import type { StateField } from "../lamp/lamp_state.ts";
import { formatColor, parseColor, type Rgb, rgb, WHITE } from "../lamp/rgb.ts";

const DIGITS = new TextEncoder().encode("0123456789abcdef");

/**
 * Writes a color as `#rrggbb` (the text of `formatColor`) into `out` at `at`, without a string.
 *
 * @param color The color.
 * @param out Where to write (7 bytes from `at`).
 * @param at The first byte.
 * @returns The offset after the last byte.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatColorInto } from "./color.ts";
 * const out = new Uint8Array(7);
 * assertEquals(formatColorInto(0xff8000, out, 0), 7);
 * assertEquals(new TextDecoder().decode(out), "#ff8000");
 * ```
 */
export function formatColorInto(color: Rgb, out: Uint8Array, at: number): number {
  out[at] = 0x23; // #
  out[at + 1] = DIGITS[(color >> 20) & 0xf];
  out[at + 2] = DIGITS[(color >> 16) & 0xf];
  out[at + 3] = DIGITS[(color >> 12) & 0xf];
  out[at + 4] = DIGITS[(color >> 8) & 0xf];
  out[at + 5] = DIGITS[(color >> 4) & 0xf];
  out[at + 6] = DIGITS[color & 0xf];
  return at + 7;
}

/** The lamp's color, kept while it is dark: white for a new lamp; the color of the lamp's block. */
export const COLOR_STATE: StateField<Rgb> = {
  name: "color",
  initial: WHITE,
  shows: "color",
  text: formatColor,
  json: formatColor,
  textInto: formatColorInto,
};

class ColorCommand implements Command<Rgb> {
  readonly type = 0x20;
  readonly name = "COLOR";
  readonly valueHint = "rrggbb";
  readonly state = COLOR_STATE;

  decode(bytes: Uint8Array, start: number, end: number): Rgb | typeof MALFORMED {
    return end - start === 3 ? rgb(bytes[start], bytes[start + 1], bytes[start + 2]) : MALFORMED;
  }

  encode(color: Rgb): Uint8Array {
    return new Uint8Array([color >> 16, color >> 8, color]);
  }

  parse(text: string | undefined): Rgb {
    if (text === undefined) throw new RangeError("COLOR needs a value like ff0000");
    return parseColor(text);
  }

  format(color: Rgb): string {
    return formatColor(color);
  }

  formatInto(color: Rgb, out: Uint8Array, at: number): number {
    return formatColorInto(color, out, at);
  }
}

/** COLOR: type `0x20`, value three bytes R, G, B; sets the color, lit or not. */
export const COLOR: Command<Rgb> = new ColorCommand();
