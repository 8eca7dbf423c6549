/**
 * The stand's lamp side on one thread: accepts lamps over TCP (or TLS), gives each the sync
 * frames, and sends every frame to all of them through the shared fan-out loop.
 *
 * @module
 */
import { FanoutLoop } from "./fanout_loop.ts";
import { LampPeer, type PeerEvents } from "./lamp_peer.ts";
import type { LampEvents, LampSide } from "./lamp_side.ts";
import { AcceptLoop, type ConnectionSlot } from "./server/accept_loop.ts";
import type { PortBudget } from "./server/port_budget.ts";

/** How a {@linkcode LampHub} serves its lamps. */
export interface LampHubOptions {
  /** Bytes a lamp may have waiting before it is dropped. */
  readonly queueLimit: number;
  /**
   * Most lamp connections open at once, TLS handshakes included (default: no limit), or a budget
   * shared with the other hubs on the port (lamp workers); more are closed at once.
   */
  readonly maxConnections?: number | PortBudget;
  /** The frames a lamp gets first when it connects (the current state; may be none). */
  readonly sync: () => readonly Uint8Array[];
  /** Callbacks for connects, disconnects, refusals and accept errors. */
  readonly events: LampEvents;
}

/**
 * Accepts lamps and fans frames out to every one of them.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LampHub } from "./lamp_hub.ts";
 * const hub = new LampHub(Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
 *   queueLimit: 1 << 20,
 *   sync: () => [Uint8Array.of(0x13, 0, 0)],
 *   events: { onConnect: () => {}, onDisconnect: () => {}, onAcceptError: () => {} },
 * });
 * assertEquals(hub.broadcast(Uint8Array.of(0x12, 0, 0)), 0); // no lamp yet
 * await hub.close(1000);
 * ```
 */
export class LampHub implements LampSide {
  /** The port lamps connect to. */
  readonly port: number;
  #options: LampHubOptions;
  #fanout: FanoutLoop;
  #peerEvents: PeerEvents;
  #loop: AcceptLoop<Deno.Conn>;
  /** TLS connections whose handshake is not done yet: not lamps until it is. */
  #handshaking = new Set<Deno.Conn>();
  #closing = false;

  /**
   * Starts accepting at once.
   * @param listener The listener for lamps (TCP, or TLS).
   * @param options The queue limit, budget, sync frames and callbacks.
   */
  constructor(listener: Deno.Listener<Deno.Conn>, options: LampHubOptions) {
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#options = options;
    const { events } = options;
    this.#fanout = new FanoutLoop({ queueLimit: options.queueLimit });
    this.#peerEvents = {
      onEnd: (peer, end) => {
        peer.slot.release();
        if (!this.#fanout.remove(peer)) return;
        events.onDisconnect(peer, end, this.#fanout.count);
      },
      onCaughtUp: (peer) => this.#fanout.caughtUp(peer),
    };
    this.#loop = new AcceptLoop(listener, {
      maxConnections: options.maxConnections ?? Infinity,
      onConnection: (conn, slot) => this.#handshake(conn, slot),
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

  /**
   * Queues one frame for every connected lamp.
   * @param frame The encoded frame.
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number {
    return this.#fanout.broadcast(frame);
  }

  /**
   * Stops accepting, writes what is queued and closes every lamp cleanly (each reads EOF).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    await this.#loop.close();
    for (const conn of this.#handshaking) closeQuietly(conn);
    await this.#fanout.flush(timeoutMs);
    await Promise.all(this.#fanout.peers().map((peer) => peer.close(timeoutMs)));
  }

  /**
   * Admits a TCP lamp at once, a TLS one once its handshake is done (and its client certificate,
   * when the port asks for one, verified): a connection that fails it never counts as a lamp.
   * Its place in the budget is held meanwhile.
   */
  #handshake(conn: Deno.Conn, slot: ConnectionSlot): void {
    if (!("handshake" in conn)) return this.#admit(conn, slot);
    this.#handshaking.add(conn);
    slot.onAbort = () => closeQuietly(conn);
    (conn as Deno.TlsConn).handshake().then(
      () => {
        this.#handshaking.delete(conn);
        if (!this.#closing) return this.#admit(conn, slot);
        slot.release();
        closeQuietly(conn);
      },
      () => { // the listener reports why; the connection is closed already
        this.#handshaking.delete(conn);
        slot.release();
        closeQuietly(conn);
      },
    );
  }

  #admit(conn: Deno.Conn, slot: ConnectionSlot): void {
    const peer = new LampPeer(conn, slot, this.#options.queueLimit, this.#peerEvents);
    this.#fanout.add(peer, this.#options.sync());
    this.#options.events.onConnect(peer, this.#fanout.count);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
