/**
 * The stand's lamp side on one thread: accepts lamps over TCP (or TLS), and takes lamps that came
 * as WebSockets on the page's port; gives each the sync frames, and sends every frame to all of
 * them through the shared fan-out loop.
 *
 * @module
 */
import { closeQuietly } from "../net/close_quietly.ts";
import { LampGroup } from "./lamp_group.ts";
import type { LampConnection } from "./lamp_peer.ts";
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
  #group: LampGroup;
  #loop: AcceptLoop<Deno.Conn>;
  /** Lamps that came another way and found no place in the budget. */
  #refused = 0;
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
    this.#group = new LampGroup(options);
    this.#loop = new AcceptLoop(listener, {
      maxConnections: options.maxConnections ?? Infinity,
      onConnection: (conn, slot) => this.#handshake(conn, slot),
      onRefused: (total) => events.onRefused?.(total + this.#refused),
      onAcceptError: (error, kind, delayMs) => events.onAcceptError(error, kind, delayMs),
    });
  }

  /** How many lamps are connected. */
  get count(): number {
    return this.#group.count;
  }

  /** Bytes queued for all lamps and not yet written (walks the lamps: for scrapes, not hot paths). */
  get queuedBytes(): number {
    return this.#group.queuedBytes;
  }

  /**
   * Queues one frame for every connected lamp.
   * @param frame The encoded frame.
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number {
    return this.#group.broadcast(frame);
  }

  /**
   * Takes a lamp that came another way (a WebSocket on the page's port) as one of this port's:
   * it takes a place in the port's budget, or is refused and counted.
   * @param conn Its connection.
   * @returns Whether it was taken (`false`: no place; the caller closes it).
   */
  admit(conn: LampConnection): boolean {
    const place = this.#loop.takePlace();
    if (!place) {
      this.#options.events.onRefused?.(this.#loop.refused + ++this.#refused);
      return false;
    }
    this.#group.admit(conn, place);
    return true;
  }

  /**
   * Stops accepting, writes what is queued and closes every lamp cleanly (each reads EOF).
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    await this.#loop.close();
    for (const conn of this.#handshaking) closeQuietly(conn);
    await this.#group.close(timeoutMs);
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
    this.#group.admit(conn, slot);
  }
}
