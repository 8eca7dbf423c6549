/**
 * A command checked and encoded, ready to send to lamps: what the API, the page and the broker
 * pass along.
 *
 * @module
 */

/** A command checked and ready to send. */
export interface OutgoingCommand {
  /** The frame type. */
  readonly type: number;
  /** The frame value. */
  readonly value: Uint8Array;
  /** The command's name (`"COLOR"`), or `"FRAME"` for a raw frame of an unknown type. */
  readonly command: string;
  /** The value as text (`"#ff0000"`, hex for raw frames, `""` for none). */
  readonly text: string;
}
