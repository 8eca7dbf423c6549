/**
 * The table that maps a frame type (and a command name) to its command.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { COLOR } from "./color.ts";
import { OFF } from "./off.ts";
import { ON } from "./on.ts";

/** The commands every lamp and stand knows. Add a new command's module here. */
export const BUILTIN_COMMANDS: readonly Command[] = [ON, OFF, COLOR];

/** Looks commands up by frame type and by name. */
export interface CommandTable {
  /** Every command, in registration order. */
  readonly commands: readonly Command[];
  /** The command for a frame type, or `undefined` when the type is unknown. */
  byType(type: number): Command | undefined;
  /** The command for a name (any case), or `undefined`. */
  byName(name: string): Command | undefined;
}

/**
 * Builds a command table from the built-in commands plus any extra ones.
 *
 * @param extra Further commands to register (their types and names must be new).
 * @returns The table.
 * @throws {RangeError} When two commands share a type or a name.
 * @example
 * ```ts
 * import { createCommandTable } from "./command_table.ts";
 * createCommandTable().byType(0x20)?.name; // "COLOR"
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
  return {
    commands,
    byType: (type) => types[type],
    byName: (name) => names.get(name.toUpperCase()),
  };
}
