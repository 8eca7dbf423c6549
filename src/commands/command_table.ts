/**
 * The table that maps a frame type (and a command name) to its command, and the lamp state those
 * commands declare.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { COLOR } from "./color.ts";
import { OFF, ON } from "./power.ts";
import type { LampState, StateField, StateFrame } from "../lamp/lamp_state.ts";

/** The commands every lamp and stand knows. Add a new command's module here. */
export const BUILTIN_COMMANDS: readonly Command[] = [ON, OFF, COLOR];

/** Looks commands up by frame type and by name; knows the state they set. */
export interface CommandTable {
  /** Every command, in registration order. */
  readonly commands: readonly Command[];
  /**
   * The pieces of state the commands set, in the order of the first command that sets each: the
   * order of fields in logs, the API and the page.
   */
  readonly state: readonly StateField[];
  /** The command for a frame type, or `undefined` when the type is unknown. */
  byType(type: number): Command | undefined;
  /** The command for a name (any case), or `undefined`. */
  byName(name: string): Command | undefined;
  /**
   * The frames that bring any lamp to `state`: one per piece, in table order but the light last
   * (a lamp is lit only once everything else is in place).
   */
  syncFrames(state: LampState): StateFrame[];
}

/** How each piece of state is set by a frame: its own `restore`, or its one command's frame. */
function restorers(
  commands: readonly Command[],
  fields: readonly StateField[],
): ((value: unknown) => StateFrame)[] {
  return fields.map((field) => {
    if (field.restore) return field.restore.bind(field);
    const setters = commands.filter((command) => command.state === field);
    const [command] = setters;
    if (setters.length !== 1 || command.toState) {
      throw new RangeError(
        `State "${field.name}" is set by ${
          setters.map((c) => c.name).join(" and ")
        }: it needs a restore function (the frame that sets it to a value)`,
      );
    }
    return (value) => ({ type: command.type, value: command.encode(value) });
  });
}

/**
 * Builds a command table from the built-in commands plus any extra ones.
 *
 * @param extra Further commands to register (their types, names and state names must be new).
 * @returns The table.
 * @throws {RangeError} When two commands share a type or a name, two pieces of state share a
 * name, or a piece of state set in more than one way has no `restore`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "./command_table.ts";
 * const table = createCommandTable();
 * assertEquals(table.byType(0x20)?.name, "COLOR");
 * assertEquals(table.state.map((field) => field.name), ["on", "color"]);
 * ```
 */
export function createCommandTable(extra: readonly Command[] = []): CommandTable {
  const commands = [...BUILTIN_COMMANDS, ...extra];
  const types = new Array<Command | undefined>(256);
  const names = new Map<string, Command>();
  for (const command of commands) {
    const clash = types[command.type] ?? names.get(command.name.toUpperCase());
    if (clash) {
      throw new RangeError(
        `Command ${command.name} (0x${command.type.toString(16)}) clashes with ${clash.name} (0x${
          clash.type.toString(16)
        })`,
      );
    }
    types[command.type] = command;
    names.set(command.name.toUpperCase(), command);
  }
  const state = [...new Set(commands.flatMap((command) => command.state ?? []))] as StateField[];
  for (const field of state) {
    if (state.find((other) => other.name === field.name) !== field) {
      throw new RangeError(`Two pieces of state are named "${field.name}"`);
    }
  }
  const restore = restorers(commands, state);
  const syncOrder = state.map((field, index) => ({ field, restore: restore[index] }))
    .sort((a, b) => Number(a.field.shows === "light") - Number(b.field.shows === "light"));
  return {
    commands,
    state,
    byType: (type) => types[type],
    byName: (name) => names.get(name.toUpperCase()),
    syncFrames: (current) => syncOrder.map(({ field, restore }) => restore(current[field.name])),
  };
}
