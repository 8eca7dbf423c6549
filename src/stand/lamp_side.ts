/**
 * What the stand sees of its lamp port, whichever serves it: one hub on the main thread
 * (`LampHub`) or lamp workers sharing the port (`LampWorkers`).
 *
 * @module
 */
import type { LampConnection } from "./lamp_peer.ts";
import type { ConnQueue } from "./server/conn_queue.ts";
import type { AcceptErrorKind } from "./server/accept_error.ts";

/** A connected lamp, as the log names it. */
export interface LampInfo {
  /** `host:port` of the lamp. */
  readonly address: string;
}

/** Why the stand dropped a lamp: its queue passed the limit (the one reason there is). */
export type DropKind = "queue_full";

/** Why a lamp's connection ended; `dropped` when the stand dropped it, and why. */
export type PeerEnd = { readonly reason: string; readonly dropped: DropKind | false };

/** What the lamp side reports about lamps coming and going. */
export interface LampEvents {
  /** A lamp connected (it has been given the sync frames); `count` lamps are connected now. */
  onConnect(lamp: LampInfo, count: number): void;
  /** A lamp went away (or was dropped as too slow). */
  onDisconnect(lamp: LampInfo, end: PeerEnd, count: number): void;
  /**
   * Accepting failed (e.g. too many open files); accepting goes on, after `delayMs` when the
   * process ran out of something (`kind`), at once when a peer caused it.
   */
  onAcceptError(error: Error, kind: AcceptErrorKind, delayMs: number): void;
  /** A lamp over the port's budget was closed at once; `total` counts them since the start. */
  onRefused?(total: number): void;
  /** A connection to a TLS lamp port failed its handshake (it never counted as a lamp). */
  onHandshakeError?(error: Error): void;
}

/** The lamp port: the lamps connected and one way to reach them all. */
export interface LampSide {
  /** The port lamps connect to. */
  readonly port: number;
  /** How many lamps are connected. */
  readonly count: number;
  /** Bytes queued for lamps and not yet written (may lag a moment behind with workers). */
  readonly queuedBytes: number;
  /**
   * Connections to the web port that lamp workers accepted and lend to this thread, to be served
   * as the web port's (absent: this thread listens on the web port itself).
   */
  readonly webConnections?: ConnQueue | null;
  /**
   * Queues one frame for every connected lamp, after every frame queued before it.
   * @param frame The encoded frame.
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number;
  /**
   * Takes a lamp that came another way (a WebSocket on the page's port) as one of this port's:
   * the same sync, frames, queue limit and budget.
   * @param conn Its connection.
   * @returns Whether it was taken (`false`: the budget is spent; the caller closes it).
   */
  admit(conn: LampConnection): boolean;
  /**
   * Stops accepting, writes what is queued and closes every lamp cleanly (each reads EOF).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  close(timeoutMs: number): Promise<void>;
}
