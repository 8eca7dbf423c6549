/**
 * ON (`0x12`, empty value): light the lamp.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { noValue } from "./no_value.ts";
import { turnOn } from "../lamp/lamp_state.ts";

/** ON: type `0x12`, no value; lights the lamp in its stored color. */
export const ON: Command<null> = {
  type: 0x12,
  name: "ON",
  ...noValue("ON"),
  apply: (state) => turnOn(state),
};
