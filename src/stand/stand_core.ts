/**
 * The stand's heart: the retained lamp state and the one path every command takes
 * (API, page, or `send`) to every lamp and every browser.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import { dispatchFrame } from "../commands/dispatch_frame.ts";
import { INITIAL_LAMP_STATE, type LampState } from "../lamp/lamp_state.ts";
import { formatColor } from "../lamp/rgb.ts";
import { encodeFrame } from "../protocol/encode_frame.ts";
import { toHex } from "../protocol/hex.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";

/** What one sent command did. */
export interface SendResult {
  /** The command's name. */
  readonly command: string;
  /** Its value as text. */
  readonly value: string;
  /** The frame as hex. */
  readonly frame: string;
  /** How many lamps it was queued for. */
  readonly lamps: number;
  /** The retained lamp state after it. */
  readonly on: boolean;
  /** The retained color after it, `#rrggbb`. */
  readonly color: string;
  /** When it was sent (ISO-8601). */
  readonly time: string;
}

/** Where a frame goes once encoded. */
export interface FrameSink {
  /** Queues the frame for every lamp; returns how many. */
  broadcast(frame: Uint8Array): number;
}

/**
 * Holds the retained state and sends commands: encode once, apply to the retained state with
 * the same command table the lamps use, queue for every lamp.
 *
 * @example
 * ```ts ignore
 * import { StandCore } from "./stand_core.ts";
 * const core = new StandCore(createCommandTable(), hub);
 * core.deliver({ type: 0x12, value: new Uint8Array(), command: "ON", text: "" });
 * ```
 */
export class StandCore {
  #table: CommandTable;
  #lamps: FrameSink;
  #state: LampState = INITIAL_LAMP_STATE;
  #last: SendResult | null = null;

  /**
   * @param table The command table.
   * @param lamps Where frames go.
   */
  constructor(table: CommandTable, lamps: FrameSink) {
    this.#table = table;
    this.#lamps = lamps;
  }

  /** The retained lamp state (what a newly connected lamp is synced to). */
  get state(): LampState {
    return this.#state;
  }

  /** The last command sent, if any. */
  get last(): SendResult | null {
    return this.#last;
  }

  /**
   * Replaces the retained state (e.g. with the fleet's, after the broker moved on without us).
   * @param state The state to retain.
   */
  adopt(state: LampState): void {
    this.#state = state;
  }

  /**
   * Sends one command to every lamp of this instance.
   * @param outgoing The checked command.
   * @returns What it did.
   */
  deliver(outgoing: OutgoingCommand): SendResult {
    const frame = encodeFrame(outgoing.type, outgoing.value);
    const applied = dispatchFrame(this.#table, this.#state, outgoing.type, outgoing.value);
    if (applied.kind === "applied") this.#state = applied.state;
    const lamps = this.#lamps.broadcast(frame);
    this.#last = {
      command: outgoing.command,
      value: outgoing.text,
      frame: toHex(frame, 64),
      lamps,
      on: this.#state.on,
      color: formatColor(this.#state.color),
      time: new Date().toISOString(),
    };
    return this.#last;
  }

  /**
   * The frames that bring a new lamp to the retained state: COLOR, then ON or OFF.
   * @returns The frames, in order.
   */
  syncFrames(): Uint8Array[] {
    const color = this.#table.byName("COLOR");
    const power = this.#table.byName(this.#state.on ? "ON" : "OFF");
    if (!color || !power) return [];
    return [
      encodeFrame(color.type, color.encode(this.#state.color)),
      encodeFrame(power.type, power.encode(null)),
    ];
  }
}
