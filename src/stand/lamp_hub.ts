/**
 * The stand's lamp side: accepts lamps over TCP and sends every frame to all of them.
 *
 * @module
 */
import { LampPeer, type PeerEnd } from "./lamp_peer.ts";

/** What the hub reports about lamps coming and going. */
export interface LampHubEvents {
  /** A lamp connected; return the frames it must receive first (the current state). */
  onConnect(peer: LampPeer, count: number): readonly Uint8Array[];
  /** A lamp went away (or was dropped as too slow). */
  onDisconnect(peer: LampPeer, end: PeerEnd, count: number): void;
  /** Accepting failed (e.g. too many open files); the hub keeps accepting. */
  onAcceptError(error: Error): void;
}

/**
 * Accepts lamps and fans frames out to every one of them.
 *
 * @example
 * ```ts ignore
 * import { LampHub } from "./lamp_hub.ts";
 * const hub = new LampHub(Deno.listen({ hostname: "127.0.0.1", port: 0 }), 1 << 20, events);
 * hub.broadcast(new Uint8Array([0x12, 0, 0]));
 * ```
 */
export class LampHub {
  #listener: Deno.TcpListener;
  #queueLimit: number;
  #events: LampHubEvents;
  #peers = new Set<LampPeer>();
  #accepting: Promise<void>;

  /**
   * Starts accepting at once.
   * @param listener The TCP listener for lamps.
   * @param queueLimit Bytes a lamp may have queued before it is dropped.
   * @param events Callbacks for connects, disconnects and accept errors.
   */
  constructor(listener: Deno.TcpListener, queueLimit: number, events: LampHubEvents) {
    this.#listener = listener;
    this.#queueLimit = queueLimit;
    this.#events = events;
    this.#accepting = this.#acceptLoop();
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
    this.#listener.close();
    await this.#accepting;
    await Promise.all([...this.#peers].map((peer) => peer.close(timeoutMs)));
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
          return;
        }
        this.#events.onAcceptError(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const peer: LampPeer = new LampPeer(conn, this.#queueLimit, (end) => {
        if (this.#peers.delete(peer)) this.#events.onDisconnect(peer, end, this.#peers.size);
      });
      this.#peers.add(peer);
      for (const frame of this.#events.onConnect(peer, this.#peers.size)) peer.send(frame);
    }
  }
}
