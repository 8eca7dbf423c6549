/**
 * ON (`0x12`, empty value): light the lamp.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { NoValueCommand } from "./no_value.ts";
import type { WorkingLamp } from "../lamp/lamp_state.ts";

class OnCommand extends NoValueCommand {
  readonly type = 0x12;
  readonly name = "ON";
  apply(lamp: WorkingLamp): void {
    lamp.on = true;
  }
}

/** ON: type `0x12`, no value; lights the lamp in its stored color. */
export const ON: Command<null> = new OnCommand();
