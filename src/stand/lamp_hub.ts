/**
 * The stand's lamp side: accepts lamps over TCP and sends every frame to all of them.
 *
 * @module
 */
import { FanoutLoop } from "./fanout_loop.ts";
import { LampPeer, type PeerEnd, type PeerEvents } from "./lamp_peer.ts";
import type { AcceptErrorKind } from "./server/accept_error.ts";
import { AcceptLoop, type ConnectionSlot } from "./server/accept_loop.ts";

/** What the hub reports about lamps coming and going. */
export interface LampHubEvents {
  /** A lamp connected; return the frames it must receive first (the current state). */
  onConnect(peer: LampPeer, count: number): readonly Uint8Array[];
  /** A lamp went away (or was dropped as too slow). */
  onDisconnect(peer: LampPeer, end: PeerEnd, count: number): void;
  /**
   * Accepting failed (e.g. too many open files); the hub keeps accepting, after `delayMs` when
   * the process ran out of something (`kind`), at once when a peer caused it.
   */
  onAcceptError(error: Error, kind: AcceptErrorKind, delayMs: number): void;
  /** A lamp over the connection cap was closed at once; `total` counts them since the start. */
  onRefused?(total: number): void;
}

/**
 * Accepts lamps and fans frames out to every one of them.
 *
 * @example
 * ```ts ignore
 * import { LampHub } from "./lamp_hub.ts";
 * const hub = new LampHub(Deno.listen({ hostname: "127.0.0.1", port: 0 }), 1 << 20, events, 10_000);
 * hub.broadcast(new Uint8Array([0x12, 0, 0]));
 * ```
 */
export class LampHub {
  #queueLimit: number;
  #events: LampHubEvents;
  #fanout: FanoutLoop;
  #peerEvents: PeerEvents;
  #loop: AcceptLoop<Deno.Conn>;

  /**
   * Starts accepting at once.
   * @param listener The listener for lamps (TCP, or TLS).
   * @param queueLimit Bytes a lamp may have queued before it is dropped.
   * @param events Callbacks for connects, disconnects and accept errors.
   * @param maxConnections Most lamps connected at once; more are closed at once.
   */
  constructor(
    listener: Deno.Listener<Deno.Conn>,
    queueLimit: number,
    events: LampHubEvents,
    maxConnections = Infinity,
  ) {
    this.#queueLimit = queueLimit;
    this.#events = events;
    this.#fanout = new FanoutLoop({ queueLimit });
    this.#peerEvents = {
      onEnd: (peer, end) => {
        peer.slot.release();
        if (this.#fanout.remove(peer)) events.onDisconnect(peer, end, this.#fanout.count);
      },
      onCaughtUp: (peer) => this.#fanout.caughtUp(peer),
    };
    this.#loop = new AcceptLoop(listener, {
      maxConnections,
      onConnection: (conn, slot) => this.#admit(conn, slot),
      onRefused: (total) => events.onRefused?.(total),
      onAcceptError: (error, kind, delayMs) => events.onAcceptError(error, kind, delayMs),
    });
  }

  /** How many lamps are connected. */
  get count(): number {
    return this.#fanout.count;
  }

  /** Bytes queued for all lamps and not yet written (walks the lamps: for scrapes, not hot paths). */
  get queuedBytes(): number {
    return this.#fanout.queuedBytes;
  }

  /** Lamps connected now, as the accept loop counts them (the same as {@linkcode count}). */
  get connections(): number {
    return this.#loop.open;
  }

  /** The cap on connected lamps; lowering it below the count drops the newest lamps. */
  get maxConnections(): number {
    return this.#loop.maxConnections;
  }

  set maxConnections(cap: number) {
    this.#loop.maxConnections = cap;
  }

  /**
   * Queues one frame for every connected lamp.
   * @param frame The encoded frame.
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number {
    return this.#fanout.broadcast(frame);
  }

  /**
   * Stops accepting and closes every lamp cleanly (each reads EOF).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.#loop.close();
    await this.#fanout.flush(timeoutMs);
    await Promise.all(this.#fanout.peers().map((peer) => peer.close(timeoutMs)));
  }

  #admit(conn: Deno.Conn, slot: ConnectionSlot): void {
    const peer = new LampPeer(conn, slot, this.#queueLimit, this.#peerEvents);
    slot.onAbort = (reason) => peer.drop(`dropped: ${reason.message}`);
    this.#fanout.add(peer, this.#events.onConnect(peer, this.#fanout.count + 1));
  }
}
