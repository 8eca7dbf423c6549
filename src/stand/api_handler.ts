/**
 * The JSON API (port 9000): `POST /` sends a command, `GET /` says where the page is and what the
 * API's paths do, `GET /status` reports the stand, `GET /metrics` its metrics, `GET /healthz` and
 * `GET /readyz` its health.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import { ApiError } from "./api_error.ts";
import { commandUsages, parseApiRequest } from "./api_request.ts";
import { BrokerUnavailableError } from "./broker/broker.ts";
import { isSameOriginOrNone, jsonResponse } from "./json_response.ts";
import { readLimitedBody } from "./read_body.ts";
import type { StandStatus } from "./status.ts";
import type { StandMetrics } from "./metrics.ts";
import type { Readiness } from "./readiness.ts";
import type { Routes } from "./route_table.ts";
import type { SendResult } from "../commands/send_result.ts";

/** What the API needs from the stand. */
export interface ApiContext {
  /** The command table. */
  readonly table: CommandTable;
  /** Sends a checked command to every lamp (through the broker). */
  send(outgoing: OutgoingCommand): Promise<SendResult>;
  /** The stand's status (`fleet`: with counts summed over all instances). */
  status(fleet: boolean): Promise<StandStatus>;
  /** Largest body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Time allowed for the whole body, in ms. */
  readonly bodyTimeoutMs: number;
  /** The metrics, for `GET /metrics`. */
  readonly metrics: StandMetrics;
  /** Whether the stand can deliver commands now, and if not, why (for `GET /readyz`). */
  ready(): Readiness;
  /** The page's port and whether it is served over TLS, for `GET /` to point to (none: unnamed). */
  readonly page?: () => PagePort | undefined;
}

/** Where the stand serves its page. */
export interface PagePort {
  /** The web port. */
  readonly port: number;
  /** Whether the page is served over TLS (`https`). */
  readonly tls: boolean;
}

/** What each route does, as `GET /` lists it (a test holds it to the routes). */
const PATHS: Readonly<Record<string, string>> = {
  "POST /": 'sends a command to every lamp: {"method":"message","params":{"command":…,' +
    '"value":…}}, or a raw frame: {"method":"frame","params":{"type":0-255,"value":"hex"}}',
  "GET /status": "the stand: lamps, browsers, the lamp's state, the last command, the broker " +
    "(?fleet=1: summed over every instance)",
  "GET /metrics": "the metrics, in the Prometheus text format",
  "GET /healthz": "200 while the process runs",
  "GET /readyz": "200 when the stand can deliver commands, else 503 and why",
};

/**
 * The answer to `GET /`: the page's URL (at the host the client asked for), the API's paths and
 * the commands `POST /` takes.
 */
function apiHelp(context: ApiContext, url: URL): Record<string, unknown> {
  const page = context.page?.();
  return {
    ok: true,
    ...(page && { page: `${page.tls ? "https" : "http"}://${url.hostname}:${page.port}/` }),
    paths: PATHS,
    commands: commandUsages(context.table),
  };
}

/** `?fleet=`: 1 or true asks for the fleet's counts; 0, false or none does not; else 400. */
function fleetParam(url: URL): boolean {
  const value = url.searchParams.get("fleet");
  if (value === null || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new ApiError(
    400,
    `fleet must be 1 or true (or 0, false), got ${JSON.stringify(value.slice(0, 20))}`,
  );
}

/**
 * Parses a JSON body into a command, as the API and the page's WebSocket both do.
 * @param bytes The body.
 * @param table The command table.
 * @returns The checked command.
 * @throws {ApiError} 400 for bad UTF-8, bad JSON or a wrong shape; 422 for bad values.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseCommandJson } from "./api_handler.ts";
 * import { createCommandTable } from "../commands/command_table.ts";
 * const body = new TextEncoder().encode('{"method":"message","params":{"command":"ON"}}');
 * assertEquals(parseCommandJson(body, createCommandTable()).command, "ON");
 * ```
 */
export function parseCommandJson(bytes: Uint8Array, table: CommandTable): OutgoingCommand {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ApiError(400, `malformed JSON: ${(error as Error).message}`, {}, { cause: error });
  }
  return parseApiRequest(body, table);
}

/**
 * The answer for any error on the request path: API errors as they are, an unavailable broker as
 * 503, anything else as 500 (and reported on stderr: it is a bug).
 * @param error What was thrown.
 * @returns The error to answer with.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { toApiError } from "./api_handler.ts";
 * import { BrokerUnavailableError } from "./broker/broker.ts";
 * assertEquals(toApiError(new BrokerUnavailableError("down")).status, 503);
 * ```
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof BrokerUnavailableError) {
    return new ApiError(503, error.message, {}, { cause: error });
  }
  console.error(error);
  return new ApiError(500, "internal error");
}

/**
 * The API's routes.
 *
 * @param context The stand's side.
 * @returns The route table's entries.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { apiRoutes } from "./api_handler.ts";
 * import { StandMetrics } from "./metrics.ts";
 * import { createCommandTable } from "../commands/command_table.ts";
 * const routes = apiRoutes({
 *   table: createCommandTable(),
 *   send: () => Promise.reject(new Error("unused")),
 *   status: () => Promise.reject(new Error("unused")),
 *   bodyLimit: 16384,
 *   bodyTimeoutMs: 1000,
 *   metrics: new StandMetrics(),
 *   ready: () => ({ ready: true }),
 * });
 * assertEquals(Object.keys(routes), ["/", "/status", "/metrics", "/healthz", "/readyz"]);
 * ```
 */
export function apiRoutes(context: ApiContext): Routes {
  return {
    "/": {
      POST: async (request, url) => {
        if (!isSameOriginOrNone(request, url)) {
          throw new ApiError(
            403,
            `requests from another site are refused (Origin: ${request.headers.get("origin")})`,
          );
        }
        const bytes = await readLimitedBody(request, context.bodyLimit, context.bodyTimeoutMs);
        const result = await context.send(parseCommandJson(bytes, context.table));
        return jsonResponse(200, { ok: true, ...result });
      },
      GET: (_request, url) => jsonResponse(200, apiHelp(context, url)),
    },
    "/status": {
      GET: async (_request, url) => jsonResponse(200, await context.status(fleetParam(url))),
    },
    "/metrics": {
      GET: () =>
        new Response(context.metrics.text(), {
          headers: { "content-type": context.metrics.contentType, "cache-control": "no-store" },
        }),
    },
    "/healthz": { GET: () => jsonResponse(200, { ok: true }) },
    "/readyz": {
      GET: () => {
        const now = context.ready();
        return now.ready
          ? jsonResponse(200, { ok: true })
          : jsonResponse(503, { ok: false, error: now.reason });
      },
    },
  };
}
