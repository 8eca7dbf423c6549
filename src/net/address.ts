/**
 * Lamp server addresses: `host:port`, `host`, `:port`, `[ipv6]:port`, each optionally
 * `tls://`-prefixed, and comma-separated lists.
 *
 * @module
 */

/** Where a lamp connects. */
export interface Address {
  /** Host name or IP (IPv6 without brackets). */
  readonly hostname: string;
  /** TCP port, 1–65535. */
  readonly port: number;
  /** Connect over TLS (`tls://host:port`). */
  readonly tls?: boolean;
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
 *   optionally prefixed with `tls://`.
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
 * ```
 */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  if (scheme && scheme[1].toLowerCase() !== "tls") {
    throw new RangeError(
      `Invalid address ${JSON.stringify(text)}: lamps connect over plain TCP or TLS, not ${
        scheme[1].toLowerCase()
      }; write host:port or tls://host:port`,
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
  return `${address.tls ? "tls://" : ""}${host}:${address.port}`;
}
