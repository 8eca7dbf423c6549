/**
 * An HTTP server that can always be stopped, even while a client is stuck mid-request.
 *
 * @module
 */

/** A running HTTP server. */
export interface HttpListener {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting and closes every connection, finished or not. */
  close(): Promise<void>;
}

/**
 * Starts `Deno.serve` on an address. Closing aborts its signal rather than calling the graceful
 * `shutdown()`, which would wait forever for a client that never finishes its body (and, on
 * Deno 2.9, cannot be combined with a later abort).
 *
 * @param hostname The interface.
 * @param port The port (0: any free one).
 * @param handler The request handler.
 * @returns The listener.
 * @example
 * ```ts
 * import { listenHttp } from "./http_listener.ts";
 * const server = listenHttp("127.0.0.1", 0, () => new Response("ok"));
 * await server.close();
 * ```
 */
export function listenHttp(
  hostname: string,
  port: number,
  handler: (request: Request) => Response | Promise<Response>,
): HttpListener {
  const stop = new AbortController();
  const server = Deno.serve({ hostname, port, signal: stop.signal, onListen: () => {} }, handler);
  return {
    port: server.addr.port,
    close: () => {
      stop.abort();
      return server.finished;
    },
  };
}
