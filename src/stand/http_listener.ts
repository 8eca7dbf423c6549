/**
 * An HTTP server that can always be stopped, even while a client is stuck mid-request, and
 * that survives running out of file descriptors (the stand's own server, not `Deno.serve`).
 *
 * @module
 */
import type { HttpRequestInfo } from "./server/http_connection.ts";
import { type HttpServer, type HttpServerOptions, serveHttp } from "./server/http_server.ts";
import { listenTls } from "./server/tls_listener.ts";

/** A certificate chain and its private key, as PEM text. */
export interface TlsKeyPair {
  /** The certificate chain (PEM). */
  readonly cert: string;
  /** The private key (PEM). */
  readonly key: string;
}

/**
 * Starts the stand's HTTP server on an address (HTTPS when `tls` is given).
 *
 * @param hostname The interface.
 * @param port The port (0: any free one).
 * @param handler The request handler.
 * @param options Limits, hooks, the connection cap, and the TLS key pair.
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
  options: HttpServerOptions & { readonly tls?: TlsKeyPair } = {},
): HttpServer {
  const { tls, ...serverOptions } = options;
  const listener = tls
    ? listenTls({ hostname, port, cert: tls.cert, key: tls.key })
    : Deno.listen({ hostname, port });
  return serveHttp(listener, handler, serverOptions);
}
