/**
 * An extra command used to prove the table is extensible without touching `src/`:
 * BLINK (`0x21`, one byte: how many times) lights the lamp.
 *
 * @module
 */
import { type Command, MALFORMED } from "../../src/commands/command.ts";
import { turnOn } from "../../src/lamp/lamp_state.ts";

/** BLINK: type `0x21`, value one byte (count); leaves the lamp lit. */
export const BLINK: Command<number> = {
  type: 0x21,
  name: "BLINK",
  valueHint: "count",
  decode: (bytes, start, end) => end - start === 1 ? bytes[start] : MALFORMED,
  encode: (count) => new Uint8Array([count]),
  parse: (text) => {
    const count = Number(text);
    if (!Number.isInteger(count) || count < 0 || count > 255) {
      throw new RangeError(`BLINK needs a count 0-255, got ${JSON.stringify(text)}`);
    }
    return count;
  },
  format: (count) => String(count),
  apply: (state) => turnOn(state),
};
