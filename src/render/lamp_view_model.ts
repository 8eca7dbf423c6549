/**
 * What the terminal view knows about the connection, folded from lamp events. Pure. The lamp
 * itself (state, last command, counts) is not folded in: the view reads it when it draws.
 *
 * @module
 */
import type { LampEvent } from "../client/lamp_event.ts";
import type { Command } from "../commands/command.ts";
import type { FrameCounts } from "../commands/dispatcher.ts";
import type { LampState, StateField } from "../lamp/lamp_state.ts";

/** The link to the server as the status line shows it. */
export type LinkStatus = "connecting" | "connected" | "retrying" | "stopped";

/** The connection part of the view. */
export interface LinkView {
  /** The server address in use. */
  readonly address: string;
  /** Connection status. */
  readonly link: LinkStatus;
  /** When the next attempt starts (ms since epoch), while retrying. */
  readonly retryAt: number;
  /** Which retry is pending, while retrying. */
  readonly attempt: number;
  /** Why the last connection (or attempt) ended, if one did. */
  readonly reason: string;
}

/** The lamp part of the view, read from the client at draw time. */
export interface LampShown {
  /** The lamp's pieces of state (the command table's `state`). */
  readonly fields: readonly StateField[];
  /** The lamp. */
  readonly state: LampState;
  /** The last command applied and its value. */
  readonly last: { readonly command: Command; readonly args: unknown } | null;
  /** Frames seen, by outcome. */
  readonly counts: FrameCounts;
}

/**
 * The view before any event.
 * @param address The address the lamp will use.
 * @returns The starting view.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { initialLinkView } from "./lamp_view_model.ts";
 * assertEquals(initialLinkView("127.0.0.1:9999").link, "connecting");
 * ```
 */
export function initialLinkView(address: string): LinkView {
  return { address, link: "connecting", retryAt: 0, attempt: 0, reason: "" };
}

/**
 * Folds one event into the view.
 * @param view The view before.
 * @param event The event.
 * @param now The current time in ms since epoch (for the retry countdown).
 * @returns The view after.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { initialLinkView, reduceLinkView } from "./lamp_view_model.ts";
 * const view = reduceLinkView(initialLinkView("a:1"), { event: "connected", address: "a:1" }, 0);
 * assertEquals(view.link, "connected");
 * ```
 */
export function reduceLinkView(view: LinkView, event: LampEvent, now: number): LinkView {
  switch (event.event) {
    case "connecting":
      return { ...view, link: "connecting", address: event.address };
    case "connected":
      return { ...view, link: "connected", address: event.address, reason: "" };
    case "connect_failed":
    case "disconnected":
      return { ...view, reason: event.reason };
    case "retry":
      return {
        ...view,
        link: "retrying",
        address: event.next,
        retryAt: now + event.delay_ms,
        attempt: event.attempt,
      };
    case "unreachable":
      return view;
  }
}
