/**
 * An HTTP server that can always be stopped, even while a client is stuck mid-request, and
 * that survives running out of file descriptors (the stand's own server, not `Deno.serve`).
 *
 * @module
 */
import { ACCEPT_BACKLOG } from "./bind_port.ts";
import type { HttpRequestInfo } from "./server/http_connection.ts";
import { type HttpServer, type HttpServerOptions, serveHttp } from "./server/http_server.ts";
import { listenTls } from "./server/tls_listener.ts";

/** A certificate chain and its private key, as PEM text, and whom the port admits. */
export interface TlsKeyPair {
  /** The certificate chain (PEM). */
  readonly cert: string;
  /** The private key (PEM). */
  readonly key: string;
  /** Only clients with a certificate this CA (PEM) signed may connect (`--tls-client-ca`). */
  readonly clientCa?: string;
}

/** How the stand's HTTP server serves: limits, hooks, the budget, and TLS. */
export interface HttpListenOptions extends HttpServerOptions {
  /** Serve HTTPS with this key pair. */
  readonly tls?: TlsKeyPair;
  /** Called for each failed TLS handshake. */
  readonly onHandshakeError?: (error: Error) => void;
}

/** Where a stand's port listens, and how. */
export interface PortListenOptions {
  /** The interface. */
  readonly hostname: string;
  /** The port (0: any free one). */
  readonly port: number;
  /** The accept queue (default {@linkcode ACCEPT_BACKLOG}). */
  readonly backlog?: number;
  /** Share the port with the other lamp workers (`SO_REUSEPORT`; the stand runs with `--unstable-net`). */
  readonly reusePort?: boolean;
  /** Listen for TLS with this key pair. */
  readonly tls?: TlsKeyPair;
  /** Called for each failed TLS handshake. */
  readonly onHandshakeError?: (error: Error) => void;
}

/**
 * Listens on one of the stand's ports: plain TCP, or TLS (`node:tls` over it) with a key pair.
 *
 * @param options The address, the accept queue, sharing, TLS.
 * @returns The listener.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { listenPort } from "./http_listener.ts";
 * using listener = listenPort({ hostname: "127.0.0.1", port: 0 });
 * assertEquals((listener.addr as Deno.NetAddr).hostname, "127.0.0.1");
 * ```
 */
export function listenPort(options: PortListenOptions): Deno.Listener<Deno.Conn> {
  const { hostname, port, backlog = ACCEPT_BACKLOG, reusePort, tls, onHandshakeError } = options;
  const address = { hostname, port, tcpBacklog: backlog, ...(reusePort ? { reusePort } : {}) };
  return tls ? listenTls({ ...address, ...tls, onHandshakeError }) : Deno.listen(address);
}

/**
 * Starts the stand's HTTP server on an address (HTTPS when `tls` is given).
 *
 * @param hostname The interface.
 * @param port The port (0: any free one).
 * @param handler The request handler.
 * @param options Limits, hooks, the connection budget, and TLS.
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { listenHttp } from "./http_listener.ts";
 * const server = listenHttp("127.0.0.1", 0, () => new Response("ok"));
 * assertEquals(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "ok");
 * await server.close();
 * ```
 */
export function listenHttp(
  hostname: string,
  port: number,
  handler: (request: Request, info: HttpRequestInfo) => Response | Promise<Response>,
  options: HttpListenOptions = {},
): HttpServer {
  const { tls, onHandshakeError, ...serverOptions } = options;
  return serveHttp(listenPort({ hostname, port, tls, onHandshakeError }), handler, serverOptions);
}
