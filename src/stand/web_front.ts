/**
 * The web port in a lamp worker: with lamp workers, each listens on the web port too (shared
 * through `SO_REUSEPORT`, as the lamp port), serves `GET /lamp` itself, so a WebSocket lamp is a
 * lamp of the worker that accepted it, and lends every other connection, unanswered, to the main
 * thread, which serves the page, its WebSocket and the rest as on a port of its own
 * (`lent_conn.ts`). Each worker holds a share of the port's budget; its refusals and errors are
 * reported to the stand, which counts and logs them.
 *
 * @module
 */
import { type AccessOptions, checkHost } from "./access.ts";
import type { ApiError } from "./api_error.ts";
import { toApiError } from "./api_handler.ts";
import { listenPort, type TlsKeyPair } from "./http_listener.ts";
import type { LampConnection } from "./lamp_peer.ts";
import { lampRoute } from "./lamp_route.ts";
import { jsonResponse } from "./json_response.ts";
import { routeTable } from "./route_table.ts";
import type { AcceptErrorKind } from "./server/accept_error.ts";
import { type HttpServer, serveHttp } from "./server/http_server.ts";
import { claimConnection, type ConnPlace } from "./server/http_upgrade.ts";
import type { LentConnInfo } from "./server/lent_conn.ts";

/** How a worker serves the web port (structured-cloned from the stand). */
export interface WebFrontConfig {
  /** The interface. */
  readonly hostname: string;
  /** The web port (bound by every worker). */
  readonly port: number;
  /** The accept queue of this worker's listener. */
  readonly backlog: number;
  /** HTTPS with this key pair (and client certificates when it names a CA). */
  readonly tls?: TlsKeyPair;
  /**
   * This worker's share of the web port's budget: a full share sheds its own longest idle
   * connection (a worker cannot close another's), so each worker has a budget of its own.
   */
  readonly maxConnections: number;
  /** The Host allow-list and the token. */
  readonly access: AccessOptions;
  /** Largest request body, in bytes. */
  readonly bodyLimit: number;
  /** Time for a request body, in ms. */
  readonly bodyTimeoutMs: number;
}

/** A refused request, as the stand logs it (`api_error`). */
export interface WebRefusal {
  /** The status answered. */
  readonly status: number;
  /** Why. */
  readonly error: string;
  /** The request's method. */
  readonly method: string;
  /** The request's path. */
  readonly path: string;
}

/** What the web port reports to the stand. */
export interface WebFrontEvents {
  /** A request was refused (logged as `api_error` at `level`). */
  onRefusal(refusal: WebRefusal, level: "warn" | "error"): void;
  /** A request head did not arrive in time. */
  onTimedOut(): void;
  /** A connection over the budget was closed; `total` counts this worker's since its start. */
  onRefused(total: number): void;
  /** An idle or handed-over connection was closed for a newcomer; `total` as for `onRefused`. */
  onShed(total: number): void;
  /** `accept()` failed. */
  onAcceptError(error: Error, kind: AcceptErrorKind, delayMs: number): void;
  /** A TLS handshake failed. */
  onHandshakeError(error: Error): void;
}

/** What the worker gives the web port. */
export interface WebFrontHooks {
  /** Takes a WebSocket lamp as one of the worker's (`false`: no place in the lamp budget). */
  admit(lamp: LampConnection): boolean;
  /**
   * Lends a connection to the main thread, which keeps `place` (in this worker's budget) up to
   * date as it serves it; resolves when it is closed.
   */
  lend(
    conn: Deno.Conn,
    first: Uint8Array,
    info: LentConnInfo,
    signal: AbortSignal,
    place: ConnPlace,
  ): Promise<void>;
  /** Where events go. */
  readonly events: WebFrontEvents;
}

/**
 * Listens on the web port beside the other workers and serves it.
 *
 * @param config The port, TLS, budget, access and limits.
 * @param hooks Where lamps, other connections and events go.
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} When the port cannot be shared.
 * @example
 * ```ts ignore
 * import { openWebFront } from "./web_front.ts";
 * const server = openWebFront(config, { admit, lend, events });
 * await server.close();
 * ```
 */
export function openWebFront(config: WebFrontConfig, hooks: WebFrontHooks): HttpServer {
  const { hostname, port, backlog, tls, access } = config;
  const { events } = hooks;
  const listener = listenPort({
    hostname,
    port,
    backlog,
    reusePort: true,
    tls,
    onHandshakeError: events.onHandshakeError,
  });
  const onError = (error: ApiError, request: Request) =>
    events.onRefusal({
      status: error.status,
      error: error.message,
      method: request.method,
      path: URL.parse(request.url)?.pathname ?? "?",
    }, "warn");
  const lamps = routeTable(
    { "/lamp": { GET: lampRoute({ token: access.token, admit: hooks.admit }) } },
    { onError, toApiError, guard: (request) => checkHost(request, access) },
  );
  return serveHttp(listener, (request, info) => {
    if (request.method === "GET" && URL.parse(request.url)?.pathname === "/lamp") {
      return lamps(request);
    }
    const lent = { remote: info.remote, local: info.local, secure: tls !== undefined };
    return claimConnection(
      request,
      (conn, first, signal, place) => hooks.lend(conn, first, lent, signal, place),
    );
  }, {
    maxConnections: config.maxConnections,
    maxBodyBytes: config.bodyLimit,
    bodyTimeoutMs: config.bodyTimeoutMs,
    errorResponse: (status, message) => jsonResponse(status, { ok: false, error: message }),
    onError: (report) => {
      if (report.status === 0) return events.onTimedOut();
      events.onRefusal({
        status: report.status,
        error: report.message,
        method: report.method ?? "",
        path: report.path ?? "",
      }, report.status >= 500 ? "error" : "warn");
    },
    onRefused: events.onRefused,
    onShed: events.onShed,
    onAcceptError: events.onAcceptError,
  });
}
