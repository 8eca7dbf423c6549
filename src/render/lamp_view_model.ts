/**
 * What the terminal view shows, folded from lamp events. Pure.
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import type { Command } from "../commands/command.ts";
import { INITIAL_LAMP_STATE, type LampState } from "../lamp/lamp_state.ts";

/** The link to the server as the status line shows it. */
export type LinkStatus = "connecting" | "connected" | "retrying" | "stopped";

/** Everything the terminal view needs to draw one frame. */
export interface LampViewModel {
  /** The lamp. */
  readonly lamp: LampState;
  /** The server address in use. */
  readonly address: string;
  /** Connection status. */
  readonly link: LinkStatus;
  /** When the next attempt starts (ms since epoch), while retrying. */
  readonly retryAt: number;
  /** Which retry is pending, while retrying. */
  readonly attempt: number;
  /** Why the last connection ended, if it did. */
  readonly reason: string;
  /** The last command applied and its value (formatted only when drawn). */
  readonly lastCommand: { readonly command: Command; readonly args: unknown } | null;
  /** Frames ignored so far (unknown or malformed). */
  readonly ignored: number;
}

/**
 * The view before any event.
 * @param address The address the lamp will use.
 * @returns The starting view.
 * @example
 * ```ts
 * import { initialLampView } from "./lamp_view_model.ts";
 * initialLampView("127.0.0.1:9999").link; // "connecting"
 * ```
 */
export function initialLampView(address: string): LampViewModel {
  return {
    lamp: INITIAL_LAMP_STATE,
    address,
    link: "connecting",
    retryAt: 0,
    attempt: 0,
    reason: "",
    lastCommand: null,
    ignored: 0,
  };
}

/**
 * Folds one event into the view.
 * @param view The view before.
 * @param event The event.
 * @param now The current time in ms since epoch (for the retry countdown).
 * @returns The view after.
 * @example
 * ```ts
 * import { initialLampView, reduceLampView } from "./lamp_view_model.ts";
 * const view = reduceLampView(initialLampView("a:1"), { event: "connected", address: "a:1" }, 0);
 * // view.link === "connected"
 * ```
 */
export function reduceLampView(view: LampViewModel, event: LampEvent, now: number): LampViewModel {
  switch (event.event) {
    case "connecting":
      return { ...view, link: "connecting", address: event.address };
    case "connected":
      return { ...view, link: "connected", address: event.address, reason: "" };
    case "disconnected":
      return { ...view, reason: event.reason };
    case "retry":
      return { ...view, link: "retrying", retryAt: now + event.delay_ms, attempt: event.attempt };
    case "command":
      return {
        ...view,
        lamp: event.state,
        lastCommand: { command: event.command, args: event.args },
      };
    case "ignored":
      return { ...view, ignored: view.ignored + 1 };
    case "shutdown":
      return { ...view, link: "stopped" };
  }
}
