/**
 * The value handling shared by commands that carry no value (ON, OFF).
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import type { WorkingLamp } from "../lamp/lamp_state.ts";

/**
 * A command whose value is always empty: `decode` accepts only an empty value, `parse` only no
 * text. A subclass gives the type, the name and `apply`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { MALFORMED } from "./command.ts";
 * import { NoValueCommand } from "./no_value.ts";
 * import type { WorkingLamp } from "../lamp/lamp_state.ts";
 * class DimCommand extends NoValueCommand {
 *   readonly type = 0x30;
 *   readonly name = "DIM";
 *   apply(lamp: WorkingLamp): void {
 *     lamp.on = false;
 *   }
 * }
 * assertEquals(new DimCommand().decode(new Uint8Array(0), 0, 0), null);
 * assertEquals(new DimCommand().decode(new Uint8Array(1), 0, 1), MALFORMED);
 * ```
 */
export abstract class NoValueCommand implements Command<null> {
  /** The frame type byte. */
  abstract readonly type: number;
  /** The command's name, upper case. */
  abstract readonly name: string;
  /** No value, so no hint. */
  readonly valueHint = "";

  /** `null` for an empty value, {@linkcode MALFORMED} for any byte. */
  decode(_bytes: Uint8Array, start: number, end: number): null | typeof MALFORMED {
    return end === start ? null : MALFORMED;
  }

  /** The empty value. */
  encode(): Uint8Array {
    return new Uint8Array(0);
  }

  /** Accepts no text (or empty text); throws `RangeError` otherwise. */
  parse(text: string | undefined): null {
    if (text !== undefined && text !== "") {
      throw new RangeError(`${this.name} takes no value, got ${JSON.stringify(text.slice(0, 40))}`);
    }
    return null;
  }

  /** No value: empty text. */
  format(): string {
    return "";
  }

  /** No value: no bytes. */
  formatInto(_args: null, _out: Uint8Array, at: number): number {
    return at;
  }

  /** Changes the working lamp as the command says. */
  abstract apply(lamp: WorkingLamp): void;
}
