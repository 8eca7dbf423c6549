/**
 * A port for a server that a test or benchmark stops and starts again on the same port.
 *
 * @module
 */

/** Where the search starts: below it are the ports helpers and people bind by hand here. */
const LOWEST = 24_000;

/** The first port of the OS's ephemeral range (Linux: from /proc; elsewhere Linux's default). */
function ephemeralStart(): number {
  try {
    const range = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    return Number(range.trim().split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

/**
 * Finds a port that is free now and lies below the ephemeral range, so no outgoing connection
 * (another test's, or a lamp reconnecting) is given it while the server is down. A port from
 * `port: 0` is in that range: rebinding it after a stop fails now and then with AddrInUse.
 * @param hostname The address the server binds.
 * @returns The port.
 * @throws {Deno.errors.AddrInUse} When 50 random tries found none free.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { restartablePort } from "./restartable_port.ts";
 * const port = restartablePort();
 * assert(port >= 24_000 && port < 65_536);
 * ```
 */
export function restartablePort(hostname = "127.0.0.1"): number {
  const high = Math.max(LOWEST + 1, ephemeralStart());
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    try {
      Deno.listen({ hostname, port }).close();
      return port;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Deno.errors.AddrInUse(`no free port from ${LOWEST} to ${high - 1} on ${hostname}`);
}
