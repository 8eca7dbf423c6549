/**
 * The options the stand gives its two HTTP servers (API and page): budgets and reports through
 * the port events, the body limits, JSON refusals, and refused requests logged as `api_error`.
 *
 * @module
 */
import type { PortEvents } from "./port_events.ts";
import type { HttpListenOptions, TlsKeyPair } from "./http_listener.ts";
import { jsonResponse } from "./json_response.ts";
import type { HttpErrorReport } from "./server/http_options.ts";

/** What the options are built from. */
export interface StandHttpContext {
  /** The port. */
  readonly service: "api" | "web";
  /** The stand's port events (they count and log). */
  readonly events: PortEvents;
  /** Largest request body, in bytes. */
  readonly bodyLimit: number;
  /** Time for a request body, in ms. */
  readonly bodyTimeoutMs: number;
  /** The port's TLS key pair, for HTTPS. */
  readonly tls?: TlsKeyPair;
}

/**
 * Builds the server options for one of the stand's HTTP ports.
 *
 * @param context The port, the port events (which count and log) and the limits.
 * @returns Options for `listenHttp`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PortEvents } from "./port_events.ts";
 * import { standHttpOptions } from "./stand_http_options.ts";
 * const events = new PortEvents({ lamps: 10, api: 5, web: 5 }, () => {});
 * const options = standHttpOptions({ service: "api", events, bodyLimit: 16384, bodyTimeoutMs: 1000 });
 * assertEquals(options.maxConnections, 5);
 * ```
 */
export function standHttpOptions(
  context: StandHttpContext,
): HttpListenOptions {
  const { service, events } = context;
  const timedOut = events.timedOut(service);
  return {
    maxConnections: events.budgets[service],
    maxBodyBytes: context.bodyLimit,
    bodyTimeoutMs: context.bodyTimeoutMs,
    errorResponse: (status, message) => jsonResponse(status, { ok: false, error: message }),
    onError: (report: HttpErrorReport) => {
      if (report.status === 0) return timedOut();
      events.apiError({
        event: "api_error",
        status: report.status,
        error: report.message,
        method: report.method ?? "",
        path: report.path ?? "",
      }, report.status >= 500 ? "error" : "warn");
    },
    onRefused: events.refused(service),
    onShed: events.shed(service),
    onAcceptError: events.acceptError(service),
    tls: context.tls,
    onHandshakeError: events.handshakeFailed(service),
  };
}
