/**
 * The lamp's state and the pure transitions on it. No I/O.
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
 * Lights the lamp.
 * @param state The current state.
 * @returns The state, lit.
 * @example
 * ```ts
 * import { INITIAL_LAMP_STATE, turnOn } from "./lamp_state.ts";
 * turnOn(INITIAL_LAMP_STATE).on; // true
 * ```
 */
export function turnOn(state: LampState): LampState {
  return state.on ? state : { on: true, color: state.color };
}

/**
 * Darkens the lamp; the color is kept.
 * @param state The current state.
 * @returns The state, dark.
 * @example
 * ```ts
 * import { INITIAL_LAMP_STATE, turnOff } from "./lamp_state.ts";
 * turnOff(INITIAL_LAMP_STATE).on; // false
 * ```
 */
export function turnOff(state: LampState): LampState {
  return state.on ? { on: false, color: state.color } : state;
}

/**
 * Sets the color, lit or not (a dark lamp shows it when turned on).
 * @param state The current state.
 * @param color The new color.
 * @returns The state with the new color (the same state when the color is unchanged).
 * @example
 * ```ts
 * import { INITIAL_LAMP_STATE, setColor } from "./lamp_state.ts";
 * setColor(INITIAL_LAMP_STATE, 0x010203).color; // 0x010203
 * ```
 */
export function setColor(state: LampState, color: Rgb): LampState {
  return state.color === color ? state : { on: state.on, color };
}
