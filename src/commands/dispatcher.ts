/**
 * The command table applied to a stream of frames: the one path from decoded frames to the lamp,
 * used by the lamp, the stand's retained state and the broker's replay.
 *
 * @module
 */
import { type Command, MALFORMED as IMPORTED_MALFORMED } from "./command.ts";
import type { CommandTable } from "./command_table.ts";
import { initialState, type LampState, type StateField } from "../lamp/lamp_state.ts";
import { KEEPALIVE_TYPE as IMPORTED_KEEPALIVE_TYPE, type ValueSkipper } from "../protocol/frame.ts";

// Module-local copies: V8 reads an imported binding anew (with its initialisation check) on every
// use; the hot path reads these instead (docs/performance.md, the decoder).
const MALFORMED = IMPORTED_MALFORMED;
const KEEPALIVE_TYPE = IMPORTED_KEEPALIVE_TYPE;

/** Why a frame was not applied. */
export type IgnoredReason = "unknown" | "malformed";

/** What one frame did: applied, skipped (unknown type), ignored (malformed), or a keep-alive. */
export type Outcome = "applied" | IgnoredReason | "keepalive";

/**
 * Who wants to hear about single frames. Each callback is optional and only called when given, so
 * a lamp that logs nothing per frame pays nothing per frame. Read the arguments at once: `lamp` is
 * the dispatcher's own values and `bytes` the caller's read buffer.
 */
export interface DispatchListener {
  /**
   * A frame was applied; `values` is the lamp's state after it, one value per piece of the
   * table's `state`, in that order.
   */
  readonly onApplied?: (command: Command, args: unknown, values: readonly unknown[]) => void;
  /** A frame was skipped; its value is `bytes[start, end)`. */
  readonly onIgnored?: (
    reason: IgnoredReason,
    type: number,
    bytes: Uint8Array,
    start: number,
    end: number,
  ) => void;
}

/** Frames seen, by outcome. */
export interface FrameCounts {
  /** Frames applied to the lamp. */
  readonly applied: number;
  /** Frames of a type the table does not know (skipped with their value). */
  readonly unknown: number;
  /** Known frames with a wrong-shaped value (ignored). */
  readonly malformed: number;
  /** Keep-alive frames (empty frames of {@linkcode KEEPALIVE_TYPE}; not counted as unknown). */
  readonly keepalives: number;
}

/**
 * Applies frames to a lamp through a command table. A frame allocates nothing: the piece of state
 * its command sets is stored in place and the outcome is counted; {@linkcode Dispatcher.state} is
 * an immutable snapshot.
 * `frame` fits the decoder's `FrameHandler`; as the decoder's {@linkcode ValueSkipper} it spares
 * the copy of unknown frames cut by a read, whose values nobody reads unless a listener asks.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "./command_table.ts";
 * import { Dispatcher } from "./dispatcher.ts";
 * import { FrameDecoder } from "../protocol/frame_decoder.ts";
 * import { parseHex } from "../protocol/hex.ts";
 * const dispatcher = new Dispatcher(createCommandTable());
 * new FrameDecoder(dispatcher).push(parseHex("20 00 03 ff 00 00 12 00 00 77 00 00"), dispatcher.frame);
 * assertEquals(dispatcher.state, { on: true, color: 0xff0000 });
 * assertEquals(dispatcher.counts, { applied: 2, unknown: 1, malformed: 0, keepalives: 0 });
 * ```
 */
export class Dispatcher implements ValueSkipper {
  /** The decoded value of the last command applied. */
  lastArgs: unknown = undefined;
  // The last command's type, not the command: a small integer is the cheapest store per frame.
  #lastType = -1;
  /** Per frame type: its command (`undefined`: unknown). */
  #commands: readonly (Command | undefined)[];
  /**
   * Per frame type, where its value goes: the index of the piece of state it sets its decoded
   * value to; `-2 - index` when it sets `toState(value)` instead; -1 for none. Numbers in a typed
   * array beside the commands, not in an object per type: one load and one comparison per frame.
   */
  #slots = new Int32Array(256).fill(-1);
  /** Per frame type: its command's `toState`, bound (`undefined`: none). */
  #toStates: readonly (((args: unknown) => unknown) | undefined)[];
  #fields: readonly StateField[];
  /** The lamp: one value per piece of state, as `#fields`. */
  #values: unknown[];
  #onApplied: DispatchListener["onApplied"];
  #onIgnored: DispatchListener["onIgnored"];
  #applied = 0;
  #unknown = 0;
  #malformed = 0;
  #keepalives = 0;
  #snapshot: LampState;

