/**
 * How the broker connects to Redis: client options from a {@linkcode BrokerAddress} (TLS, CA,
 * user, password), and the one place that keeps the password out of every message. Pure.
 *
 * @module
 */
import type { BrokerAddress } from "./broker_url.ts";

/** The options the broker gives node-redis's `createClient` (a subset of its own). */
export interface RedisConnectOptions {
  /** Where and how to connect, and when to reconnect. */
  readonly socket: {
    readonly host: string;
    readonly port: number;
    readonly connectTimeout: number;
    readonly reconnectStrategy: (retries: number) => number;
    readonly socketTimeout?: number;
    readonly tls?: true;
    readonly ca?: string;
  };
  /** The ACL user. */
  readonly username?: string;
  /** The password (never in a message: see {@linkcode redactSecret}). */
  readonly password?: string;
  /** The database number. */
  readonly database: number;
  /** Commands fail at once while disconnected, never queued. */
  readonly disableOfflineQueue: true;
  /** No CLIENT SETINFO on connect. */
  readonly disableClientInfo: true;
}

/**
 * The `createClient` options for an address.
 *
 * @param address Where Redis is and how to log in.
 * @param retryDelay The reconnect delay for attempt n.
 * @param socketTimeoutMs Close a connection silent for this long (a dead peer; none when omitted).
 * @returns The options (commands fail at once while disconnected, never queued).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseBrokerUrl } from "./broker_url.ts";
 * import { redisClientOptions } from "./redis_connection.ts";
 * const options = redisClientOptions(parseBrokerUrl("rediss://:pw@127.0.0.1:6380/1"), () => 100);
 * assertEquals([options.password, options.database, options.socket?.tls], ["pw", 1, true]);
 * ```
 */
export function redisClientOptions(
  address: BrokerAddress,
  retryDelay: (attempt: number) => number,
  socketTimeoutMs?: number,
): RedisConnectOptions {
  const common = {
    host: address.hostname,
    port: address.port,
    connectTimeout: 5000,
    reconnectStrategy: (retries: number) => retryDelay(retries),
    ...(socketTimeoutMs === undefined ? {} : { socketTimeout: socketTimeoutMs }),
  };
  return {
    socket: address.tls
      ? { ...common, tls: true, ...(address.caPem === undefined ? {} : { ca: address.caPem }) }
      : common,
    ...(address.username === undefined ? {} : { username: address.username }),
    ...(address.password === undefined ? {} : { password: address.password }),
    database: address.db,
    disableOfflineQueue: true,
    disableClientInfo: true,
  };
}

/**
 * Removes the address's password from a message (an error from the client, TLS or Redis).
 *
 * @param text The message.
 * @param address The address whose password must not show.
 * @returns The message with every occurrence of the password (raw or percent-encoded) as `***`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseBrokerUrl } from "./broker_url.ts";
 * import { redactSecret } from "./redis_connection.ts";
 * const address = parseBrokerUrl("redis://:hunter2@127.0.0.1");
 * assertEquals(redactSecret("AUTH hunter2 failed", address), "AUTH *** failed");
 * ```
 */
export function redactSecret(text: string, address: BrokerAddress): string {
  const secret = address.password;
  if (!secret) return text;
  return text.replaceAll(secret, "***").replaceAll(encodeURIComponent(secret), "***");
}
