/**
 * The lamp's state: the immutable snapshot everyone outside the read loop sees, and the working
 * lamp that commands change while frames are applied. No I/O.
 *
 * @module
 */
import { type Rgb, WHITE } from "./rgb.ts";

/** What the lamp shows: whether it is lit, and the color it has (kept while off). */
export interface LampState {
  /** Whether the lamp is lit. */
  readonly on: boolean;
  /** The stored color, shown while on. */
  readonly color: Rgb;
}

/** A new lamp: off, white. */
export const INITIAL_LAMP_STATE: LampState = Object.freeze({ on: false, color: WHITE });

/**
 * The lamp as commands change it. One dispatcher owns it and applies frames to it in place (a
 * frame allocates nothing); everyone else reads {@linkcode WorkingLamp.snapshot}.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { WorkingLamp } from "./lamp_state.ts";
 * const lamp = new WorkingLamp();
 * lamp.on = true;
 * assertEquals(lamp.snapshot(), { on: true, color: 0xffffff });
 * ```
 */
export class WorkingLamp implements LampState {
  /** Whether the lamp is lit. */
  on: boolean;
  /** The stored color. */
  color: Rgb;

  /** @param from The state to start from (a new lamp by default). */
  constructor(from: LampState = INITIAL_LAMP_STATE) {
    this.on = from.on;
    this.color = from.color;
  }

  /** @returns The lamp as it is now, frozen. */
  snapshot(): LampState {
    return Object.freeze({ on: this.on, color: this.color });
  }
}
