/**
 * OFF (`0x13`, empty value): darken the lamp.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { NoValueCommand } from "./no_value.ts";
import type { WorkingLamp } from "../lamp/lamp_state.ts";

class OffCommand extends NoValueCommand {
  readonly type = 0x13;
  readonly name = "OFF";
  apply(lamp: WorkingLamp): void {
    lamp.on = false;
  }
}

/** OFF: type `0x13`, no value; darkens the lamp and keeps its color. */
export const OFF: Command<null> = new OffCommand();
