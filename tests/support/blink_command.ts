/**
 * An extra command used to prove the table is extensible without touching `src/`:
 * BLINK (`0x21`, one byte: how many times) lights the lamp (it sets ON's piece of state).
 *
 * @module
 */
import { type Command, MALFORMED } from "../../src/commands/command.ts";
import { POWER } from "../../src/commands/power.ts";

class BlinkCommand implements Command<number, boolean> {
  readonly type = 0x21;
  readonly name = "BLINK";
  readonly valueHint = "count";
  readonly state = POWER;

  toState(): boolean {
    return true;
  }

  decode(bytes: Uint8Array, start: number, end: number): number | typeof MALFORMED {
    return end - start === 1 ? bytes[start] : MALFORMED;
  }

  encode(count: number): Uint8Array {
    return new Uint8Array([count]);
  }

  parse(text: string | undefined): number {
    const count = Number(text);
    if (!Number.isInteger(count) || count < 0 || count > 255) {
      throw new RangeError(`BLINK needs a count 0-255, got ${JSON.stringify(text)}`);
    }
    return count;
  }

  format(count: number): string {
    return String(count);
  }
}

/** BLINK: type `0x21`, value one byte (count); leaves the lamp lit. */
export const BLINK: Command<number, boolean> = new BlinkCommand();
