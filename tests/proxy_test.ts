/**
 * Proxies for lamps: which proxy applies (curl's rules, as pure functions), and real tunnels
 * through Debian's tinyproxy: frames reach the lamp through CONNECT, a proxy that wants
 * credentials (407), refuses a port (403) or cannot reach the server (502) is said in words, and
 * credentials never reach a log.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { bypassesProxy, parseProxyUrl, proxyFor } from "../src/net/proxy.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { startTestLamp } from "./support/test_lamp.ts";
import { Tinyproxy } from "./support/tinyproxy.ts";

Deno.test("the proxy for an address is chosen as curl chooses it: --proxy, then HTTPS_PROXY for TLS, HTTP_PROXY for the rest, then ALL_PROXY, each lower case first", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const tls = { hostname: "stand.example", tls: true };
  const plain = { hostname: "stand.example" };
  const cases: [Record<string, string>, typeof tls | typeof plain, string | undefined, string?][] =
    [
      [{ HTTPS_PROXY: "http://a:1" }, tls, "http://a:1"],
      [{ HTTPS_PROXY: "http://a:1" }, plain, undefined],
      [{ HTTP_PROXY: "http://b:2" }, plain, "http://b:2"],
      [{ HTTP_PROXY: "http://b:2" }, tls, undefined],
      [{ https_proxy: "http://c:3", HTTPS_PROXY: "http://a:1" }, tls, "http://c:3"],
      [{ ALL_PROXY: "http://d:4" }, tls, "http://d:4"],
      [{ all_proxy: "d:4" }, plain, "http://d:4"], // no scheme: http
      [{ HTTP_PROXY: "http://b:2", ALL_PROXY: "http://d:4" }, plain, "http://b:2"],
      [{ HTTPS_PROXY: "http://a" }, tls, "http://a:1080"], // curl's default port
      [{ HTTPS_PROXY: "http://a:1" }, tls, "http://e:5", "http://e:5"], // --proxy first
      [{ HTTPS_PROXY: "" }, tls, undefined],
    ];
  for (const [vars, target, shown, flag] of cases) {
    assertEquals(proxyFor(target, env(vars), flag)?.shown, shown, JSON.stringify([vars, target]));
  }
});

Deno.test("NO_PROXY sends a host direct: *, names and the names below them, IPs and IPv4 ranges, upper or lower case", () => {
  const cases: [string, string, boolean][] = [
    ["stand.example", "*", true],
    ["stand.example", "stand.example", true],
    ["a.stand.example", "stand.example", true],
    ["a.stand.example", ".stand.example", true],
    ["a.stand.example", "*.stand.example", true],
    ["xstand.example", "stand.example", false],
    ["STAND.example", "stand.EXAMPLE:443", true],
    ["10.1.2.3", "10.0.0.0/8", true],
    ["11.1.2.3", "10.0.0.0/8", false],
    ["192.168.1.7", "192.168.1.7", true],
    ["::1", "[::1]", true],
    ["127.0.0.1", "localhost", false],
    ["stand.example", " , ", false],
  ];
  for (const [host, noProxy, direct] of cases) {
    assertEquals(bypassesProxy(host, noProxy), direct, `${host} with NO_PROXY=${noProxy}`);
  }
  const env = { HTTPS_PROXY: "http://p:1", no_proxy: "example" } as Record<string, string>;
  assertEquals(proxyFor({ hostname: "a.example", tls: true }, (name) => env[name]), undefined);
});

Deno.test("a proxy URL that cannot be used is refused in words, without its password", () => {
  const cases: [string, string][] = [
    ["https://p:3128", "an https:// proxy (TLS to the proxy) is not supported"],
    ["socks5://p:1080", "only HTTP proxies (CONNECT) are supported, not socks5"],
    ["http://p:3128/path", "a proxy URL has no path"],
    ["http://", "expected a proxy URL"],
  ];
  for (const [url, message] of cases) {
    assertThrows(() => parseProxyUrl(url, "--proxy"), RangeError, message);
  }
  const error = assertThrows(() => parseProxyUrl("https://me:s3cret@p:1", "HTTPS_PROXY"));
  assert(!(error as Error).message.includes("s3cret"), (error as Error).message);
  assertStringIncludes((error as Error).message, "HTTPS_PROXY");
  const proxy = parseProxyUrl("http://me:s%40cret@p:1", "--proxy");
  assertEquals([proxy.credentials, proxy.shown], ["me:s@cret", "http://p:1"]);
});

/** A TCP server that sends ON to each connection and keeps it open. */
function onServer(): Deno.Listener & { port: number } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      conn.write(new Uint8Array([0x12, 0, 0])).catch(() => {});
      conn.read(new Uint8Array(1)).then(() => conn.close(), () => {});
    }
  })();
  return Object.assign(listener, { port: listener.addr.port });
}

Deno.test("a lamp reaches a TCP server through tinyproxy's CONNECT and applies what it sends first", async () => {
  if (!requireProgram("tinyproxy", "tinyproxy")) return;
  using server = onServer();
  await using proxy = await Tinyproxy.start({ connectPorts: [server.port] });
  await using lamp = startTestLamp(server.port, { proxy: () => proxy.proxy });
  await lamp.events.nextNamed("command");
  assertEquals(lamp.client.state.on, true);
  assertStringIncludes(await proxy.log(), `127.0.0.1:${server.port}`); // it went through
});

Deno.test("a proxy's refusal is said in words: 407 without or with wrong credentials, 403 for a port it does not allow, 5xx for a server it cannot reach; the password is never said", async () => {
  if (!requireProgram("tinyproxy", "tinyproxy")) return;
  using server = onServer();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = closed.addr.port;
  closed.close();
  await using proxy = await Tinyproxy.start({
    connectPorts: [server.port, closedPort],
    basicAuth: ["lamp", "right"],
  });
  const reason = async (port: number, credentials?: string) => {
    await using lamp = startTestLamp(port, {
      proxy: () => ({ ...proxy.proxy, ...(credentials ? { credentials } : {}) }),
    });
    const failed = await lamp.events.nextNamed("connect_failed");
    return String((failed as { reason?: string }).reason);
  };
  assertStringIncludes(await reason(server.port), "needs credentials (407");
  const wrong = await reason(server.port, "lamp:wrong");
  assertStringIncludes(wrong, "refused the credentials in its URL (40");
  assert(!wrong.includes("wrong"), wrong);
  assertStringIncludes(await reason(1, "lamp:right"), "does not allow a tunnel to 127.0.0.1:");
  assertStringIncludes(await reason(closedPort, "lamp:right"), "could not reach 127.0.0.1:");
});
