/**
 * Which connection errors are worth a retry, and how each reads in a log: by the runtime's class
 * (`Deno.errors.*`) or errno code (`code`, which Deno and node:net both set) wherever there is one;
 * by words ({@linkcode ./error_text.ts}) only where the runtime gives nothing else.
 *
 * @module
 */
import { describeTlsFailure, isLookupFailure } from "./error_text.ts";
import { RefusedError } from "./refused_error.ts";
import { TlsFailure } from "./tls_failure.ts";

/** The classes of a failed network, or of a server that answered with a refusal. */
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
  // A proxy or a stand that answered with a refusal (407, 401…): said in words, retried.
  RefusedError,
];

/**
 * The errno codes of a failed network (Deno's, for the failures it has no class for, and
 * node:net's, as clients such as node-redis report them), in the words a log line uses: the
 * OS's, so a lamp and a broker say the same of one failure. A local firewall rule (EPERM, EACCES
 * on connect: Deno's own permission checks throw `NotCapable`, which has no code) and running out
 * of descriptors are waited out too.
 */
const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ECONNABORTED: "software caused connection abort",
  EPIPE: "broken pipe",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "no route to host",
  EHOSTDOWN: "host is down",
  ENETUNREACH: "network is unreachable",
  ENETDOWN: "network is down",
  ENETRESET: "network dropped connection on reset",
  EADDRNOTAVAIL: "cannot assign requested address",
  ENOTFOUND: "dns lookup failed",
  EAI_AGAIN: "dns lookup failed",
  EPERM: "operation not permitted",
  EACCES: "permission denied",
  EMFILE: "too many open files",
  ENFILE: "too many open files in system",
  ENOBUFS: "no buffer space available",
};

/** The errno code of an error (`ECONNREFUSED`…), if it has one. */
function networkCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && Object.hasOwn(NETWORK_CODES, code) ? code : undefined;
}

/** Thrown when a connection attempt takes longer than its timeout. */
export class ConnectTimeoutError extends Deno.errors.TimedOut {
  /**
   * A connect that took too long.
   * @param ms The timeout that ran out.
   * @param options The cause: what ended the attempt (the timeout signal's reason).
   */
  constructor(ms: number, options?: ErrorOptions) {
    super(`connect timed out after ${ms} ms`, options);
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
  if (networkCode(error) !== undefined) return true;
  return error instanceof Error && isLookupFailure(error.message);
}

/**
 * A short reason for a log line: `connection refused`, `connection reset`, `dns lookup failed`…
 *
 * @param error The error.
 * @returns Text without the OS error number, its first word lowered when capitalized (the OS's
 *   `Connection refused`); the rest as written, quoted outside text included.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeError } from "./connection_errors.ts";
 * const deno = new Deno.errors.ConnectionRefused("Connection refused (os error 111)");
 * const node = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
 *   code: "ECONNREFUSED",
 * });
 * assertEquals([describeError(deno), describeError(node)], Array(2).fill("connection refused"));
 * ```
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Written to be read as they are.
  if (error instanceof RefusedError || error instanceof TlsFailure) return error.message;
  const code = networkCode(error);
  if (code !== undefined) return NETWORK_CODES[code];
  if (isLookupFailure(error.message)) return "dns lookup failed";
  return describeTlsFailure(error.message) ??
    error.message.replace(/\s*\(os error \d+\)/, "").replace(
      /^[A-Z](?=[a-z])/,
      (first) => first.toLowerCase(),
    );
}
