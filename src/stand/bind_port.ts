/**
 * Binding one of the stand's ports, with a failure said in words: which port, why, and the flag
 * that changes it.
 *
 * @module
 */
import { isLookupFailure } from "../net/error_text.ts";

/**
 * Every port's accept queue: a crowd coming back at once (10,000 lamps after a restart, over TCP
 * or WebSocket) waits there instead of overflowing into the kernel's SYN retries, which cost whole
 * seconds (Linux caps it at `net.core.somaxconn`, 4096 by default).
 */
export const ACCEPT_BACKLOG = 4096;

/** The stand's ports, as the flags name them (`--lamp-port`, `--api-port`, `--web-port`). */
export type PortName = "lamp" | "api" | "web";

/**
 * The host part of a URL for an interface (IPv6 in brackets).
 *
 * @param hostname The interface.
 * @returns It, bracketed when it is IPv6.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { urlHost } from "./bind_port.ts";
 * assertEquals([urlHost("::1"), urlHost("127.0.0.1")], ["[::1]", "127.0.0.1"]);
 * ```
 */
export function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * A host a URL can use to reach an interface from this machine: loopback for a wildcard
 * (`0.0.0.0`, `::`), which no browser can open; the interface itself otherwise.
 *
 * @param hostname The interface bound.
 * @returns The host for a URL (IPv6 in brackets).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { reachableHost } from "./bind_port.ts";
 * assertEquals([reachableHost("0.0.0.0"), reachableHost("::"), reachableHost("10.0.0.5")], [
 *   "127.0.0.1",
 *   "[::1]",
 *   "10.0.0.5",
 * ]);
 * ```
 */
export function reachableHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return urlHost(hostname);
}

/**
 * Runs a bind and, when it fails, throws the same kind of error with a message that says which
 * port failed, why, and what to do.
 *
 * @param port Which port, as its flag names it.
 * @param hostname The interface (`--host`).
 * @param number The port number.
 * @param listen The bind.
 * @returns What `listen` returned.
 * @throws {Deno.errors.AddrInUse} The port is taken.
 * @throws {Deno.errors.AddrNotAvailable} The host is not this machine's, or does not resolve.
 * @throws {Deno.errors.PermissionDenied} A privileged port.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { bindPort } from "./bind_port.ts";
 * using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * assertThrows(
 *   () => bindPort("api", "127.0.0.1", taken.addr.port, () => Deno.listen({ port: taken.addr.port })),
 *   Deno.errors.AddrInUse,
 *   "choose another with --api-port",
 * );
 * ```
 */
export function bindPort<T>(port: PortName, hostname: string, number: number, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    const where = `${port} port ${urlHost(hostname)}:${number}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `${where} is already in use (choose another with --${port}-port)`,
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new Deno.errors.AddrNotAvailable(
        `cannot listen on ${where}: ${hostname} is not an address of this machine (check --host)`,
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.PermissionDenied(
        `cannot listen on ${where}: not allowed (ports below 1024 need privileges; choose another with --${port}-port)`,
        { cause: error },
      );
    }
    if (error instanceof Error && isLookupFailure(error.message)) {
      throw new Deno.errors.AddrNotAvailable(
        `cannot listen on ${where}: the name ${hostname} does not resolve (check --host)`,
        { cause: error },
      );
    }
    throw error;
  }
}
