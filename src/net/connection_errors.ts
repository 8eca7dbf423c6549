/**
 * Which connection errors are worth a retry, and how each reads in a log.
 *
 * @module
 */
import { RefusedError } from "./refused_error.ts";

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
 * Node's socket error codes (`node:net`, as clients such as node-redis report them) in the words
 * Deno's errors give (the OS's, lower case): a lamp and a broker say the same of one failure.
 */
const NODE_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ECONNABORTED: "software caused connection abort",
  EPIPE: "broken pipe",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network is unreachable",
  EADDRNOTAVAIL: "cannot assign requested address",
  ENOTFOUND: "dns lookup failed",
  EAI_AGAIN: "dns lookup failed",
};

/**
 * A short reason for a log line: `connection refused`, `connection reset`, `dns lookup failed`…
 *
 * @param error The error.
 * @returns Lower-case text without the OS error number.
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
  if (error instanceof RefusedError) return error.message; // written to be read as it is
  const message = error.message;
  const code = (error as { code?: unknown }).code;
  const node = typeof code === "string" ? NODE_CODES[code] : undefined;
  if (node) return node;
  if (/^Socket closed unexpectedly$/.test(message)) return "server closed the connection";
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
    return "tls: the server's certificate is signed by a CA not trusted here (give --ca)";
  }
  if (/corrupt message|InvalidContentType/i.test(message)) {
    return "tls: the server does not speak TLS";
  }
  if (/UnsupportedCertVersion/.test(message)) {
    return "tls: a certificate is X.509 version 1, which TLS here refuses: reissue it as version 3 (openssl x509 -req with -extfile)";
  }
  const peer = /invalid peer certificate: (.*)$/.exec(message);
  if (peer) {
    // rustls wraps what it does not name in Rust debug text: `Other(OtherError(Reason))`.
    return `tls: invalid certificate: ${peer[1].replace(/^(?:\w+\()+(\w+)\)+$/, "$1")}`;
  }
  return undefined;
}
