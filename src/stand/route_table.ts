/**
 * One route table per HTTP port: method + path → handler. A path that is not in the table is a
 * 404, a method the path does not take a 405 with `Allow`, `HEAD` is answered wherever `GET` is;
 * a refusal thrown as an {@linkcode ApiError} becomes its JSON answer, anything else a 500.
 *
 * @module
 */
import { ApiError } from "./api_error.ts";
import { jsonResponse } from "./json_response.ts";

/** A handler for one method and path. */
export type RouteHandler = (request: Request, url: URL) => Response | Promise<Response>;

/** The routes of one port: path → method → handler. */
export type Routes = Readonly<Record<string, Readonly<Partial<Record<string, RouteHandler>>>>>;

/** What the table does with refusals. */
export interface RouteTableOptions {
  /** Reports a refused request (4xx/5xx) for the log. */
  readonly onError: (error: ApiError, request: Request) => void;
  /** Turns anything thrown that is not an `ApiError` into one (default: 500, logged as a bug). */
  readonly toApiError?: (error: unknown) => ApiError;
  /** Checks every request before it is routed (the `Host`, a token); throws an `ApiError` to refuse. */
  readonly guard?: (request: Request, url: URL) => void;
}

/**
 * The methods a path takes, as the `Allow` header lists them (`HEAD` with `GET`).
 *
 * @param methods The path's routes.
 * @returns e.g. `"GET, HEAD"`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { allowedMethods } from "./route_table.ts";
 * assertEquals(allowedMethods({ GET: () => new Response() }), "GET, HEAD");
 * ```
 */
export function allowedMethods(methods: Readonly<Partial<Record<string, RouteHandler>>>): string {
  const names = Object.keys(methods);
  if (names.includes("GET") && !names.includes("HEAD")) names.push("HEAD");
  return names.join(", ");
}

/**
 * Builds the request handler of one port from its routes.
 *
 * @param routes The table.
 * @param options Error reporting.
 * @returns A handler for the HTTP server.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { routeTable } from "./route_table.ts";
 * const handle = routeTable({ "/status": { GET: () => new Response("ok") } }, { onError: () => {} });
 * const refused = await handle(new Request("http://x/status", { method: "PUT" }));
 * assertEquals([refused.status, refused.headers.get("allow")], [405, "GET, HEAD"]);
 * assertEquals((await handle(new Request("http://x/nope"))).status, 404);
 * ```
 */
export function routeTable(
  routes: Routes,
  options: RouteTableOptions,
): (request: Request) => Promise<Response> {
  const toApiError = options.toApiError ?? defaultToApiError;
  const known = Object.keys(routes).join(", ");
  return async (request) => {
    try {
      const url = parseUrl(request.url);
      options.guard?.(request, url);
      const methods = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
      if (!methods) throw new ApiError(404, `no such path: ${url.pathname} (paths: ${known})`);
      const head = request.method === "HEAD" && !Object.hasOwn(methods, "HEAD");
      const name = head ? "GET" : request.method;
      const handler = Object.hasOwn(methods, name) ? methods[name] : undefined;
      if (!handler) {
        throw new ApiError(
          405,
          `${request.method} not allowed on ${url.pathname} (use ${allowedMethods(methods)})`,
          { allow: allowedMethods(methods) },
        );
      }
      const response = await handler(request, url);
      return head
        ? new Response(null, { status: response.status, headers: response.headers })
        : response;
    } catch (error) {
      const refusal = toApiError(error);
      options.onError(refusal, request);
      return jsonResponse(refusal.status, { ok: false, error: refusal.message }, refusal.headers);
    }
  };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    throw new ApiError(400, "malformed request target or Host header", { connection: "close" }, {
      cause: error,
    });
  }
}

function defaultToApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  console.error(error);
  return new ApiError(500, "internal error");
}
