/**
 * Who may drive the stand: Host checks against DNS rebinding on all three HTTP surfaces, and the
 * token beyond loopback. Over real sockets.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { runFlashlight } from "../scripts/support/flashlight_process.ts";
import { RawClient, rawRequest } from "./support/raw_http.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { startTestStand } from "./support/test_stand.ts";
import { API_ERROR_BURST, LOG_INTERVAL_MS } from "../src/stand/port_events.ts";

const ON = JSON.stringify({ method: "message", params: { command: "ON" } });
const TOKEN = "0123456789abcdef-token";
const tokenProtocol = (token: string) =>
  `flashlight.token.${btoa(token).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")}`;

/** Opens a WebSocket and resolves with whether it opened (and then closes it). */
function opens(url: string, protocols: string[] = []): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    socket.onopen = () => {
      socket.onclose = () => resolve(true);
      socket.close();
    };
    socket.onerror = () => {};
    socket.onclose = () => resolve(false);
  });
}

Deno.test("a rebinding page (foreign Host and matching Origin) is refused on the API, the page and the WebSocket", async () => {
  await using stand = await startTestStand();
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  await lamp.events.next(isCommand("OFF"), 0);
  const { api, web } = stand.stand.ports;
  const post = await rawRequest(api, [
    "POST / HTTP/1.1",
    `Host: evil.example:${api}`,
    `Origin: http://evil.example:${api}`,
    "Content-Type: text/plain",
  ], ON);
  assertEquals(post.status, 421);
  assertStringIncludes(post.body, "--allow-host");
  const page = await rawRequest(web, ["GET / HTTP/1.1", `Host: evil.example:${web}`]);
  assertEquals(page.status, 421);
  assertFalse(page.body.includes("<html"));
  const upgrade = await rawRequest(web, [
    "GET /ws HTTP/1.1",
    `Host: evil.example:${web}`,
    `Origin: http://evil.example:${web}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  ]);
  assertEquals(upgrade.status, 421);
  assertEquals(lamp.client.state.on, false, "nothing reached the lamps");
  const refusals = stand.log.events.filter((e) => e.event === "api_error" && e.status === 421);
  assertEquals(refusals.length, 3, "each refusal is logged");
  const local = await rawRequest(api, ["POST / HTTP/1.1", `Host: localhost:${api}`], ON);
  assertEquals(local.status, 200, "loopback names are allowed");
});

Deno.test("attack: an absolute-form target names the host (RFC 9112 §3.2.2): a foreign one is refused whatever Host says", async () => {
  await using stand = await startTestStand();
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  await lamp.events.next(isCommand("OFF"), 0);
  const { api, web } = stand.stand.ports;
  // The Host check read the Host header while the Origin check and the handler read the target.
  const post = await rawRequest(api, [
    `POST http://evil.example:${api}/ HTTP/1.1`,
    `Host: 127.0.0.1:${api}`,
    `Origin: http://evil.example:${api}`,
  ], ON);
  assertEquals(post.status, 421, post.body);
  const page = await rawRequest(web, [
    `GET http://evil.example:${web}/ HTTP/1.1`,
    "Host: localhost",
  ]);
  assertEquals(page.status, 421, page.body);
  assertEquals(lamp.client.state.on, false, "nothing reached the lamps");
  const local = await rawRequest(api, [`POST http://127.0.0.1:${api}/ HTTP/1.1`, "Host: evil"], ON);
  assertEquals(local.status, 200, "the target's host is the one checked");
});

Deno.test("names given with --allow-host (and the bound address) are answered", async () => {
  await using stand = await startTestStand({ allowHosts: ["lamps.lan"] });
  const { api } = stand.stand.ports;
  assertEquals(
    (await rawRequest(api, ["GET /status HTTP/1.1", `Host: LAMPS.lan:${api}`])).status,
    200,
  );
  assertEquals(
    (await rawRequest(api, ["GET /status HTTP/1.1", `Host: 127.0.0.1:${api}`])).status,
    200,
  );
  assertEquals((await rawRequest(api, ["GET /status HTTP/1.1", `Host: [::1]:${api}`])).status, 200);
  assertEquals(
    (await rawRequest(api, ["GET /status HTTP/1.1", "Host: lamps.lan.evil.example"])).status,
    421,
  );
  const malformed = await rawRequest(api, ["GET /status HTTP/1.1", "Host: a b"]);
  assert(malformed.status === 400 || malformed.status === 421, `${malformed.status}`);
});

