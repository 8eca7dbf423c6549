/**
 * The stand's heart: the retained lamp state, what a new lamp is synced with, and the last
 * commands sent. Every command (API, page, `send`, another instance) is applied here on its way
 * to the lamps.
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import type { CommandTable } from "../commands/command_table.ts";
import { Dispatcher } from "../commands/dispatcher.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import type { SendResult } from "../commands/send_result.ts";
import { type JsonValue, type LampState, stateJson } from "../lamp/lamp_state.ts";
import { encodeFrame } from "../protocol/encode_frame.ts";
import { toHex } from "../protocol/hex.ts";

/** Where a frame goes once encoded. */
export interface FrameSink {
  /** Queues the frame for every lamp; returns how many. */
  broadcast(frame: Uint8Array): number;
}

/** How many of the last commands are kept for a page that opens (its table of frames). */
const RECENT_FRAMES = 20;

/**
 * Holds the retained state and sends commands: encode once, apply to the retained state with
 * the same dispatcher the lamps use (so the state is what every lamp shows), queue for every lamp.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { StandCore } from "./stand_core.ts";
 * const core = new StandCore(createCommandTable());
 * const result = core.deliver(
 *   { type: 0x20, value: new Uint8Array(2), command: "FRAME", text: "00 00" },
 *   { broadcast: () => 0 },
 * );
 * assertEquals([result.effect, result.color], ["malformed", "#ffffff"]);
 * ```
 */
export class StandCore {
  #table: CommandTable;
  #dispatcher: Dispatcher;
  #recent: SendResult[] = [];
  /** The sync of the state it was made for (the state is the same object while unchanged). */
  #synced: { state: LampState | null; frames: readonly Uint8Array[] } = {
    state: null,
    frames: [],
  };

  /**
   * A core at a new lamp's state.
   * @param table The command table.
   */
  constructor(table: CommandTable) {
    this.#table = table;
    this.#dispatcher = new Dispatcher(table);
  }

  /** The retained lamp state (what a newly connected lamp is synced to). */
  get state(): LampState {
    return this.#dispatcher.state;
  }

  /** The retained state as the API, `/status` and the page show it: `{ on, color, … }`. */
  get shown(): Record<string, JsonValue> {
    return stateJson(this.#table.state, this.state);
  }

  /** The last command sent, if any. */
  get last(): SendResult | null {
    return this.#recent.at(-1) ?? null;
  }

  /** The last commands sent, oldest first (at most 20). */
  get recent(): readonly SendResult[] {
    return this.#recent;
  }

  /**
   * Replaces the retained state (e.g. with the fleet's, after the broker moved on without us).
   * @param state The state to retain.
   */
  adopt(state: LampState): void {
    this.#dispatcher.reset(state);
  }

  /**
   * Sends one command to every lamp of this instance.
   * @param outgoing The checked command.
   * @param lamps Where the frame goes.
   * @returns What it did.
   */
  deliver(outgoing: OutgoingCommand, lamps: FrameSink): SendResult {
    const frame = encodeFrame(outgoing.type, outgoing.value);
    const outcome = this.#dispatcher.frame(outgoing.type, outgoing.value, 0, outgoing.value.length);
    const reached = lamps.broadcast(frame);
    const result: SendResult = {
      command: outcome === "applied" ? outgoing.command : "FRAME",
      value: outgoing.text,
      frame: toHex(frame, 64),
      effect: outcome === "keepalive" ? "unknown" : outcome,
      lamps: reached,
      ...this.shown,
      time: new Date().toISOString(),
    };
    this.#recent.push(result);
    if (this.#recent.length > RECENT_FRAMES) this.#recent.shift();
    return result;
  }

  /**
   * The frames that bring a new lamp to the retained state: one per piece of state, the light
   * last (for the built-in commands: COLOR, then ON or OFF).
   * @returns The frames, in order.
   */
  syncFrames(): Uint8Array[] {
    return this.#table.syncFrames(this.state).map(({ type, value }) => encodeFrame(type, value));
  }

  /**
   * The sync a lamp gets when it connects: {@linkcode syncFrames} joined into one array, made once
   * per state (10,000 lamps arriving at once share it instead of leaving 30,000 small arrays for
   * the collector).
   * @returns The joined frames, as one element.
   */
  sync(): readonly Uint8Array[] {
    if (this.#synced.state !== this.state) {
      this.#synced = { state: this.state, frames: [concat(this.syncFrames())] };
    }
    return this.#synced.frames;
  }
}
