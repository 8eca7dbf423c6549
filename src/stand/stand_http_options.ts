/**
 * The options the stand gives its two HTTP servers (API and page): budgets and reports through the
 * connection guard, the body limits, JSON refusals, and refused requests logged as `api_error`.
 *
 * @module
 */
import type { ConnectionGuard } from "./connection_guard.ts";
import type { HttpListenOptions, TlsKeyPair } from "./http_listener.ts";
import { jsonResponse } from "./json_response.ts";
import type { HttpErrorReport } from "./server/http_options.ts";

/** What the options are built from. */
export interface StandHttpContext {
  /** The port. */
  readonly service: "api" | "web";
  /** The stand's connection guard. */
  readonly guard: ConnectionGuard;
  /** Largest request body, in bytes. */
  readonly bodyLimit: number;
  /** Time for a request body, in ms. */
  readonly bodyTimeoutMs: number;
  /** The port's TLS key pair, for HTTPS. */
  readonly tls?: TlsKeyPair;
  /** Called for each connection closed at once because the port was full (default: the guard's). */
  readonly onRefused?: (total: number) => void;
  /** Called for each idle or upgraded connection closed to admit a new one (default: the guard's). */
  readonly onShed?: (total: number) => void;
  /** Called with the status of each request the server itself refused (to count it). */
  readonly onRefusal?: (status: number) => void;
  /** Called for each failed TLS handshake (default: the guard's). */
  readonly onHandshakeError?: (error: Error) => void;
}

/**
 * Builds the server options for one of the stand's HTTP ports.
 *
 * @param context The port, the guard (which logs) and the limits.
 * @returns Options for `listenHttp`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnectionGuard } from "./connection_guard.ts";
 * import { standHttpOptions } from "./stand_http_options.ts";
 * const guard = new ConnectionGuard({ lamps: 10, api: 5, web: 5 }, () => {});
 * const options = standHttpOptions({ service: "api", guard, bodyLimit: 16384, bodyTimeoutMs: 1000 });
 * assertEquals(options.maxConnections, 5);
 * ```
 */
export function standHttpOptions(
  context: StandHttpContext,
): HttpListenOptions {
  const { service, guard } = context;
  const timedOut = guard.timedOut(service);
  return {
    maxConnections: guard.budgets[service],
    maxBodyBytes: context.bodyLimit,
    bodyTimeoutMs: context.bodyTimeoutMs,
    errorResponse: (status, message) => jsonResponse(status, { ok: false, error: message }),
    onError: (report: HttpErrorReport) => {
      if (report.status === 0) return timedOut();
      context.onRefusal?.(report.status);
      guard.apiError({
        event: "api_error",
        status: report.status,
        error: report.message,
        method: report.method ?? "",
        path: report.path ?? "",
      }, report.status >= 500 ? "error" : "warn");
    },
    onRefused: context.onRefused ?? guard.refused(service),
    onShed: context.onShed ?? guard.shed(service),
    onAcceptError: guard.acceptError(service),
    tls: context.tls,
    onHandshakeError: context.onHandshakeError ?? guard.handshakeFailed(service),
  };
}
