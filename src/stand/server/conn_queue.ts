/**
 * A listener whose connections are handed to it (connections another thread accepted and lends,
 * see `lent_conn.ts`), so the server that serves a port's listener serves them the same way.
 *
 * @module
 */

/**
 * Connections in the order they were handed over, taken by `accept` as from a socket listener.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnQueue } from "./conn_queue.ts";
 * const queue = new ConnQueue({ transport: "tcp", hostname: "127.0.0.1", port: 8888 });
 * const conn = {} as Deno.Conn;
 * queue.push(conn);
 * assertEquals(await queue.accept(), conn);
 * queue.close();
 * ```
 */
export class ConnQueue {
  /** The address the connections were accepted on. */
  readonly addr: Deno.NetAddr;
  #waiting: Deno.Conn[] = [];
  #taker: PromiseWithResolvers<Deno.Conn> | null = null;
  #closed = false;

  /**
   * An empty queue.
   * @param addr The address the connections are accepted on (by the threads that lend them).
   */
  constructor(addr: Deno.NetAddr) {
    this.addr = addr;
  }

  /**
   * Hands a connection over; after `close` it is closed at once.
   * @param conn The connection.
   */
  push(conn: Deno.Conn): void {
    if (this.#closed) return conn.close();
    if (!this.#taker) return void this.#waiting.push(conn);
    this.#taker.resolve(conn);
    this.#taker = null;
  }

  /**
   * The next connection handed over.
   * @returns It, once there is one.
   * @throws {Deno.errors.BadResource} Once the queue is closed (as a closed listener does).
   */
  accept(): Promise<Deno.Conn> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("the listener is closed"));
    const next = this.#waiting.shift();
    if (next) return Promise.resolve(next);
    this.#taker = Promise.withResolvers();
    return this.#taker.promise;
  }

  /** Stops taking connections: those not yet accepted are closed, a waiting `accept` fails. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of this.#waiting.splice(0)) conn.close();
    this.#taker?.reject(new Deno.errors.BadResource("the listener is closed"));
    this.#taker = null;
  }

  /** The queue as the listener a server takes (it uses `accept`, `close` and `addr`). */
  get listener(): Deno.Listener<Deno.Conn> {
    return this as unknown as Deno.Listener<Deno.Conn>;
  }
}
