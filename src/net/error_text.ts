/**
 * The failures the runtime reports in words only: a DNS lookup that failed (Deno throws a plain
 * `Error` with no code) and what rustls says of a TLS handshake (all `Deno.errors.InvalidData`).
 * Every text matched here is one Deno 2.9.6 writes; `tests/error_text_test.ts` holds one case per
 * text. Pure.
 *
 * @module
 */

/**
 * The resolver's words for a name that did not resolve: Rust's `getaddrinfo` failure on Unix,
 * and on Windows the WSA errors of a lookup (11001 host not found, 11002 try again, 11004 no
 * data), which Deno gives no code.
 */
const LOOKUP_FAILURE = /failed to lookup address information|\(os error 1100[124]\)$/;

/**
 * Tells whether a message is the runtime's word for a DNS lookup that failed.
 *
 * @param message An error's message (or the text `fetch` keeps in its cause).
 * @returns `true` for a failed lookup.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { isLookupFailure } from "./error_text.ts";
 * assert(isLookupFailure("failed to lookup address information: Name or service not known"));
 * ```
 */
export function isLookupFailure(message: string): boolean {
  return LOOKUP_FAILURE.test(message);
}

/**
 * A TLS failure in words a person can act on, from rustls's message.
 *
 * @param message The message of a TLS error (`Deno.errors.InvalidData`).
 * @returns `tls: …`, or `undefined` when the message is none rustls writes.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeTlsFailure } from "./error_text.ts";
 * assertEquals(
 *   describeTlsFailure("received corrupt message of type InvalidContentType"),
 *   "tls: the server does not speak TLS",
 * );
 * ```
 */
export function describeTlsFailure(message: string): string | undefined {
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
  const alert = /received fatal alert: (\w+)$/.exec(message);
  if (alert?.[1] === "CertificateRequired") {
    return "tls: the server requires a client certificate (--cert, --key)";
  }
  if (alert) return `tls: the server refused the handshake (${alert[1]})`;
  return undefined;
}