Deno.test("with a token the API needs Authorization: Bearer (401 otherwise), health checks do not", async () => {
  await using stand = await startTestStand({ token: TOKEN });
  const { api } = stand.stand.ports;
  const missing = await fetch(`http://127.0.0.1:${api}/`, { method: "POST", body: ON });
  assertEquals([missing.status, missing.headers.get("www-authenticate")], [
    401,
    'Bearer realm="flashlight"',
  ]);
  await missing.body?.cancel();
  const wrong = await fetch(`http://127.0.0.1:${api}/status`, {
    headers: { authorization: "Bearer nope" },
  });
  assertEquals(wrong.status, 401);
  await wrong.body?.cancel();
  const right = await fetch(`http://127.0.0.1:${api}/`, {
    method: "POST",
    body: ON,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assertEquals(right.status, 200);
  await right.body?.cancel();
  assertFalse(JSON.stringify(stand.log.events).includes(TOKEN), "the token is never logged");
});

Deno.test("attack: 2,000 wrong tokens in a burst are logged at a bounded rate, every one counted", async () => {
  // Each refusal was its own log line: one client guessing 20,000 tokens a second wrote 20,000
  // lines (2.8 MB) a second to the stand's log.
  await using stand = await startTestStand({ token: TOKEN });
  const guesses = 2000;
  const guess =
    "GET /auth HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-wrong-wrong\r\n\r\n";
  const start = performance.now();
  for (let sent = 0; sent < guesses; sent += 500) { // 500 per connection: under its request cap
    const client = await RawClient.connect(stand.stand.ports.web);
    try {
      await client.send(guess.repeat(500));
      await client.readUntil((text) => text.split(" 401 ").length > 500);
    } finally {
      client.close();
    }
  }
  const took = performance.now() - start; // every refusal happened within it
  const refusals = () =>
    stand.log.events.filter((e) => e.event === "api_error" && e.status === 401);
  const counted = () => refusals().reduce((sum, e) => sum + Number(e.count), 0);
  while (counted() < guesses) {
    await stand.log.next((e) => e.event === "api_error", stand.log.events.length);
  }
  assertEquals(counted(), guesses, "every refusal is counted");
  // Each interval of the limiter logs at most its burst one by one, then one line with the count
  // of the rest; an interval lasts at least LOG_INTERVAL_MS, so the bound follows from how long
  // the burst took (one interval more for a timer that fires a hair early).
  const intervals = Math.ceil(took / LOG_INTERVAL_MS) + 1;
  const bound = intervals * (API_ERROR_BURST + 1);
  assert(
    refusals().length <= bound,
    `${refusals().length} lines for ${guesses} refusals in ${took.toFixed(0)} ms (bound ${bound})`,
  );
});

Deno.test("with a token the page's WebSocket needs it too (offered as a subprotocol)", async () => {
  await using stand = await startTestStand({ token: TOKEN });
  const url = `ws://127.0.0.1:${stand.stand.ports.web}/ws`;
  assertEquals(await opens(url), false);
  assertEquals(await opens(url, ["flashlight", tokenProtocol("wrong-token-wrong-token")]), false);
  assertEquals(await opens(url, ["flashlight", tokenProtocol(TOKEN)]), true);
  const page = await fetch(`http://127.0.0.1:${stand.stand.ports.web}/`);
  assertEquals(page.status, 200, "the page itself is static: it asks for the token");
  await page.body?.cancel();
});

Deno.test("serve beyond loopback without a token refuses to start (exit 2, naming the flags); send takes --token or FLASHLIGHT_TOKEN", async () => {
  const open = await runFlashlight([
    "serve",
    "--host",
    "0.0.0.0",
    "--lamp-port=0",
    "--api-port=0",
    "--web-port=0",
  ]);
  assertEquals(open.code, 2);
  assertStringIncludes(open.stderr, "--token");
  assertStringIncludes(open.stderr, "--insecure-no-auth");
  const short = await runFlashlight(["serve", "--token", "short"]);
  assertEquals(short.code, 2);
  assertStringIncludes(short.stderr, "at least 16");
  await using stand = await startTestStand({ token: TOKEN });
  const refused = await runFlashlight(["send", "--api", stand.api, "ON"]);
  assertEquals(refused.code, 4);
  assertStringIncludes(refused.stderr, "401");
  const flag = await runFlashlight(["send", "--api", stand.api, "--token", TOKEN, "ON"]);
  assertEquals(flag.code, 0, flag.stderr);
  const env = await runFlashlight(["send", "--api", stand.api, "OFF"], { FLASHLIGHT_TOKEN: TOKEN });
  assertEquals(env.code, 0, env.stderr);
  assert(stand.log.events.some((e) => e.event === "command" && e.command === "OFF"));
});
