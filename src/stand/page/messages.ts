/**
 * What the stand and its page say to each other: the WebSocket messages the page receives and the
 * one it sends. One type each, used by the server side and by the page script
 * (`page_script.ts`), so `deno check` catches a field renamed on one side only.
 *
 * @module
 */
import type { JsonValue, StateField } from "../../lamp/lamp_state.ts";
import type { SendResult } from "../../commands/send_result.ts";

/**
 * The retained lamp state as the API and the page show it: one field per piece of state (`on`,
 * `color`, and whatever further commands declare).
 */
export type ShownState = Readonly<Record<string, JsonValue>>;

/** A piece of state as the page learns it: its name, and what the lamp's block shows of it. */
export type PieceView = Pick<StateField, "name" | "shows">;

/** A command as the page offers it: its name and the hint for its value (`""`: none). */
export interface CommandView {
  /** The command's name. */
  readonly name: string;
  /** How its value is written (`rrggbb`), `""` for a command without one. */
  readonly valueHint: string;
  /** The piece of state it sets, if any. */
  readonly state?: string;
}

/** How many lamps and browsers are connected. */
export interface Counts {
  /** Lamps connected to this instance. */
  readonly lamps: number;
  /** Browsers connected to this instance. */
  readonly browsers: number;
}

/** Every message the page's WebSocket receives. */
export type BrowserMessage =
  /**
   * The first message: the pieces of state and the commands (from the stand's command table),
   * the state, the counts and the recent frames.
   */
  | {
    readonly type: "hello";
    readonly pieces: readonly PieceView[];
    readonly commands: readonly CommandView[];
    readonly state: ShownState;
    readonly recent: readonly SendResult[];
  }
    & Counts
  /** A command went to the lamps. */
  | { readonly type: "frame" } & SendResult
  /** Lamps or browsers came or went (coalesced: at most a few a second). */
  | { readonly type: "count" } & Counts
  /** The answer to a command this browser sent. */
  | { readonly type: "result" } & SendResult
  /** A command this browser sent was refused. */
  | { readonly type: "error"; readonly status: number; readonly error: string };

/**
 * What the page sends on its WebSocket when a button is pressed: the JSON API's `message`
 * request (the stand parses it as untrusted input like any other).
 */
export interface PageCommand {
  /** Always `message`. */
  readonly method: "message";
  /** The command and, for a command with a value, its value as text (`#rrggbb`). */
  readonly params: { readonly command: string; readonly value?: string };
}
