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
  return error instanceof Error &&
    /lookup address|os error|peer certificate|corrupt message|handshake/i.test(error.message);
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
  const message = error.message;
  if (/lookup address/i.test(message)) return "dns lookup failed";
  const tls = describeTlsError(message);
  if (tls) return tls;
  return message.replace(/\s*\(os error \d+\)/, "").toLowerCase();
}

/** TLS failures in words a person can act on; `undefined` when it is not one. */
function describeTlsError(message: string): string | undefined {
  const wrongName = /not valid for name "([^"]*)"; certificate is only valid for (.*)$/.exec(
    message,
  );
  if (wrongName) {
    // rustls lists the names as `DnsName("a") or IpAddress(…)`: keep the names only.
    const names = [...wrongName[2].matchAll(/\w+\("?([^"()]*)"?\)/g)].map((name) => name[1]);
    const listed = names.length > 0 ? names.join(", ") : wrongName[2];
    return `tls: the certificate is not for ${wrongName[1]} (it is for ${listed})`;
  }
  if (/certificate expired/i.test(message)) return "tls: the server's certificate has expired";
  if (/not valid yet/i.test(message)) return "tls: the server's certificate is not valid yet";
  if (/UnknownIssuer/.test(message)) {
    return "tls: the server's certificate is signed by a CA this lamp does not trust (give --ca)";
  }
  if (/corrupt message|InvalidContentType/i.test(message)) {
    return "tls: the server does not speak TLS";
  }
  const peer = /invalid peer certificate: (.*)$/.exec(message);
  if (peer) return `tls: invalid certificate: ${peer[1]}`;
  return undefined;
}
