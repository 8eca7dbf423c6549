/**
 * COLOR (`0x20`, value R G B): set the lamp's color.
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import type { WorkingLamp } from "../lamp/lamp_state.ts";
import { formatColor, parseColor, type Rgb, rgb } from "../lamp/rgb.ts";

class ColorCommand implements Command<Rgb> {
  readonly type = 0x20;
  readonly name = "COLOR";
  readonly valueHint = "rrggbb";

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

  apply(lamp: WorkingLamp, color: Rgb): void {
    lamp.color = color;
  }
}

/** COLOR: type `0x20`, value three bytes R, G, B; sets the color, lit or not. */
export const COLOR: Command<Rgb> = new ColorCommand();
