/**
 * An HTTP/1.1 server on a `Deno.listen` or `listenTls` listener: the stand's accept loop
 * (budget, exhaustion back-off) with {@linkcode serveHttpConnection} on every connection.
 *
 * @module
 */
import type { AcceptErrorKind } from "./accept_error.ts";
import { AcceptLoop } from "./accept_loop.ts";
import { BorrowedConn } from "./lent_conn.ts";
import { type HttpHandler, serveHttpConnection } from "./http_connection.ts";
import { defaultHttpOptions, type HttpOptions } from "./http_options.ts";
import type { PortBudget } from "./port_budget.ts";

/** How long closing waits for handlers still running on connections it has closed. */
const CLOSE_WAIT_MS = 2000;

/** The server's limits and hooks; every field is optional (see {@linkcode defaultHttpOptions}). */
export interface HttpServerOptions extends Partial<HttpOptions> {
  /**
   * Most connections open at once, upgraded ones included (default: no limit), or a budget
   * shared with the servers of other threads on the port. When they are
   * all open, a newcomer takes the place of the longest idle connection, else of the oldest
   * upgraded one (a WebSocket), else it is closed at once.
   */
  readonly maxConnections?: number | PortBudget;
  /** A connection over the budget was closed; `total` counts them since the start. */
  readonly onRefused?: (total: number) => void;
  /**
   * The port was full and the longest idle connection (waiting for a request or the rest of
   * its head), or the oldest upgraded one, was closed to admit a new one; `total` counts them
   * since the start.
   */
  readonly onShed?: (total: number) => void;
  /** `accept()` failed; the server waits `delayMs` before accepting again. */
  readonly onAcceptError?: (error: Error, kind: AcceptErrorKind, delayMs: number) => void;
}

/** A running server. */
export interface HttpServer {
  /** The bound address. */
  readonly addr: Deno.NetAddr;
  /** The bound port (`addr.port`). */
  readonly port: number;
  /** Connections open now (upgraded ones included). */
  readonly connections: number;
  /**
   * Stops accepting, closes every connection (finished or not), and waits until all are gone
   * (at most 2 s for handlers that are still running).
   */
  close(): Promise<void>;
}

/**
 * Serves HTTP on a listener until closed.
 *
 * @param listener A TCP or TLS listener (TLS requests get `https:` URLs).
 * @param handler The request handler: a web `Request` in, a `Response` out.
 * @param options Limits and hooks.
 * @returns The running server.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { serveHttp } from "./http_server.ts";
 * const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), () => new Response("hi"));
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * assertEquals(await response.text(), "hi");
 * await server.close();
 * ```
 */
export function serveHttp(
  listener: Deno.Listener<Deno.Conn>,
  handler: HttpHandler,
  options: HttpServerOptions = {},
): HttpServer {
  const { maxConnections = Infinity, onRefused, onShed, onAcceptError, ...overrides } = options;
  const httpOptions: HttpOptions = { ...defaultHttpOptions(), ...overrides };
  const served = new Set<Promise<void>>();
  const loop = new AcceptLoop(listener, {
    maxConnections,
    onConnection: (conn, slot) => {
      const controller = new AbortController();
      slot.onAbort = (reason) => controller.abort(reason);
      // A lent connection's place is the lender's too: what it does here goes back to its budget.
      const lent = conn instanceof BorrowedConn ? conn : null;
      const done = serveHttpConnection(
        conn,
        handler,
        httpOptions,
        controller.signal,
        (idle) => {
          slot.idle(idle);
          lent?.idle(idle);
        },
        () => {
          slot.upgraded();
          lent?.upgraded();
        },
      );
      served.add(done);
      done.finally(() => {
        served.delete(done);
        slot.release();
      });
    },
    onRefused,
    onShed,
    onAcceptError,
  });
  return {
    addr: listener.addr as Deno.NetAddr,
    port: (listener.addr as Deno.NetAddr).port,
    get connections() {
      return loop.open;
    },
    close: async () => {
      await loop.close();
      loop.abortConnections(new Deno.errors.Interrupted("server closing"));
      // Every connection is closed now; a handler that never returns must not hold the close.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS));
      await Promise.race([Promise.all(served), patience]);
      clearTimeout(timer);
    },
  };
}
