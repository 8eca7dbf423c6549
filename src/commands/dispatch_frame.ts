/**
 * What one frame does to the lamp: applied, unknown, or malformed. Pure.
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";
import type { CommandTable } from "./command_table.ts";
import type { LampState } from "../lamp/lamp_state.ts";

/** The outcome of one frame. */
export type Dispatch =
  | {
    /** A known command with a well-formed value was applied. */
    readonly kind: "applied";
    /** The command. */
    readonly command: Command;
    /** Its decoded value. */
    readonly args: unknown;
    /** The lamp after it. */
    readonly state: LampState;
  }
  | {
    /** The type is not in the table: skipped, value included. */
    readonly kind: "unknown";
    /** The frame type. */
    readonly type: number;
  }
  | {
    /** A known command whose value has the wrong shape: ignored. */
    readonly kind: "malformed";
    /** The command. */
    readonly command: Command;
  };

/**
 * Decides what a frame does to the lamp.
 *
 * @param table The known commands.
 * @param state The lamp before the frame.
 * @param type The frame type.
 * @param bytes Holds the frame value at `[start, end)` (the whole array by default).
 * @param start Where the value starts.
 * @param end Where the value ends.
 * @returns The outcome; on `applied`, the new state.
 * @example
 * ```ts
 * import { createCommandTable } from "./command_table.ts";
 * import { dispatchFrame } from "./dispatch_frame.ts";
 * import { INITIAL_LAMP_STATE } from "../lamp/lamp_state.ts";
 * const result = dispatchFrame(createCommandTable(), INITIAL_LAMP_STATE, 0x12, new Uint8Array());
 * // result.kind === "applied", result.state.on === true
 * ```
 */
export function dispatchFrame(
  table: CommandTable,
  state: LampState,
  type: number,
  bytes: Uint8Array,
  start = 0,
  end: number = bytes.length,
): Dispatch {
  const command = table.byType(type);
  if (!command) return { kind: "unknown", type };
  const args = command.decode(bytes, start, end);
  if (args === MALFORMED) return { kind: "malformed", command };
  return { kind: "applied", command, args, state: command.apply(state, args) };
}
