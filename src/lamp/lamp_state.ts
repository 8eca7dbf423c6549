/**
 * The lamp's state: a record of the pieces its commands declare (each a {@linkcode StateField}),
 * frozen as everyone outside the read loop sees it. No I/O.
 *
 * @module
 */

/** A value as JSON logs, the API and the page carry it. */
export type JsonValue = string | number | boolean | null;

/** A frame's type and value: how a piece of state is set on any lamp. */
export interface StateFrame {
  /** The frame type. */
  readonly type: number;
  /** The frame value. */
  readonly value: Uint8Array;
}

/**
 * One piece of a lamp's state, declared by the command module that owns it: its name, the value a
 * new lamp has, and how the value reads as text and as JSON.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import type { StateField } from "./lamp_state.ts";
 * const brightness: StateField<number> = {
 *   name: "brightness",
 *   initial: 255,
 *   text: String,
 *   json: (level) => level,
 * };
 * assertEquals(brightness.text(brightness.initial), "255");
 * ```
 */
export interface StateField<V = unknown> {
  /** The field's name in logs, the API, `/status` and the page (lower case, e.g. `"color"`). */
  readonly name: string;
  /** The value a new lamp has. */
  readonly initial: V;
  /**
   * What the lamp's block shows of it: `light` (a boolean: lit or dark) or `color` (an `Rgb`,
   * shown while lit). Without it, the piece is a labelled value beside the block.
   */
  readonly shows?: "light" | "color";
  /** The value as text (terminal, text log): one word, no spaces, e.g. `"#ff0000"`. */
  text(value: V): string;
  /** The value in JSON (JSON log, API, page), e.g. `"#ff0000"` or `true`. */
  json(value: V): JsonValue;
  /**
   * Optional, for logs at stream speed: writes the text of `text(value)` as ASCII bytes into `out`
   * at `at` and returns where it ends (at most 64 bytes; printable ASCII, no space, quote, `=` or
   * backslash). Without it, logs use `text`.
   */
  textInto?(value: V, out: Uint8Array, at: number): number;
  /**
   * The frame that sets this piece to `value` on any lamp: how a stand syncs a lamp that connects.
   * Optional when exactly one command sets the piece to its decoded value: that command's frame.
   */
  restore?(value: V): StateFrame;
}

/** A lamp's state: one value per {@linkcode StateField}, by field name, frozen. */
export type LampState = Readonly<Record<string, unknown>>;

/**
 * The state of a new lamp with these fields.
 *
 * @param fields The pieces of state.
 * @returns Each field at its initial value, frozen.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { initialState } from "./lamp_state.ts";
 * const on = { name: "on", initial: false, text: String, json: (on: boolean) => on };
 * assertEquals(initialState([on]), { on: false });
 * ```
 */
export function initialState(fields: readonly StateField[]): LampState {
  return Object.freeze(Object.fromEntries(fields.map((field) => [field.name, field.initial])));
}

/**
 * A state as JSON: one property per field, in the fields' order.
 *
 * @param fields The pieces of state.
 * @param state The state.
 * @returns `{ on: true, color: "#ff0000" }` for the built-in commands.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stateJson } from "./lamp_state.ts";
 * const level = { name: "level", initial: 0, text: String, json: (n: number) => n };
 * assertEquals(stateJson([level], { level: 7 }), { level: 7 });
 * ```
 */
export function stateJson(
  fields: readonly StateField[],
  state: LampState,
): Record<string, JsonValue> {
  return Object.fromEntries(fields.map((field) => [field.name, field.json(state[field.name])]));
}
