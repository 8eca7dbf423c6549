/**
 * What a stand says one sent command did: the API's answer, the page's frame message, the
 * broker's result (what went in is an `OutgoingCommand`).
 *
 * @module
 */
import type { Outcome } from "./dispatcher.ts";
import type { JsonValue } from "../lamp/lamp_state.ts";

/**
 * What one sent command did, and the retained state after it: one field per piece of state (`on`,
 * `color`, and whatever further commands declare), between `lamps` and `time`.
 */
export interface SendResult {
  /** The command's name, or `FRAME` for a raw frame no command applies. */
  readonly command: string;
  /** Its value as text. */
  readonly value: string;
  /** The frame as hex. */
  readonly frame: string;
  /**
   * What every lamp does with it: `applied`, `unknown` (skipped: no command has this type) or
   * `malformed` (ignored: the value has the wrong shape for its command).
   */
  readonly effect: Exclude<Outcome, "keepalive">;
  /** How many lamps it was queued for. */
  readonly lamps: number;
  /** When it was sent (ISO-8601). */
  readonly time: string;
  /**
   * With a Redis broker, the command's id in the fleet's stream: it was published to every
   * instance, each delivering it to its own lamps (`lamps` counts this instance's only).
   */
  readonly stream_id?: string;
  /** The retained state after it, one field per piece (as `/status` shows it). */
  readonly [piece: string]: JsonValue | undefined;
}
