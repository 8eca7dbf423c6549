/**
 * The stand's two HTTP ports, the JSON API and the page: each its route table behind the access
 * checks (the Host allow-list; the token on the API but for health checks, on the page's
 * WebSocket), bound with its budget, announced (`listening`) and closed the same way.
 *
 * @module
 */
import type { Level } from "../log/level.ts";
import type { LogRecord } from "../log/log_line.ts";
import { checkHost, checkToken } from "./access.ts";
import type { ApiError } from "./api_error.ts";
import { type ApiContext, apiRoutes, toApiError } from "./api_handler.ts";
import { bindPort, reachableHost } from "./bind_port.ts";
import { listenHttp } from "./http_listener.ts";
import type { PortEvents } from "./port_events.ts";
import { type Routes, routeTable } from "./route_table.ts";
import type { ConnQueue } from "./server/conn_queue.ts";
import { type HttpServer, serveHttp } from "./server/http_server.ts";
import { standHttpOptions } from "./stand_http_options.ts";
import type { StandOptions } from "./stand_options.ts";
import { type WebContext, webRoutes } from "./web_handler.ts";

/** API paths answered without a token: health checks (they tell nothing about the lamps). */
const OPEN_PATHS = new Set(["/healthz", "/readyz"]);

/** What both ports are opened with. */
export interface HttpPortContext {
  /** The stand's options (host, ports, TLS, access, body limits). */
  readonly options: StandOptions;
  /** The port events (refusals, sheds, refused requests). */
  readonly events: PortEvents;
  /** The stand's log (`listening`). */
  readonly log: (record: LogRecord, level: Level) => void;
}

/**
 * Opens the JSON API's port.
 *
 * @param context What the port is opened with.
 * @param api What the API serves.
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} When the port is taken (said with `--api-port`).
 */
export function openApiPort(
  context: HttpPortContext,
  api: Omit<ApiContext, "bodyLimit" | "bodyTimeoutMs">,
): HttpServer {
  const { options } = context;
  const routes = apiRoutes({
    ...api,
    bodyLimit: options.bodyLimit,
    bodyTimeoutMs: options.bodyTimeoutMs,
  });
  return openPort("api", context, routes, (request, url) => {
    checkHost(request, options);
    if (!OPEN_PATHS.has(url.pathname)) checkToken(request, options.token);
  });
}

/**
 * Opens the page's port, or serves the connections to it that lamp workers lend (they listen on
 * it, and hold its budget and TLS).
 *
 * @param context What the port is opened with.
 * @param web What the page serves.
 * @param lent The connections lamp workers lend (`null`: bind the port here).
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} When the port is taken (said with `--web-port`).
 */
export function openWebPort(
  context: HttpPortContext,
  web: Omit<WebContext, "messageLimit" | "token" | "onError">,
  lent: ConnQueue | null = null,
): HttpServer {
  const { options } = context;
  const routes = webRoutes({
    ...web,
    messageLimit: options.bodyLimit,
    token: options.token,
    onError: refusalLog(context.events),
  });
  return openPort("web", context, routes, (request) => checkHost(request, options), lent);
}

/** Logs (and counts) a request a route refused, as `api_error`. */
function refusalLog(events: PortEvents): (error: ApiError, request: Request) => void {
  return (error, request) =>
    events.apiError({
      event: "api_error",
      status: error.status,
      error: error.message,
      method: request.method,
      path: URL.parse(request.url)?.pathname ?? "?",
    }, "warn");
}

/** Binds one HTTP port with its routes and access check, and announces it. */
function openPort(
  service: "api" | "web",
  { options, events, log }: HttpPortContext,
  routes: Routes,
  guard: (request: Request, url: URL) => void,
  lent: ConnQueue | null = null,
): HttpServer {
  const { hostname } = options;
  const port = service === "api" ? options.apiPort : options.webPort;
  const tls = options.tls?.[service];
  const handler = routeTable(routes, { onError: refusalLog(events), toApiError, guard });
  const httpOptions = standHttpOptions({
    service,
    events,
    bodyLimit: options.bodyLimit,
    bodyTimeoutMs: options.bodyTimeoutMs,
    tls,
  });
  const server = lent
    // Lent connections arrive past the lenders' budget, and TLS, and have no listener here.
    ? serveHttp(lent.listener, handler, {
      ...httpOptions,
      maxConnections: Infinity,
      onAcceptError: undefined,
    })
    : bindPort(service, hostname, port, () => listenHttp(hostname, port, handler, httpOptions));
  log({
    event: "listening",
    service,
    url: `${tls ? "https" : "http"}://${reachableHost(hostname)}:${server.port}/`,
    host: hostname,
    tls: tls !== undefined,
    ...(tls?.clientCa === undefined ? {} : { client_ca: true }),
  }, "info");
  return server;
}
