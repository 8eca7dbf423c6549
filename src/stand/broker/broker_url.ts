/**
 * The `--broker` / `FLASHLIGHT_BROKER` value: `redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB]`.
 * Pure.
 *
 * @module
 */

/** Where the Redis broker is and how to log in. */
export interface BrokerAddress {
  /** Host name or IP. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Database number. */
  readonly db: number;
  /** Connect over TLS (`rediss://`). */
  readonly tls: boolean;
  /** The ACL user name, when the URL names one. */
  readonly username?: string;
  /** The password (never logged: {@linkcode BrokerAddress.url} leaves it out). */
  readonly password?: string;
  /** PEM text of the CA certificate(s) to trust for TLS instead of the system's. */
  readonly caPem?: string;
  /** The URL as given, without credentials: what logs and `/status` show. */
  readonly url: string;
}

const EXPECTED = "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss://…";

/** The URL as given with the password (and anything that may hide one) masked, for errors. */
function masked(text: string): string {
  const shown = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme, auth) => {
    const colon = auth.indexOf(":");
    return `${scheme}${colon === -1 ? auth : `${auth.slice(0, colon)}:***`}@`;
  });
  return JSON.stringify(shown.length > 120 ? `${shown.slice(0, 120)}…` : shown);
}

/**
 * Parses a Redis URL: `redis://` or `rediss://` (TLS), an optional user and password
 * (percent-encoded), port 6379 and database 0 when omitted.
 *
 * @param text The URL.
 * @returns The address.
 * @throws {RangeError} With the reason and the URL (its password masked) when it is not such a URL.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseBrokerUrl } from "./broker_url.ts";
 * const address = parseBrokerUrl("rediss://app:s%40cret@redis.example:6380/2");
 * assertEquals([address.tls, address.username, address.password], [true, "app", "s@cret"]);
 * assertEquals(address.url, "rediss://redis.example:6380/2");
 * ```
 */
export function parseBrokerUrl(text: string): BrokerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`Invalid broker ${masked(text)}: ${EXPECTED}`);
  }
  if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname) {
    throw new RangeError(`Invalid broker ${masked(text)}: ${EXPECTED}`);
  }
  if (url.search || url.hash) {
    throw new RangeError(`Invalid broker ${masked(text)}: no query or fragment allowed`);
  }
  const db = url.pathname === "" || url.pathname === "/" ? 0 : Number(url.pathname.slice(1));
  if (!/^\/?\d*$/.test(url.pathname) || !Number.isInteger(db) || db < 0 || db > 15) {
    throw new RangeError(`Invalid broker ${masked(text)}: database must be 0-15`);
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = url.username ? decodeURIComponent(url.username) : undefined;
    password = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    throw new RangeError(`Invalid broker ${masked(text)}: bad percent-encoding in the credentials`);
  }
  const tls = url.protocol === "rediss:";
  const port = url.port === "" ? 6379 : Number(url.port);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    hostname,
    port,
    db,
    tls,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    url: `${url.protocol}//${url.host}/${db}`,
  };
}
