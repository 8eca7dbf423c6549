/**
 * ON (`0x12`, empty value) and OFF (`0x13`, empty value): light and darken the lamp. They set one
 * piece of state, `on`, which the lamp's block shows as its light.
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import type { StateField } from "../lamp/lamp_state.ts";

const NOTHING = new Uint8Array(0);
const TRUE = new TextEncoder().encode("true");
const FALSE = new TextEncoder().encode("false");

/** Whether the lamp is lit: `false` for a new lamp; the light of the lamp's block. */
export const POWER: StateField<boolean> = {
  name: "on",
  initial: false,
  shows: "light",
  text: (on) => String(on),
  json: (on) => on,
  textInto(on, out, at) {
    const bytes = on ? TRUE : FALSE;
    out.set(bytes, at);
    return at + bytes.length;
  },
  restore: (on) => ({ type: on ? ON.type : OFF.type, value: NOTHING }),
};

/** A command with an empty value that sets the light one way. */
class PowerCommand implements Command<boolean> {
  readonly valueHint = "";
  readonly state = POWER;
  readonly type: number;
  readonly name: string;
  readonly #lit: boolean;

  constructor(type: number, name: string, lit: boolean) {
    this.type = type;
    this.name = name;
    this.#lit = lit;
  }

  decode(_bytes: Uint8Array, start: number, end: number): boolean | typeof MALFORMED {
    return end === start ? this.#lit : MALFORMED;
  }

  encode(): Uint8Array {
    return NOTHING;
  }

  parse(text: string | undefined): boolean {
    if (text !== undefined && text !== "") {
      throw new RangeError(`${this.name} takes no value, got ${JSON.stringify(text.slice(0, 40))}`);
    }
    return this.#lit;
  }

  format(): string {
    return "";
  }

  formatInto(_lit: boolean, _out: Uint8Array, at: number): number {
    return at;
  }
}

/** ON: type `0x12`, no value; lights the lamp in its stored color. */
export const ON: Command<boolean> = new PowerCommand(0x12, "ON", true);
/** OFF: type `0x13`, no value; darkens the lamp and keeps its color. */
export const OFF: Command<boolean> = new PowerCommand(0x13, "OFF", false);
