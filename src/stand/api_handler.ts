/**
 * The JSON API (port 9000): `POST /` sends a command, `GET /status` reports the stand.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import { ApiError } from "./api_error.ts";
import { BrokerUnavailableError } from "./broker/broker.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import { parseApiRequest } from "./api_request.ts";
import { isSameOriginOrNone, jsonResponse } from "./json_response.ts";
import { readLimitedBody } from "./read_body.ts";
import type { SendResult } from "./stand_core.ts";

/** What the API handler needs from the stand. */
export interface ApiContext {
  /** The command table. */
  readonly table: CommandTable;
  /** Sends a checked command to every lamp (through the broker). */
  send(outgoing: OutgoingCommand): Promise<SendResult>;
  /** The stand's status as JSON-ready data (`fleet`: summed over all instances). */
  status(fleet: boolean): Promise<Record<string, unknown>>;
  /** Largest body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Time allowed for the whole body, in ms. */
  readonly bodyTimeoutMs: number;
  /** Reports a refused request. */
  onError(error: ApiError, request: Request): void;
}

/**
 * Parses a JSON body into a command, as the API and the page's WebSocket both do.
 * @param bytes The body.
 * @param table The command table.
 * @returns The checked command.
 * @throws {ApiError} 400 for bad UTF-8, bad JSON or a wrong shape; 422 for bad values.
 * @example
 * ```ts
 * import { parseCommandJson } from "./api_handler.ts";
 * import { createCommandTable } from "../commands/command_table.ts";
 * const body = new TextEncoder().encode('{"method":"message","params":{"command":"ON"}}');
 * parseCommandJson(body, createCommandTable()).command; // "ON"
 * ```
 */
export function parseCommandJson(bytes: Uint8Array, table: CommandTable): OutgoingCommand {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ApiError(400, `malformed JSON: ${(error as Error).message}`);
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
 * import { toApiError } from "./api_handler.ts";
 * import { BrokerUnavailableError } from "./broker/broker.ts";
 * toApiError(new BrokerUnavailableError("down")).status; // 503
 * ```
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof BrokerUnavailableError) return new ApiError(503, error.message);
  console.error(error);
  return new ApiError(500, "internal error");
}

async function handle(request: Request, context: ApiContext): Promise<Response> {
  const { pathname, searchParams } = new URL(request.url);
  if (pathname === "/status") {
    if (request.method !== "GET") {
      throw new ApiError(405, `${request.method} not allowed on /status (use GET)`);
    }
    return jsonResponse(200, await context.status(searchParams.get("fleet") === "1"));
  }
  if (pathname !== "/") {
    throw new ApiError(404, `no such path: ${pathname} (use POST / or GET /status)`);
  }
  if (request.method !== "POST") {
    throw new ApiError(405, `${request.method} not allowed on / (use POST)`);
  }
  if (!isSameOriginOrNone(request)) {
    throw new ApiError(
      403,
      `requests from another site are refused (Origin: ${request.headers.get("origin")})`,
    );
  }
  const bytes = await readLimitedBody(request, context.bodyLimit, context.bodyTimeoutMs);
  const result = await context.send(parseCommandJson(bytes, context.table));
  return jsonResponse(200, { ok: true, ...result });
}

/**
 * Builds the API's request handler; every refused request gets a JSON error and the stand goes on.
 *
 * @param context The stand's side.
 * @returns A handler for `Deno.serve`.
 * @example
 * ```ts ignore
 * import { createApiHandler } from "./api_handler.ts";
 * Deno.serve({ port: 9000 }, createApiHandler(context));
 * ```
 */
export function createApiHandler(context: ApiContext): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await handle(request, context);
    } catch (error) {
      const refusal = toApiError(error);
      context.onError(refusal, request);
      const headers: Record<string, string> = {};
      if (refusal.status === 405) {
        headers.allow = new URL(request.url).pathname === "/status" ? "GET" : "POST";
      }
      // A body left unread (too large, too slow) must not keep the connection open.
      if (refusal.status === 408 || refusal.status === 413) headers.connection = "close";
      return jsonResponse(refusal.status, { ok: false, error: refusal.message }, headers);
    }
  };
}
