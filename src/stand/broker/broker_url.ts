/**
 * The `--broker` / `FLASHLIGHT_BROKER` value: `redis://HOST:PORT[/DB]`.
 *
 * @module
 */

/** Where the Redis broker is. */
export interface BrokerAddress {
  /** Host name or IP. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Database number. */
  readonly db: number;
  /** The URL as given, without credentials. */
  readonly url: string;
}

/**
 * Parses `redis://HOST:PORT[/DB]` (port 6379 and db 0 when omitted).
 *
 * @param text The URL.
 * @returns The address.
 * @throws {RangeError} With the reason, when it is not such a URL.
 * @example
 * ```ts
 * import { parseBrokerUrl } from "./broker_url.ts";
 * parseBrokerUrl("redis://127.0.0.1:6380/2"); // { hostname: "127.0.0.1", port: 6380, db: 2, … }
 * ```
 */
export function parseBrokerUrl(text: string): BrokerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`Invalid broker ${JSON.stringify(text)}: expected redis://HOST:PORT[/DB]`);
  }
  if (url.protocol !== "redis:" || !url.hostname) {
    throw new RangeError(`Invalid broker ${JSON.stringify(text)}: expected redis://HOST:PORT[/DB]`);
  }
  const db = url.pathname === "" || url.pathname === "/" ? 0 : Number(url.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0 || db > 15) {
    throw new RangeError(`Invalid broker ${JSON.stringify(text)}: database must be 0-15`);
  }
  const port = url.port === "" ? 6379 : Number(url.port);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { hostname, port, db, url: `redis://${url.host}/${db}` };
}