  /**
   * A dispatcher at a new lamp's state.
   * @param table The commands.
   * @param listener Per-frame callbacks (none by default).
   */
  constructor(table: CommandTable, listener: DispatchListener = {}) {
    const commands = new Array<Command | undefined>(256).fill(undefined);
    const toStates = new Array<((args: unknown) => unknown) | undefined>(256).fill(undefined);
    for (const command of table.commands) {
      const index = command.state ? table.state.indexOf(command.state) : -1;
      const toState = command.toState?.bind(command);
      commands[command.type] = command;
      toStates[command.type] = toState;
      this.#slots[command.type] = index < 0 ? -1 : toState ? -2 - index : index;
    }
    this.#commands = commands;
    this.#toStates = toStates;
    this.#fields = table.state;
    this.#values = table.state.map((field) => field.initial);
    this.#snapshot = initialState(table.state);
    this.#onApplied = listener.onApplied;
    this.#onIgnored = listener.onIgnored;
  }

  /**
   * Applies one frame, whose value is `bytes[start, end)`; a {@linkcode FrameHandler}, so it can
   * be given to the decoder as it is.
   */
  readonly frame: (type: number, bytes: Uint8Array, start: number, end: number) => Outcome = (
    type,
    bytes,
    start,
    end,
  ) => {
    const command = this.#commands[type];
    if (command === undefined) {
      if (type === KEEPALIVE_TYPE && start === end) {
        this.#keepalives++;
        return "keepalive";
      }
      this.#unknown++;
      if (this.#onIgnored !== undefined) this.#onIgnored("unknown", type, bytes, start, end);
      return "unknown";
    }
    const args = command.decode(bytes, start, end);
    if (args === MALFORMED) {
      this.#malformed++;
      if (this.#onIgnored !== undefined) this.#onIgnored("malformed", type, bytes, start, end);
      return "malformed";
    }
    const slot = this.#slots[type];
    if (slot >= 0) this.#values[slot] = args;
    else if (slot < -1) this.#values[-2 - slot] = this.#toStates[type]!(args);
    this.#applied++;
    this.#lastType = type;
    this.lastArgs = args;
    if (this.#onApplied !== undefined) this.#onApplied(command, args, this.#values);
    return "applied";
  };

  /**
   * Whether a frame's value goes unread: an unknown type, with no listener for ignored frames.
   * @param type The frame type.
   * @returns `true` when the decoder may pass over the value.
   */
  skips(type: number): boolean {
    return this.#commands[type] === undefined && this.#onIgnored === undefined;
  }

  /** Counts a frame whose value the decoder passed over (an unknown type, with a value). */
  skipped(): void {
    this.#unknown++;
  }

  /** The last command applied, if any. */
  get lastCommand(): Command | undefined {
    return this.#lastType < 0 ? undefined : this.#commands[this.#lastType];
  }

  /** The lamp as it is now: a frozen snapshot, the same object for as long as the lamp is unchanged. */
  get state(): LampState {
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i++) {
      if (this.#snapshot[fields[i].name] !== this.#values[i]) {
        this.#snapshot = Object.freeze(
          Object.fromEntries(fields.map((field, j) => [field.name, this.#values[j]])),
        );
        break;
      }
    }
    return this.#snapshot;
  }

  /** Frames seen so far, by outcome. */
  get counts(): FrameCounts {
    return {
      applied: this.#applied,
      unknown: this.#unknown,
      malformed: this.#malformed,
      keepalives: this.#keepalives,
    };
  }

  /**
   * Replaces the lamp's state (e.g. with a fleet's retained state); a piece `state` lacks takes
   * its initial value.
   * @param state The new state.
   */
  reset(state: LampState): void {
    this.#fields.forEach((field, i) => {
      this.#values[i] = Object.hasOwn(state, field.name) ? state[field.name] : field.initial;
    });
  }
}
