/**
 * Lamps anywhere, attacked as a hostile network would: proxies that stall or answer garbage,
 * passwords and tokens that must never reach a message or the wire raw. Real sockets on
 * 127.0.0.1, no mocks.
 */
import { assert, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { runLamp } from "../src/cli/run_lamp.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { parseProxyUrl } from "../src/net/proxy.ts";
import { upgradeRequest } from "../src/net/websocket_handshake.ts";
import { type Address, parseAddress } from "../src/net/address.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { startTestLamp } from "./support/test_lamp.ts";
import { startTestStand } from "./support/test_stand.ts";

/** Rejects after `ms` so a broken build fails instead of hanging (not a speed check). */
function guard<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what}`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * A proxy that accepts one connection, reads the CONNECT, answers `answer` (nothing at all when
 * empty) and then says nothing more; `ended` resolves when the lamp closes its side.
 */
function stallingProxy(answer: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ended = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const count = await conn.read(buffer);
      if (count === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, count));
    }
    if (answer) await conn.write(new TextEncoder().encode(answer));
    try {
      while (await conn.read(buffer) !== null) { /* a TLS hello, unanswered */ }
    } finally {
      conn.close();
    }
  })();
  return {
    proxy: { hostname: "127.0.0.1", port: listener.addr.port, shown: "http://stalling" },
    ended,
  };
}

Deno.test("a lamp that gives up on a stalled proxy closes its connection to it: CONNECT never answered, or the upgrade never answered through the tunnel", async () => {
  const address: Address = { hostname: "127.0.0.1", port: 1, websocket: "/lamp" };
  for (const answer of ["", "HTTP/1.1 200 Connection established\r\n\r\n"]) {
    const { proxy, ended } = stallingProxy(answer);
    await using lamp = startTestLamp([], {
      addresses: [address],
      proxy: () => proxy,
      connectTimeoutMs: 200,
      backoff: () => 60_000, // one attempt is enough to see
    });
    const failed = await lamp.events.nextNamed("connect_failed");
    assertStringIncludes(String((failed as { reason?: string }).reason), "timed out");
    await guard(
      ended,
      `the lamp kept its connection to the proxy (answer ${JSON.stringify(answer)})`,
    );
  }
});

Deno.test("a refused proxy URL is shown without any part of its password, whatever characters the password holds", () => {
  const cases = [
    "https://lamp:qX@zY@proxy:3128", // an unescaped @: the URL parser takes the last one
    "http://lamp:qX/zY@proxy:3128", // an unescaped /: not a URL at all
    "http://lamp:qX#zY@proxy:3128",
    "socks5://lamp:qX@zY@wV@proxy:1080",
    "lamp:qX@zY@wV@proxy:3128/path",
  ];
  for (const url of cases) {
    const error = assertThrows(() => parseProxyUrl(url, "--proxy"), RangeError);
    for (const part of ["qX", "zY", "wV"]) {
      assert(!error.message.includes(part), `${url}: ${error.message}`);
    }
  }
});

Deno.test("a proxy URL whose password is not valid percent-encoding is refused in words, without it", () => {
  const error = assertThrows(
    () => parseProxyUrl("http://lamp:qX%zzY@proxy:3128", "HTTPS_PROXY"),
    RangeError,
    "HTTPS_PROXY",
  );
  assertStringIncludes(error.message, "percent-encoding");
  assert(!error.message.includes("zzY"), error.message);
});

Deno.test("a token an Authorization header cannot carry is a usage error, never written into the upgrade request, and never said", async () => {
  for (
    const token of ["s3cret-token\r", "s3cret\r\nX-Injected: 1", "s3cret token", "sécret-token"]
  ) {
    const error = await assertRejects(
      () => runLamp(["--token", token, "ws://127.0.0.1:1/lamp"]),
      UsageError,
      "Authorization header",
    );
    assert(!error.message.includes("s3cret") && !error.message.includes("sécret"), error.message);
    assertThrows(
      () => upgradeRequest({ host: "s", path: "/lamp", key: "k", token, userAgent: "a" }),
      RangeError,
      "the token holds",
    );
  }
});

Deno.test("a proxy that answers CONNECT with something not HTTP is named in the lamp's words, its text escaped", async () => {
  const { proxy } = stallingProxy("SSH-2.0-\x1b[31mOpenSSH\r\n\r\n");
  await using lamp = startTestLamp([], {
    addresses: [{ hostname: "127.0.0.1", port: 1, websocket: "/lamp" }],
    proxy: () => proxy,
    backoff: () => 60_000,
  });
  const failed = await lamp.events.nextNamed("connect_failed");
  const reason = String((failed as { reason?: string }).reason);
  assertStringIncludes(reason, "the proxy http://stalling does not answer in");
  assert(!reason.includes("\x1b"), reason);
});

Deno.test("a ws:// lamp at a stand's HTTPS web port is told to connect to wss://", async () => {
  const pki = await createTestPki();
  await using stand = await startTestStand({ tls: { web: pki.server } });
  const port = stand.stand.ports.web;
  await using lamp = startTestLamp([], {
    addresses: [{ hostname: "localhost", port, websocket: "/lamp" }],
    backoff: () => 60_000,
  });
  const failed = await lamp.events.nextNamed("connect_failed");
  assertStringIncludes(
    String((failed as { reason?: string }).reason),
    `connect to wss://localhost:${port}/lamp`,
  );
});

Deno.test("a ws:// address or a proxy URL with port 0 is a usage error, as host:0 is, not an internal error when dialing", async () => {
  assertThrows(
    () => parseAddress("ws://127.0.0.1:0/lamp"),
    RangeError,
    "port must be a number 1-65535",
  );
  await assertRejects(() => runLamp(["wss://127.0.0.1:0/lamp"]), UsageError, "1-65535");
  await assertRejects(
    () => runLamp(["--proxy", "http://127.0.0.1:0", "ws://127.0.0.1:1/lamp"]),
    UsageError,
    "1-65535",
  );
});
