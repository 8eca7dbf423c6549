/**
 * COLOR (`0x20`, value R G B): set the lamp's color.
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import { setColor } from "../lamp/lamp_state.ts";
import { formatColor, parseColor, type Rgb } from "../lamp/rgb.ts";

/** COLOR: type `0x20`, value three bytes R, G, B; sets the color, lit or not. */
export const COLOR: Command<Rgb> = {
  type: 0x20,
  name: "COLOR",
  valueHint: "rrggbb",
  decode: (bytes, start, end) =>
    end - start === 3 ? { r: bytes[start], g: bytes[start + 1], b: bytes[start + 2] } : MALFORMED,
  encode: (color) => new Uint8Array([color.r, color.g, color.b]),
  parse: (text) => {
    if (text === undefined) throw new RangeError("COLOR needs a value like ff0000");
    return parseColor(text);
  },
  format: formatColor,
  apply: setColor,
};
