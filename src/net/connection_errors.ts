/**
 * Which connection errors are worth a retry, and how each reads in a log.
 *
 * @module
 */

const RETRIABLE: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.BrokenPipe,
  Deno.errors.UnexpectedEof,
  Deno.errors.TimedOut,
  Deno.errors.AddrNotAvailable,
  Deno.errors.NetworkUnreachable,
  Deno.errors.Interrupted,
  Deno.errors.BadResource,
  // A TLS handshake that failed (a certificate for other names, an unknown CA, a server that
  // does not speak TLS): a connect failure like the others, retried and failed over from.
  Deno.errors.InvalidData,
];

/** Thrown when a connection attempt takes longer than its timeout. */
export class ConnectTimeoutError extends Deno.errors.TimedOut {
  /** @param ms The timeout that ran out. */
  constructor(ms: number) {
    super(`connect timed out after ${ms} ms`);
  }
}

/**
 * Tells whether an error from connecting or reading means "the network failed, try again"
 * (refused, reset, DNS failure, unreachable, timeout…) rather than a bug or missing permission.
 *
 * @param error What `Deno.connect` or `conn.read` threw.
 * @returns `true` when a reconnect is the right answer.
 * @example
 * ```ts
 * import { isRetriable } from "./connection_errors.ts";
 * isRetriable(new Deno.errors.ConnectionRefused("x")); // true
 * ```
 */
export function isRetriable(error: unknown): boolean {
  if (RETRIABLE.some((kind) => error instanceof kind)) return true;
  return error instanceof Error && /lookup address|os error/i.test(error.message);
}

/**
 * A short reason for a log line: `connection refused`, `connection reset`, `dns lookup failed`…
 *
 * @param error The error.
 * @returns Lower-case text without the OS error number.
 * @example
 * ```ts
 * import { describeError } from "./connection_errors.ts";
 * describeError(new Deno.errors.ConnectionRefused("Connection refused (os error 111)"));
 * // "connection refused"
 * ```
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (/lookup address/i.test(error.message)) return "dns lookup failed";
  return error.message.replace(/\s*\(os error \d+\)/, "").toLowerCase();
}
