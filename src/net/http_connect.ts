/**
 * A tunnel through an HTTP proxy (RFC 9110 §9.3.6, CONNECT): the request, the proxy's answer in
 * words, and the bytes the server sent through the tunnel in the same read.
 *
 * @module
 */
import type { Proxy } from "./proxy.ts";
import { readResponseHead } from "./read_head.ts";
import { RefusedError } from "./refused_error.ts";

/**
 * The CONNECT request for a target.
 *
 * @param target The host and port to reach.
 * @param proxy The proxy (its credentials go as `Proxy-Authorization: Basic`).
 * @returns The request head.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { connectRequest } from "./http_connect.ts";
 * const proxy = { hostname: "p", port: 3128, shown: "http://p:3128" };
 * assertEquals(
 *   connectRequest({ hostname: "::1", port: 9999 }, proxy),
 *   "CONNECT [::1]:9999 HTTP/1.1\r\nHost: [::1]:9999\r\n\r\n",
 * );
 * ```
 */
export function connectRequest(target: { hostname: string; port: number }, proxy: Proxy): string {
  const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
  const authority = `${host}:${target.port}`;
  const auth = proxy.credentials === undefined
    ? ""
    : `Proxy-Authorization: Basic ${
      btoa(String.fromCharCode(...new TextEncoder().encode(proxy.credentials)))
    }\r\n`;
  return `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`;
}

/**
 * What a proxy's refusal means, in words a person can act on.
 *
 * @param status The proxy's status.
 * @param reason Its reason phrase (text from outside: kept to 60 printable ASCII characters).
 * @param target `host:port` the tunnel was for.
 * @param proxy The proxy.
 * @returns The message.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { proxyRefusal } from "./http_connect.ts";
 * const proxy = { hostname: "p", port: 3128, shown: "http://p:3128" };
 * assertStringIncludes(proxyRefusal(407, "", "a:1", proxy), "needs credentials");
 * ```
 */
export function proxyRefusal(status: number, reason: string, target: string, proxy: Proxy): string {
  const printable = reason.slice(0, 60).replace(/[^\x20-\x7e]/g, "?");
  const said = `${status}${printable ? ` ${printable}` : ""}`;
  const via = `the proxy ${proxy.shown}`;
  if (status === 407 || status === 401) { // some proxies (tinyproxy) answer 401 to wrong ones
    return proxy.credentials === undefined
      ? `${via} needs credentials (${said}): give them in its URL, http://user:password@host:port`
      : `${via} refused the credentials in its URL (${said})`;
  }
  if (status === 403 || status === 405) {
    return `${via} does not allow a tunnel to ${target} (${said}): it may allow only some ports`;
  }
  if (status >= 500 && status <= 504) { // tinyproxy: 500 Unable to connect; squid: 503
    return `${via} could not reach ${target} (${said})`;
  }
  return `${via} refused a tunnel to ${target} (${said})`;
}

/**
 * Opens a tunnel on a connection to the proxy: sends CONNECT and reads the answer.
 *
 * @param conn A connection to the proxy.
 * @param target The host and port to reach.
 * @param proxy The proxy.
 * @returns The bytes the server sent through the tunnel in the same read as the answer (a lamp
 *   server may speak first), to be read before the connection's own.
 * @throws {RefusedError} When the proxy answers anything but 2xx, in words.
 * @throws {Deno.errors.UnexpectedEof} When the proxy closes without answering.
 */
export async function openTunnel(
  conn: Deno.Conn,
  target: { hostname: string; port: number },
  proxy: Proxy,
): Promise<Uint8Array> {
  await conn.write(new TextEncoder().encode(connectRequest(target, proxy)));
  const head = await readResponseHead(conn, `the proxy ${proxy.shown}`);
  if (head.status < 200 || head.status > 299) {
    const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
    throw new RefusedError(
      head.status,
      proxyRefusal(head.status, head.reason, `${host}:${target.port}`, proxy),
    );
  }
  return head.rest;
}
