/**
 * Lamps on one thread: each admitted with the sync frames, then given every frame broadcast
 * through the shared fan-out loop, dropped at its queue limit, its place given back when it ends.
 * The lamp hub's lamps, and the WebSocket lamps of a stand whose lamp port runs in workers.
 *
 * @module
 */
import { FanoutLoop } from "./fanout_loop.ts";
import { type LampConnection, LampPeer, type LampPlace, type PeerEvents } from "./lamp_peer.ts";
import type { LampEvents } from "./lamp_side.ts";

/** How a {@linkcode LampGroup} serves its lamps. */
export interface LampGroupOptions {
  /** Bytes a lamp may have waiting before it is dropped. */
  readonly queueLimit: number;
  /** The frames a lamp gets first (the current state; may be none). */
  readonly sync: () => readonly Uint8Array[];
  /** Told of lamps connecting and leaving. */
  readonly events: Pick<LampEvents, "onConnect" | "onDisconnect">;
  /** The lamps connected over the whole lamp side, for the events (this group's by default). */
  readonly total?: () => number;
}

/**
 * A group of connected lamps.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LampGroup } from "./lamp_group.ts";
 * const group = new LampGroup({
 *   queueLimit: 1 << 20,
 *   sync: () => [],
 *   events: { onConnect: () => {}, onDisconnect: () => {} },
 * });
 * assertEquals(group.broadcast(Uint8Array.of(0x12, 0, 0)), 0);
 * await group.close(100);
 * ```
 */
export class LampGroup {
  #options: LampGroupOptions;
  #fanout: FanoutLoop;
  #peerEvents: PeerEvents;

  /**
   * A group with no lamp yet.
   * @param options The queue limit, the sync and the events.
   */
  constructor(options: LampGroupOptions) {
    this.#options = options;
    this.#fanout = new FanoutLoop({ queueLimit: options.queueLimit });
    this.#peerEvents = {
      onEnd: (peer, end) => {
        peer.slot.release();
        if (!this.#fanout.remove(peer)) return;
        options.events.onDisconnect(peer, end, this.#total());
      },
      onCaughtUp: (peer) => this.#fanout.caughtUp(peer),
    };
  }

  /** How many lamps are in the group. */
  get count(): number {
    return this.#fanout.count;
  }

  /** Bytes queued for them and not yet written (walks the lamps: for scrapes, not hot paths). */
  get queuedBytes(): number {
    return this.#fanout.queuedBytes;
  }

  /**
   * Admits a lamp: it gets the sync, then every frame broadcast from now on.
   * @param conn Its connection.
   * @param place Its place in the lamp budget, given back when it ends.
   */
  admit(conn: LampConnection, place: LampPlace): void {
    const peer = new LampPeer(conn, place, this.#options.queueLimit, this.#peerEvents);
    this.#fanout.add(peer, this.#options.sync());
    this.#options.events.onConnect(peer, this.#total());
  }

  /**
   * Queues one frame for every lamp of the group.
   * @param frame The encoded frame.
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number {
    return this.#fanout.broadcast(frame);
  }

  /**
   * Writes what is queued and closes every lamp cleanly (each reads EOF, or a close frame).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.#fanout.flush(timeoutMs);
    await Promise.all(this.#fanout.peers().map((peer) => peer.close(timeoutMs)));
  }

  #total(): number {
    return this.#options.total?.() ?? this.#fanout.count;
  }
}
