/**
 * node:tls's handshake failures in the lamp's words, chosen by their code: pure cases, one per
 * code (the same failures over real sockets are in tests/lamp_tls_test.ts).
 */
import { assert, assertEquals } from "@std/assert";
import { describeError, isRetriable } from "../src/net/connection_errors.ts";
import { describeTlsCode, TlsFailure, tlsFailure } from "../src/net/tls_failure.ts";

function nodeError(code: string, message = "x", extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

Deno.test("node:tls's handshake failures read in words chosen by their code", () => {
  const cases: [Error, string][] = [
    [
      nodeError("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match", {
        host: "127.0.0.1",
        cert: { subjectaltname: "DNS:other.example, IP Address:10.0.0.1" },
      }),
      "tls: the certificate is not for 127.0.0.1 (it is for other.example, 10.0.0.1)",
    ],
    [
      nodeError("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
      "tls: the server's certificate is signed by a CA not trusted here (give --ca), or expired, or not valid yet",
    ],
    [nodeError("CERT_HAS_EXPIRED"), "tls: the server's certificate has expired"],
    [nodeError("CERT_NOT_YET_VALID"), "tls: the server's certificate is not valid yet"],
    [
      nodeError("SELF_SIGNED_CERT_IN_CHAIN"),
      "tls: the server's certificate is signed by a CA not trusted here (give --ca)",
    ],
    [
      nodeError("DEPTH_ZERO_SELF_SIGNED_CERT"),
      "tls: the server's certificate is self-signed (give it as --ca to trust it)",
    ],
    [
      nodeError("ERR_SSL_WRONG_VERSION_NUMBER", "received corrupt message"),
      "tls: the server does not speak TLS",
    ],
    [
      nodeError("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "received fatal alert: HandshakeFailure"),
      "tls: the server refused the handshake (HandshakeFailure)",
    ],
    [
      nodeError("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "received fatal alert: x"),
      "tls: the server requires a client certificate (--cert, --key)",
    ],
  ];
  for (const [error, words] of cases) {
    assertEquals(describeTlsCode(error), words, (error as { code?: string }).code);
    const failure = tlsFailure(error);
    assert(failure instanceof TlsFailure && isRetriable(failure), words);
    assertEquals([describeError(failure), failure.cause], [words, error]);
  }
});

Deno.test("errors that are no TLS failure pass through as they are", () => {
  for (
    const error of [
      nodeError("ECONNRESET"),
      new Deno.errors.ConnectionReset("reset"),
      new Error("x"),
    ]
  ) {
    assertEquals(describeTlsCode(error), undefined);
    assert(tlsFailure(error) === error);
  }
});
