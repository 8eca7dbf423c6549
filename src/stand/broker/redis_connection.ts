/**
 * How the broker connects to Redis: client options from a {@linkcode BrokerAddress} (TLS, CA,
 * user, password), and the one place that keeps the password out of every message. Pure.
 *
 * @module
 */
import type { RedisClientOptions } from "redis";
import type { BrokerAddress } from "./broker_url.ts";

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
): RedisClientOptions {
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
