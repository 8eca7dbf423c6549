/**
 * The stand's lamp side: accepts lamps over TCP and sends every frame to all of them.
 *
 * @module
 */
import { LampPeer, type PeerEnd } from "./lamp_peer.ts";
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
  #peers = new Set<LampPeer>();
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
    this.#loop = new AcceptLoop(listener, {
      maxConnections,
      onConnection: (conn, slot) => this.#admit(conn, slot),
      onRefused: (total) => events.onRefused?.(total),
      onAcceptError: (error, kind, delayMs) => events.onAcceptError(error, kind, delayMs),
    });
  }

  /** How many lamps are connected. */
  get count(): number {
    return this.#peers.size;
  }

  /** Bytes queued for all lamps and not yet written (walks the lamps: for scrapes, not hot paths). */
  get queuedBytes(): number {
    let bytes = 0;
    for (const peer of this.#peers) bytes += peer.queuedBytes;
    return bytes;
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
    let reached = 0;
    for (const peer of this.#peers) if (peer.send(frame)) reached++;
    return reached;
  }

  /**
   * Stops accepting and closes every lamp cleanly (each reads EOF).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.#loop.close();
    await Promise.all([...this.#peers].map((peer) => peer.close(timeoutMs)));
  }

  #admit(conn: Deno.Conn, slot: ConnectionSlot): void {
    const peer: LampPeer = new LampPeer(conn, this.#queueLimit, (end) => {
      slot.release();
      if (this.#peers.delete(peer)) this.#events.onDisconnect(peer, end, this.#peers.size);
    });
    slot.onAbort = (reason) => peer.drop(reason.message);
    this.#peers.add(peer);
    for (const frame of this.#events.onConnect(peer, this.#peers.size)) peer.send(frame);
  }
}
