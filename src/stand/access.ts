/**
 * Who may talk to the stand's HTTP ports: the `Host` a request names (so a page on another site
 * that rebinds its name to this machine is refused) and, when a token is set, the bearer token.
 *
 * @module
 */
import type { LogRecord } from "../log/log_line.ts";
import { ApiError } from "./api_error.ts";

/** What access checks compare against. */
export interface AccessOptions {
  /** The interface the stand is bound to (`--host`). */
  readonly hostname: string;
  /** Further host names requests may use (`--allow-host`). */
  readonly allowHosts: readonly string[];
  /** The API token; none means no authentication. */
  readonly token?: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The warning a stand logs when its API and page take commands from anyone who reaches them:
 * bound beyond loopback without a token (`--insecure-no-auth`).
 *
 * @param options The stand's interface and token.
 * @returns The `no_token` record, or `undefined` when loopback or a token guards the ports.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { noTokenWarning } from "./access.ts";
 * assertEquals(noTokenWarning({ hostname: "127.0.0.1" }), undefined);
 * assertEquals(noTokenWarning({ hostname: "0.0.0.0" })?.event, "no_token");
 * ```
 */
export function noTokenWarning(
  options: { readonly hostname: string; readonly token?: string },
): LogRecord | undefined {
  if (isLoopback(options.hostname) || options.token !== undefined) return undefined;
  return {
    event: "no_token",
    host: options.hostname,
    reason:
      `the API and the page on ${options.hostname} take commands from anyone who reaches them (no token: --insecure-no-auth)`,
  };
}

/**
 * Tells whether an interface is loopback only (`127.0.0.0/8`, `::1`, `localhost`).
 *
 * @param hostname A host name or address, IPv6 without brackets.
 * @returns `true` for loopback.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isLoopback } from "./access.ts";
 * assertEquals([isLoopback("127.0.0.1"), isLoopback("::1"), isLoopback("0.0.0.0")], [true, true, false]);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === "localhost" || name.endsWith(".localhost") || name === "::1" ||
    (IPV4.test(name) && name.startsWith("127."));
}

function isWildcard(hostname: string): boolean {
  return hostname === "0.0.0.0" || hostname === "::";
}

/** The host name of a `Host` header, without port and brackets, lower case; `null` when malformed. */
function hostOf(header: string): string | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(header.trim());
  if (!match) return null;
  return (match[1] ?? match[2]).toLowerCase().replace(/\.$/, "");
}

/**
 * Tells whether a request's `Host` is one this stand answers to: a loopback name or address,
 * the address it is bound to, a name given with `--allow-host`, or, when bound to every
 * interface, any IP address (a rebinding page always uses a name).
 *
 * @param header The `Host` header (`null` when absent).
 * @param options What is allowed.
 * @returns `true` when allowed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hostAllowed } from "./access.ts";
 * const options = { hostname: "127.0.0.1", allowHosts: ["lamps.lan"] };
 * assertEquals(hostAllowed("127.0.0.1:9000", options), true);
 * assertEquals(hostAllowed("lamps.lan:9000", options), true);
 * assertEquals(hostAllowed("evil.example:9000", options), false);
 * ```
 */
export function hostAllowed(header: string | null, options: AccessOptions): boolean {
  if (header === null) return false;
  const host = hostOf(header);
  if (host === null) return false;
  if (isLoopback(host) || host === options.hostname.toLowerCase()) return true;
  if (options.allowHosts.some((name) => name.toLowerCase() === host)) return true;
  return isWildcard(options.hostname) && (IPV4.test(host) || host.includes(":"));
}

/**
 * Refuses a request whose `Host` is not allowed (421, naming the flag that allows it).
 *
 * @param request The request.
 * @param options What is allowed.
 * @throws {ApiError} 421 when refused.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkHost } from "./access.ts";
 * const request = new Request("http://evil.example:9000/status");
 * assertThrows(() => checkHost(request, { hostname: "127.0.0.1", allowHosts: [] }), Error, "--allow-host");
 * ```
 */
export function checkHost(request: Request, options: AccessOptions): void {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (!hostAllowed(host, options)) {
    throw new ApiError(
      421,
      `this stand does not answer to host ${
        JSON.stringify(host.slice(0, 100))
      } (allow it with --allow-host)`,
    );
  }
}

/**
 * Compares two strings in time that depends only on their lengths (no early exit on the first
 * difference, so the token cannot be guessed byte by byte from response times).
 *
 * @param given What the client sent.
 * @param expected The token.
 * @returns `true` when they are equal.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sameSecret } from "./access.ts";
 * assertEquals([sameSecret("abc", "abc"), sameSecret("abd", "abc"), sameSecret("ab", "abc")], [true, false, false]);
 * ```
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i % (a.length || 1)] ?? 0) ^ b[i];
  return difference === 0;
}

/**
 * Refuses a request without the right `Authorization: Bearer` token (401), when a token is set.
 *
 * @param request The request.
 * @param token The token, if any.
 * @throws {ApiError} 401 when the token is missing or wrong.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkToken } from "./access.ts";
 * const request = new Request("http://127.0.0.1:9000/", { headers: { authorization: "Bearer nope" } });
 * assertThrows(() => checkToken(request, "s3cret"), Error, "token");
 * ```
 */
export function checkToken(request: Request, token: string | undefined): void {
  if (token === undefined) return;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (given === undefined || !sameSecret(given, token)) {
    throw new ApiError(
      401,
      given === undefined ? "this stand needs a token: Authorization: Bearer TOKEN" : "wrong token",
      { "www-authenticate": 'Bearer realm="flashlight"' },
    );
  }
}

/** The WebSocket subprotocol the page asks for; the token travels as a second one, encoded. */
export const WS_PROTOCOL = "flashlight";
const TOKEN_PROTOCOL = "flashlight.token.";

/**
 * The token a WebSocket handshake offers as a subprotocol (`flashlight.token.<base64url>`), since
 * a browser cannot set headers on a WebSocket.
 *
 * @param request The upgrade request.
 * @returns The token, or `undefined`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { socketToken } from "./access.ts";
 * const request = new Request("http://x/ws", {
 *   headers: { "sec-websocket-protocol": "flashlight, flashlight.token.czNjcmV0" },
 * });
 * assertEquals(socketToken(request), "s3cret");
 * ```
 */
export function socketToken(request: Request): string | undefined {
  const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) =>
    p.trim()
  );
  const encoded = offered.find((protocol) => protocol.startsWith(TOKEN_PROTOCOL))?.slice(
    TOKEN_PROTOCOL.length,
  );
  if (!encoded || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  try {
    const binary = atob(encoded.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}
