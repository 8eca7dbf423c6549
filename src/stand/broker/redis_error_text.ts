/**
 * What went wrong with Redis, in words for a log line, `/readyz` and a 503: the lamp's words for
 * connection failures (as the log escapes them), Redis's own answers quoted and escaped (they are
 * network text). Pure.
 *
 * @module
 */
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from "redis";
import { describeError } from "../../net/connection_errors.ts";
import { quoteWireText } from "./wire_text.ts";

/** node:tls's codes for a server certificate no trusted CA signed. */
const UNTRUSTED_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
]);

/** A rediss:// certificate problem in the lamp's words, naming `--broker-ca`; else `undefined`. */
function describeNodeTlsError(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (UNTRUSTED_CODES.has(code)) {
    return "tls: the server's certificate is signed by a CA not trusted here (give --broker-ca)";
  }
  if (code === "CERT_HAS_EXPIRED") return "tls: the server's certificate has expired";
  if (code !== "ERR_TLS_CERT_ALTNAME_INVALID") return undefined;
  // node:tls names the host asked for and hands over the certificate (its message lists none of
  // the certificate's names when an IP address is checked against host names).
  const { host, cert } = error as { host?: unknown; cert?: { subjectaltname?: unknown } };
  if (typeof host !== "string") return "tls: the certificate is not for this host";
  const names = typeof cert?.subjectaltname === "string" && cert.subjectaltname !== ""
    ? `it is for ${cert.subjectaltname}`
    : "it names no host";
  return `tls: the certificate is not for ${host} (${names})`;
}

/**
 * Describes an error from the Redis client or from Redis.
 *
 * @param error What a connection or a command failed with.
 * @returns `connection refused`, `server closed the connection`, `Redis answered "OOM …"`, …
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ErrorReply } from "redis";
 * import { describeRedisError } from "./redis_error_text.ts";
 * const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
 *   code: "ECONNREFUSED",
 * });
 * assertEquals(describeRedisError(refused), "connection refused");
 * assertEquals(describeRedisError(new ErrorReply("ERR bad\x1b[2J")), 'Redis answered "ERR bad\\u001b[2J"');
 * ```
 */
export function describeRedisError(error: unknown): string {
  const tls = describeNodeTlsError(error);
  if (tls) return tls;
  if (error instanceof ErrorReply) return `Redis answered ${quoteWireText(error.message, 120)}`;
  if (error instanceof SocketClosedUnexpectedlyError) return "server closed the connection";
  if (error instanceof ConnectionTimeoutError) return "connect timed out";
  if (error instanceof SocketTimeoutError) return "Redis sent nothing for too long";
  if (error instanceof ClientClosedError || error instanceof ClientOfflineError) {
    return "not connected";
  }
  return describeError(error);
}
