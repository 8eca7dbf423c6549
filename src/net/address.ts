/**
 * Lamp server addresses: `host:port`, `host`, `:port`, `[ipv6]:port`, each optionally
 * `tls://`-prefixed; `ws://host[:port]/path` and `wss://…` (a stand's web port); and
 * comma-separated lists of any of them.
 *
 * @module
 */

/** Where a lamp connects. */
export interface Address {
  /** Host name or IP (IPv6 without brackets). */
  readonly hostname: string;
  /** TCP port, 1–65535. */
  readonly port: number;
  /** Connect over TLS (`tls://host:port`, `wss://…`). */
  readonly tls?: boolean;
  /** Frames come in WebSocket messages on this path (`ws://host/lamp`, `wss://…`). */
  readonly websocket?: string;
}

/** The port used when an address names only a host. */
export const DEFAULT_PORT = 9999;
/** The host used when an address names only a port. */
export const DEFAULT_HOST = "127.0.0.1";
/** The address used when none is given. */
export const DEFAULT_ADDRESS = `${DEFAULT_HOST}:${DEFAULT_PORT}`;

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;

function parsePort(text: string, input: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new RangeError(
      `Invalid address ${JSON.stringify(input)}: port must be a number 1-65535, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return port;
}

/**
 * Parses one address in any accepted form.
 *
 * @param text `host:port`, `host` (port 9999), `:port` (host 127.0.0.1) or `[ipv6]:port`, each
 *   optionally prefixed with `tls://`; or `ws://host[:port][/path]`, `wss://…` (ports 80, 443;
 *   path `/lamp`).
 * @returns The address.
 * @throws {RangeError} With the reason and the text when it is not an address.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseAddress } from "./address.ts";
 * assertEquals(parseAddress("[::1]:7000"), { hostname: "::1", port: 7000 });
 * assertEquals(parseAddress("tls://lamps.example"), {
 *   hostname: "lamps.example",
 *   port: 9999,
 *   tls: true,
 * });
 * assertEquals(parseAddress("wss://stand.example"), {
 *   hostname: "stand.example",
 *   port: 443,
 *   tls: true,
 *   websocket: "/lamp",
 * });
 * ```
 */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  const name = scheme?.[1].toLowerCase();
  if (name === "ws" || name === "wss") return parseWebSocketAddress(text, name);
  if (scheme && name !== "tls") {
    throw new RangeError(
      `Invalid address ${
        JSON.stringify(text)
      }: lamps connect over TCP, TLS or WebSocket, not ${name}; write host:port, tls://host:port or ws://host/lamp`,
    );
  }
  const tls = scheme !== null;
  const input = tls ? trimmed.slice(scheme[0].length) : trimmed;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(input);
  let hostname: string;
  let port = DEFAULT_PORT;
  if (bracketed) {
    hostname = bracketed[1];
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], text);
    if (!IPV6.test(hostname)) {
      throw new RangeError(`Invalid address ${JSON.stringify(text)}: not an IPv6 address in [ ]`);
    }
  } else if (input.startsWith("[")) {
    throw new RangeError(
      `Invalid address ${
        JSON.stringify(text)
      }: a [ must close: [ipv6] or [ipv6]:port, like [::1]:9999`,
    );
  } else if ((input.match(/:/g) ?? []).length > 1) {
    throw new RangeError(
      `Invalid address ${JSON.stringify(text)}: write IPv6 addresses in brackets, like [::1]:9999`,
    );
  } else {
    const colon = input.indexOf(":");
    hostname = colon === -1 ? input : input.slice(0, colon) || DEFAULT_HOST;
    if (colon !== -1) port = parsePort(input.slice(colon + 1), text);
    if (!HOSTNAME.test(hostname)) {
      throw new RangeError(
        `Invalid address ${JSON.stringify(text)}: expected host:port, host, :port or [ipv6]:port`,
      );
    }
  }
  return tls ? { hostname, port, tls } : { hostname, port };
}

/**
 * `ws://host[:port][/path]` or `wss://…`: a WebSocket address (ports 80 and 443, path `/lamp` by
 * default).
 */
function parseWebSocketAddress(text: string, scheme: "ws" | "wss"): Address {
  const url = URL.parse(text.trim());
  const invalid = (why: string) =>
    new RangeError(`Invalid address ${JSON.stringify(text)}: ${why}, like ${scheme}://stand/lamp`);
  if (!url || url.hostname === "") throw invalid("expected a WebSocket URL");
  if (url.username || url.password) throw invalid("no user or password in the URL (use --token)");
  if (url.search || url.hash) throw invalid("no query or fragment");
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!(HOSTNAME.test(hostname) || (url.hostname.startsWith("[") && IPV6.test(hostname)))) {
    throw invalid("expected a host name or IP");
  }
  const port = url.port === "" ? (scheme === "wss" ? 443 : 80) : parsePort(url.port, text);
  const websocket = url.pathname === "/" ? "/lamp" : url.pathname; // the stand's path by default
  return scheme === "wss"
    ? { hostname, port, tls: true, websocket }
    : { hostname, port, websocket };
}

/**
 * Parses a comma-separated list of addresses (the lamp fails over between them in order).
 *
 * @param text One address or several separated by commas.
 * @returns The addresses, at least one.
 * @throws {RangeError} When any part is not an address.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseAddressList } from "./address.ts";
 * assertEquals(parseAddressList("a:1,b").length, 2);
 * ```
 */
export function parseAddressList(text: string): Address[] {
  if (text.trim() === "") throw new RangeError('Invalid address "": no address given');
  const parts = text.split(",").map((part) => part.trim());
  if (parts.some((part) => part === "")) {
    throw new RangeError(`Invalid address ${JSON.stringify(text)}: empty entry in the list`);
  }
  return parts.map(parseAddress);
}

/**
 * Formats an address as `host:port` (`[ipv6]:port` for IPv6, `tls://` in front for TLS).
 *
 * @param address The address.
 * @returns Its text form.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatAddress } from "./address.ts";
 * assertEquals(formatAddress({ hostname: "::1", port: 9999 }), "[::1]:9999");
 * ```
 */
export function formatAddress(address: Address): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  if (address.websocket !== undefined) {
    return `${address.tls ? "wss" : "ws"}://${host}:${address.port}${address.websocket}`;
  }
  return `${address.tls ? "tls://" : ""}${host}:${address.port}`;
}
