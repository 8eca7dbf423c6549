import { assertEquals, assertGreater, assertLessOrEqual, assertThrows } from "@std/assert";
import { formatAddress, parseAddress, parseAddressList } from "../src/net/address.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../src/net/backoff.ts";
import { describeError, isRetriable } from "../src/net/connection_errors.ts";

Deno.test("parseAddress accepts every documented form", () => {
  const cases: [string, string, number][] = [
    ["127.0.0.1:9999", "127.0.0.1", 9999],
    ["lamp.local", "lamp.local", 9999],
    [":7000", "127.0.0.1", 7000],
    ["[::1]:7000", "::1", 7000],
    ["[::1]", "::1", 9999],
    [" localhost:1 ", "localhost", 1],
  ];
  for (const [text, hostname, port] of cases) {
    assertEquals(parseAddress(text), { hostname, port }, text);
  }
});

Deno.test("parseAddress rejects bad input with the reason and the text", () => {
  const cases: [string, string][] = [
    ["host:0", "port must be a number 1-65535"],
    ["host:65536", "65536"],
    ["host:abc", '"abc"'],
    ["host:", "port must be"],
    ["", "expected host:port"],
    ["bad host:1", "expected host:port"],
    ["::1", "IPv6 addresses in brackets"],
    ["[zz]:1", "not an IPv6 address"],
    ["[::1", "a [ must close: [ipv6] or [ipv6]:port"], // not "write it in brackets"
    ["[::1]9999", "a [ must close: [ipv6] or [ipv6]:port"],
    ["\x1b[31m:1", "expected host:port"],
  ];
  for (const [text, message] of cases) assertThrows(() => parseAddress(text), RangeError, message);
});

Deno.test("address lists split on commas and round-trip through formatAddress", () => {
  const list = parseAddressList("a:1, [::1]:2,b");
  assertEquals(list.map(formatAddress), ["a:1", "[::1]:2", "b:9999"]);
  assertThrows(() => parseAddressList("a:1,,b"), RangeError, "empty entry");
  assertThrows(() => parseAddressList(""), RangeError, "no address given"); // not a list
});

Deno.test("backoff: full jitter under a doubling ceiling, capped, never below the floor", () => {
  const top = () => 0.999999;
  const bottom = () => 0;
  assertEquals([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, top)), [
    500,
    1000,
    2000,
    4000,
    5000,
    5000,
  ]);
  assertEquals(backoffDelay(0, bottom), DEFAULT_BACKOFF.minMs);
  assertEquals(backoffDelay(1000, top), 5000);
  assertEquals(backoffDelay(3, () => 0.5, { initialMs: 100, maxMs: 60_000, minMs: 0 }), 400);
  for (let attempt = 0; attempt < 20; attempt++) {
    assertLessOrEqual(backoffDelay(attempt, Math.random), 5000);
  }
});

Deno.test("backoff spreads many lamps: 1,000 first retries cover the whole window", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const delays = Array.from({ length: 1000 }, () => backoffDelay(0, random));
  const perBucket = new Array(10).fill(0);
  for (const delay of delays) perBucket[Math.min(9, Math.floor(delay / 50))]++;
  assertEquals(perBucket[0], 0, "nothing below the 50 ms floor");
  for (let bucket = 1; bucket < 10; bucket++) {
    assertGreater(perBucket[bucket], 60, `bucket ${bucket}`);
  }
});

Deno.test("connection errors: network failures retry, permission errors do not", () => {
  assertEquals(isRetriable(new Deno.errors.ConnectionRefused("x")), true);
  assertEquals(isRetriable(new Deno.errors.ConnectionReset("x")), true);
  assertEquals(isRetriable(new Error("failed to lookup address information: x")), true);
  assertEquals(isRetriable(new Deno.errors.NotCapable("net")), false);
  assertEquals(isRetriable(new TypeError("bug")), false);
  assertEquals(
    describeError(new Deno.errors.ConnectionRefused("Connection refused (os error 111)")),
    "connection refused",
  );
  assertEquals(
    describeError(new Error("failed to lookup address information: x")),
    "dns lookup failed",
  );
});

Deno.test("a TLS certificate rustls refuses is said in words, never as a Rust debug value", () => {
  // What Deno 2.9 throws when a lamp's --cert is X.509 version 1 (`openssl x509 -req` without
  // -extfile on OpenSSL 3.0), whatever the server does.
  const v1 = new Error("invalid peer certificate: Other(OtherError(UnsupportedCertVersion))");
  assertEquals(
    describeError(v1),
    "tls: a certificate is X.509 version 1, which TLS here refuses: reissue it as version 3 (openssl x509 -req with -extfile)",
  );
  assertEquals(
    describeError(new Error("invalid peer certificate: Other(OtherError(SomethingNew))")),
    "tls: invalid certificate: SomethingNew",
  );
});
