/**
 * HTTP proxies for lamps: the proxy URL (`--proxy`, or the environment as curl reads it) and
 * which addresses go through it. Pure.
 *
 * @module
 */

/** An HTTP proxy that tunnels by CONNECT. */
export interface Proxy {
  /** The proxy's host name or IP (IPv6 without brackets). */
  readonly hostname: string;
  /** Its port. */
  readonly port: number;
  /** `user:password` for `Proxy-Authorization: Basic`, when the URL carries them (never logged). */
  readonly credentials?: string;
  /** The URL without credentials, for logs: `http://proxy.example:3128`. */
  readonly shown: string;
}

/** Where a lamp's connection goes, as far as proxies care. */
export interface ProxyTarget {
  /** The server's host name or IP. */
  readonly hostname: string;
  /** Whether the connection is TLS end to end (`tls://`, `wss://`): then HTTPS_PROXY applies. */
  readonly tls?: boolean;
}

/** A proxy's default port when its URL names none (curl's). */
const DEFAULT_PROXY_PORT = 1080;

/**
 * Reads a proxy URL: `http://[user:password@]host[:port]`, or `host:port` (http assumed).
 *
 * @param text The URL.
 * @param from Where it came from, for the message (`--proxy`, `HTTPS_PROXY`).
 * @returns The proxy.
 * @throws {RangeError} When it is not an http:// proxy URL, saying why (an https:// or socks
 *   proxy is refused in words: only a plain HTTP proxy is supported; TLS still runs end to end
 *   through it for `tls://` and `wss://`).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseProxyUrl } from "./proxy.ts";
 * const proxy = parseProxyUrl("http://lamp:secret@proxy.example:3128", "--proxy");
 * assertEquals([proxy.hostname, proxy.port, proxy.shown], [
 *   "proxy.example",
 *   3128,
 *   "http://proxy.example:3128",
 * ]);
 * ```
 */
export function parseProxyUrl(text: string, from: string): Proxy {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = URL.parse(withScheme);
  const refuse = (why: string) =>
    new RangeError(`${from}: ${why}, got ${JSON.stringify(shownWithoutCredentials(trimmed))}`);
  if (!url || url.hostname === "") throw refuse("expected a proxy URL like http://proxy:3128");
  if (url.protocol === "https:") {
    throw refuse(
      "an https:// proxy (TLS to the proxy) is not supported; use its http:// address (tls:// and wss:// stay encrypted end to end through it)",
    );
  }
  if (url.protocol !== "http:") {
    throw refuse(`only HTTP proxies (CONNECT) are supported, not ${url.protocol.slice(0, -1)}`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw refuse("a proxy URL has no path");
  }
  const port = url.port === "" ? DEFAULT_PROXY_PORT : Number(url.port);
  if (port === 0) throw refuse("its port must be 1-65535");
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let credentials: string | undefined;
  try {
    credentials = url.username === "" && url.password === ""
      ? undefined
      : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  } catch {
    throw refuse("its user or password is not valid percent-encoding (%40 for @)");
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    hostname,
    port,
    ...(credentials === undefined ? {} : { credentials }),
    shown: `http://${host}:${port}`,
  };
}

/**
 * The text of a proxy URL with everything up to its last `@` taken out, for messages: a
 * password may hold an unescaped `@`, `/` or `#`, so no part before the last `@` is safe to show.
 */
function shownWithoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, "$1");
}

/**
 * Which proxy a connection goes through: `--proxy` when given, else the environment as curl
 * reads it (`HTTPS_PROXY` for TLS, `HTTP_PROXY` for the rest, then `ALL_PROXY`; each lower case
 * first), unless `NO_PROXY` names the host.
 *
 * @param target Where the connection goes.
 * @param env Reads an environment variable.
 * @param flag The `--proxy` URL, if given.
 * @returns The proxy, or `undefined` for a direct connection.
 * @throws {RangeError} When the proxy URL that applies is not a usable one.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { proxyFor } from "./proxy.ts";
 * const env = { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "localhost,.internal" };
 * const get = (name: string) => env[name as keyof typeof env];
 * assertEquals(proxyFor({ hostname: "lamps.example", tls: true }, get)?.shown, "http://proxy:3128");
 * assertEquals(proxyFor({ hostname: "stand.internal", tls: true }, get), undefined);
 * assertEquals(proxyFor({ hostname: "lamps.example" }, get), undefined); // no HTTP_PROXY
 * ```
 */
export function proxyFor(
  target: ProxyTarget,
  env: (name: string) => string | undefined,
  flag?: string,
): Proxy | undefined {
  const read = (name: string) => {
    const value = env(name.toLowerCase()) || env(name.toUpperCase());
    return value ? { name: env(name.toLowerCase()) ? name.toLowerCase() : name, value } : undefined;
  };
  const chosen = flag !== undefined
    ? { name: "--proxy", value: flag }
    : read(target.tls ? "HTTPS_PROXY" : "HTTP_PROXY") ?? read("ALL_PROXY");
  if (!chosen || chosen.value.trim() === "") return undefined;
  if (bypassesProxy(target.hostname, env("no_proxy") || env("NO_PROXY") || "")) return undefined;
  return parseProxyUrl(chosen.value, chosen.name);
}

/**
 * Whether `NO_PROXY` names a host: `*` names all; an entry names the host itself and, for a
 * domain, every name below it (`example.com` and `.example.com` both match `a.example.com`); an
 * IP entry names that IP, an `ip/bits` entry every IP in the range. A `:port` on an entry is
 * ignored.
 *
 * @param hostname The host connected to.
 * @param noProxy The `NO_PROXY` value.
 * @returns `true` when the connection goes direct.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { bypassesProxy } from "./proxy.ts";
 * assertEquals(bypassesProxy("a.example.com", ".example.com"), true);
 * assertEquals(bypassesProxy("10.1.2.3", "10.0.0.0/8"), true);
 * assertEquals(bypassesProxy("example.org", "example.com"), false);
 * ```
 */
export function bypassesProxy(hostname: string, noProxy: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  return noProxy.split(",").map((entry) => entry.trim().toLowerCase()).some((entry) => {
    if (entry === "") return false;
    if (entry === "*") return true;
    const name = entry.replace(/^\[([^\]]*)\](?::\d+)?$/, "$1").replace(/^([^:]*):\d+$/, "$1")
      .replace(/^\*?\./, "").replace(/\.$/, "");
    if (name.includes("/")) return inRange(host, name);
    return host === name || (!isIp(host) && host.endsWith(`.${name}`));
  });
}

function isIp(host: string): boolean {
  return ipv4Number(host) !== undefined || host.includes(":");
}

function ipv4Number(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && +part <= 255)) {
    return undefined;
  }
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Whether an IPv4 host lies in `ip/bits` (IPv6 ranges are matched by their exact text only). */
function inRange(host: string, range: string): boolean {
  const [base, bitsText] = range.split("/");
  const bits = Number(bitsText);
  const ip = ipv4Number(host);
  const start = ipv4Number(base);
  if (ip === undefined || start === undefined || !(bits >= 0 && bits <= 32)) return host === base;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(start / size);
}
