/**
 * OFF (`0x13`, empty value): darken the lamp.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { noValue } from "./no_value.ts";
import { turnOff } from "../lamp/lamp_state.ts";

/** OFF: type `0x13`, no value; darkens the lamp and keeps its color. */
export const OFF: Command<null> = {
  type: 0x13,
  name: "OFF",
  ...noValue("OFF"),
  apply: (state) => turnOff(state),
};
