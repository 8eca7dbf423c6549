/**
 * The shape every lamp command has: how its value is decoded from the wire, encoded for it and
 * typed in as text, and which piece of the lamp's state it sets.
 *
 * @module
 */
import type { StateField } from "../lamp/lamp_state.ts";

/** Returned by {@linkcode Command.decode} for a value of the wrong shape. */
export const MALFORMED: unique symbol = Symbol("malformed");

/** The most bytes {@linkcode Command.formatInto} may write. */
export const MAX_FORMATTED_BYTES = 64;

/**
 * One lamp command. `Args` is what its frame says (a color, a level, or for ON simply `true`);
 * `S` is the value of the piece of state it sets.
 *
 * A command sets at most one piece of state, to a value its frame alone determines (never "one
 * brighter than before"): that is what lets a stand bring a late lamp, or a fleet its instances,
 * to the same state with one frame per piece.
 */
export interface Command<Args = unknown, S = Args> {
  /** The frame type byte. */
  readonly type: number;
  /** The name used in the API, the CLI and the logs, upper case (e.g. `"COLOR"`). */
  readonly name: string;
  /** How the value is written as text, for help (`""` when there is none, e.g. `"rrggbb"`). */
  readonly valueHint: string;
  /** The piece of state this command sets, declared in its module; none for a command without. */
  readonly state?: StateField<S>;
  /**
   * The value of {@linkcode Command.state} after this command; without it, the decoded value is
   * that value as it is (COLOR's color).
   */
  toState?(args: Args): S;
  /** Reads the frame value `bytes[start, end)`; {@linkcode MALFORMED} when it has the wrong shape. */
  decode(bytes: Uint8Array, start: number, end: number): Args | typeof MALFORMED;
  /** Writes the frame value. */
  encode(args: Args): Uint8Array;
  /** Reads the value typed in the API or CLI; throws `RangeError` with the reason when wrong. */
  parse(text: string | undefined): Args;
  /** The value as text for logs and the page (`""` when there is none). */
  format(args: Args): string;
  /**
   * Optional, for logs that write a line per command at stream speed: writes the text of
   * `format(args)` as ASCII bytes into `out` at `at` (without building the string) and returns
   * where it ends. Only for a command whose text is always one plain word (printable ASCII, no
   * space, quote, `=` or backslash: nothing to escape) of at most
   * {@linkcode MAX_FORMATTED_BYTES}; without it, logs use `format`.
   */
  formatInto?(args: Args, out: Uint8Array, at: number): number;
}
