/**
 * The failures the runtime reports in words only (no class or code tells them apart): rustls's
 * TLS messages, DNS lookup failures, and what `fetch` keeps in its cause. One function per area;
 * one case per message it knows, each as Deno 2.9.6 writes it.
 */
import { assertEquals } from "@std/assert";
import { describeTlsFailure, isLookupFailure } from "../src/net/error_text.ts";
import { describeFetchError } from "../src/cli/fetch_error_text.ts";

const UNTRUSTED = "tls: the server's certificate is signed by a CA not trusted here (give --ca)";

Deno.test("rustls's messages read as words a person can act on", () => {
  const cases: [string, string | undefined][] = [
    ["invalid peer certificate: UnknownIssuer", UNTRUSTED],
    [
      'invalid peer certificate: certificate not valid for name "127.0.0.1"; certificate is only valid for DnsName("other.example")',
      "tls: the certificate is not for 127.0.0.1 (it is for other.example)",
    ],
    [
      'invalid peer certificate: certificate not valid for name "127.0.0.2"; certificate is only valid for DnsName("localhost") or IpAddress(127.0.0.1)',
      "tls: the certificate is not for 127.0.0.2 (it is for localhost, 127.0.0.1)",
    ],
    [
      "invalid peer certificate: certificate expired: verification time 1796611196 (UNIX), but certificate is not valid after 1577923200 (218687996 seconds ago)",
      "tls: the server's certificate has expired",
    ],
    [
      "invalid peer certificate: certificate not valid yet: verification time 1577923200 (UNIX), but certificate is not valid before 1796611196 (218687996 seconds in the future)",
      "tls: the server's certificate is not valid yet",
    ],
    ["received corrupt message of type InvalidContentType", "tls: the server does not speak TLS"],
    [
      "invalid peer certificate: Other(OtherError(UnsupportedCertVersion))",
      "tls: a certificate is X.509 version 1, which TLS here refuses: reissue it as version 3 (openssl x509 -req with -extfile)",
    ],
    [
      "invalid peer certificate: Other(OtherError(SomethingNew))",
      "tls: invalid certificate: SomethingNew",
    ],
    [
      "received fatal alert: CertificateRequired",
      "tls: the server requires a client certificate (--cert, --key)",
    ],
    [
      "received fatal alert: HandshakeFailure",
      "tls: the server refused the handshake (HandshakeFailure)",
    ],
    [
      "received fatal alert: ProtocolVersion",
      "tls: the server refused the handshake (ProtocolVersion)",
    ],
    ["Connection refused (os error 111)", undefined],
  ];
  for (const [message, words] of cases) assertEquals(describeTlsFailure(message), words, message);
});

Deno.test("a DNS lookup failure is told by the resolver's words", () => {
  const cases: [string, boolean][] = [
    ["failed to lookup address information: Name or service not known", true],
    ["failed to lookup address information: Temporary failure in name resolution", true],
    ["failed to lookup address information: nodename nor servname provided, or not known", true],
    // Windows: the resolver's WSA error, as Rust's io::Error writes it.
    ["No such host is known. (os error 11001)", true],
    [
      "This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server. (os error 11002)",
      true,
    ],
    [
      "dns error: failed to lookup address information: Name or service not known",
      true,
    ],
    ["Connection refused (os error 111)", false],
    ["lookup address", false],
  ];
  for (const [message, lookup] of cases) assertEquals(isLookupFailure(message), lookup, message);
});

Deno.test("a failed fetch reads in the lamp's words, with a hint where one helps", () => {
  const http = new URL("http://127.0.0.1:9000/");
  const https = new URL("https://127.0.0.1:9000/");
  const sending = "error sending request for url (http://127.0.0.1:9000/)";
  const sent =
    "error sending request from 127.0.0.1:51804 for http://127.0.0.1:9000/ (127.0.0.1:9000)";
  const failed = (message: string) => new TypeError("fetch failed", { cause: new Error(message) });
  const notHttp =
    "it does not speak HTTP (a lamp port? the API is on serve's --api-port, default 9000)";
  const cases: [unknown, URL, string][] = [
    [
      failed(
        `${sending}: client error (Connect): tcp connect error: Connection refused (os error 111)`,
      ),
      http,
      "connection refused",
    ],
    [
      failed(
        `${sending}: client error (Connect): dns error: failed to lookup address information: Name or service not known`,
      ),
      http,
      "dns lookup failed",
    ],
    [
      failed(`${sending}: client error (Connect): invalid peer certificate: UnknownIssuer`),
      https,
      UNTRUSTED,
    ],
    [
      failed(
        `${sending}: client error (Connect): received corrupt message of type InvalidContentType`,
      ),
      https,
      "tls: the server does not speak TLS",
    ],
    [failed(`${sent}: client error (SendRequest): invalid HTTP version parsed`), http, notHttp],
    [failed(`${sent}: client error (SendRequest): invalid HTTP header parsed`), http, notHttp],
    [
      failed(`${sent}: client error (SendRequest): received unexpected message from connection`),
      http,
      notHttp,
    ],
    [
      failed(`${sent}: client error (SendRequest): connection closed before message completed`),
      http,
      "connection closed before message completed (does the stand serve https? try --api https://127.0.0.1:9000)",
    ],
    [
      failed(`${sent}: client error (SendRequest): connection closed before message completed`),
      https,
      "connection closed before message completed",
    ],
    [failed("Connection reset by peer (os error 104)"), http, "connection reset by peer"],
    [
      new DOMException("Signal timed out.", "TimeoutError"),
      http,
      "no answer in 10 s (is 127.0.0.1:9000 the stand's API port, not its lamp port?)",
    ],
  ];
  for (const [error, api, words] of cases) {
    assertEquals(
      describeFetchError(error, api, 10_000),
      words,
      String((error as Error).cause ?? error),
    );
  }
});
