/**
 * A failed TLS handshake in words a person can act on, from the `code` node:tls gives it. Pure.
 *
 * @module
 */

/**
 * Codes of a server certificate that does not chain to a trusted CA. Deno 2.9's node:tls reports
 * every chain failure (an unknown CA, an expired or not yet valid certificate) as
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, so its words name each possibility.
 */
const UNTRUSTED: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the server's certificate is signed by a CA not trusted here (give --ca), or expired, or not valid yet",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the server's certificate is signed by a CA not trusted here (give --ca)",
  UNABLE_TO_GET_ISSUER_CERT:
    "the server's certificate is signed by a CA not trusted here (give --ca)",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server's certificate is signed by a CA not trusted here (give --ca)",
  DEPTH_ZERO_SELF_SIGNED_CERT:
    "the server's certificate is self-signed (give it as --ca to trust it)",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_SSL_WRONG_VERSION_NUMBER: "the server does not speak TLS",
};

/** A TLS handshake that failed: a connect failure like the others, retried and failed over from. */
export class TlsFailure extends Deno.errors.InvalidData {
  /**
   * A handshake that failed, in words.
   * @param words What failed, as a log line says it (`tls: …`).
   * @param options The error node:tls gave, as the cause.
   */
  constructor(words: string, options?: ErrorOptions) {
    super(words, options);
    this.name = "TlsFailure";
  }
}

/** The names a certificate is for, from node's `subjectaltname` (`DNS:a, IP Address:1.2.3.4`). */
function certificateNames(subjectAltName: unknown): string {
  if (typeof subjectAltName !== "string" || subjectAltName === "") return "no names";
  return subjectAltName.split(", ").map((name) => name.replace(/^[A-Za-z ]+:/, "")).join(", ");
}

/**
 * The words for what node:tls reported while connecting, or `undefined` when it is no TLS failure
 * (a network error with an errno code, a Deno error from the socket underneath).
 *
 * @param error What the TLS socket emitted.
 * @returns `tls: …`, or `undefined`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeTlsCode } from "./tls_failure.ts";
 * const error = Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" });
 * assertEquals(describeTlsCode(error), "tls: the server's certificate has expired");
 * ```
 */
export function describeTlsCode(error: Error): string | undefined {
  const { code, host, cert } = error as Error & { code?: unknown; host?: unknown; cert?: unknown };
  if (typeof code !== "string") return undefined;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = certificateNames((cert as { subjectaltname?: unknown } | null)?.subjectaltname);
    return `tls: the certificate is not for ${String(host)} (it is for ${names})`;
  }
  if (Object.hasOwn(UNTRUSTED, code)) return `tls: ${UNTRUSTED[code]}`;
  const alert = /alert: (\w+)/.exec(error.message)?.[1];
  if (alert === "CertificateRequired" || code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED") {
    return "tls: the server requires a client certificate (--cert, --key)";
  }
  if (alert) return `tls: the server refused the handshake (${alert})`;
  if (/^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)/.test(code)) return `tls: ${error.message} (${code})`;
  return undefined;
}

/**
 * What to throw for an error node:tls emitted: a {@linkcode TlsFailure} in words when it is a TLS
 * failure, the error itself otherwise.
 *
 * @param error What the TLS socket emitted.
 * @returns The error to throw.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { TlsFailure, tlsFailure } from "./tls_failure.ts";
 * const error = Object.assign(new Error("x"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" });
 * assert(tlsFailure(error) instanceof TlsFailure);
 * ```
 */
export function tlsFailure(error: Error): Error {
  const words = describeTlsCode(error);
  return words === undefined ? error : new TlsFailure(words, { cause: error });
}
