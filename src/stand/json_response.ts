/**
 * JSON responses with the stand's fixed headers (no CORS, no sniffing).
 *
 * @module
 */

/**
 * Builds a JSON response.
 *
 * @param status The HTTP status.
 * @param body The value to serialize.
 * @param headers Extra headers (e.g. `Allow`).
 * @returns The response.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { jsonResponse } from "./json_response.ts";
 * assertEquals(jsonResponse(200, { ok: true }).headers.get("content-type"), "application/json; charset=utf-8");
 * ```
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

/**
 * Tells whether a request comes from no browser page or from this server's own origin; a
 * foreign `Origin` (another site driving localhost) is refused by the callers.
 *
 * @param request The request.
 * @param url Its parsed URL.
 * @returns `true` when there is no `Origin` header or it is the request's own origin.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isSameOriginOrNone } from "./json_response.ts";
 * const url = new URL("http://127.0.0.1:9000/");
 * const request = new Request(url, { headers: { origin: "https://evil.example" } });
 * assertEquals(isSameOriginOrNone(request, url), false);
 * ```
 */
export function isSameOriginOrNone(request: Request, url: URL): boolean {
  const origin = request.headers.get("origin");
  return origin === null || origin === url.origin;
}
