/**
 * The stand with real sockets: lamps over TCP, the JSON API over HTTP, browsers over WebSocket.
 * The API's request table runs in process in api_test.ts; a few cases stay here to prove the
 * wiring.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  commandsIn,
  isCommand,
  isEvent,
  startTestLamp,
  startTestLamps,
} from "./support/test_lamp.ts";
import { postApi, startTestStand, TestBrowser } from "./support/test_stand.ts";
import { RawClient, splitResponses } from "./support/raw_http.ts";
import { COUNT_UPDATE_MS } from "../src/stand/browser_side.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";

const COLOR_GREEN = { method: "message", params: { command: "COLOR", value: "00ff00" } };
const ON = { method: "message", params: { command: "ON" } };

Deno.test("an API command reaches three lamps and a browser, in order", async () => {
  await using stand = await startTestStand();
  await using group = startTestLamps(3, stand.stand.ports.lamp);
  const { lamps } = group;
  await using browser = new TestBrowser(`ws://127.0.0.1:${stand.stand.ports.web}/ws`);
  await Promise.all(lamps.map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
  await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 3, 0);
  await browser.messages.nextNamed("hello", 0);

  const first = await postApi(stand.api, COLOR_GREEN);
  assertEquals(first.status, 200);
  assertEquals({ ...first.answer, time: "" }, {
    ok: true,
    command: "COLOR",
    value: "#00ff00",
    frame: "20 00 03 00 ff 00",
    effect: "applied",
    lamps: 3,
    on: false,
    color: "#00ff00",
    time: "",
  });
  assertEquals((await postApi(stand.api, ON)).answer.lamps, 3);
  for (const lamp of lamps) {
    await lamp.events.next(isCommand("ON"), 0);
    assertEquals(lamp.client.state, { on: true, color: 0x00ff00 });
    assertEquals(
      commandsIn(lamp.events.events),
      ["COLOR #ffffff", "OFF", "COLOR #00ff00", "ON"],
      "sync first",
    );
  }
  await browser.messages.next((m) => m.event === "frame" && m.command === "ON", 0);
  assertEquals(
    browser.messages.events.filter((m) => m.event === "frame").map((
      m,
    ) => [m.command, m.value, m.frame]),
    [["COLOR", "#00ff00", "20 00 03 00 ff 00"], ["ON", "", "12 00 00"]],
  );
});

Deno.test("a raw frame the lamps will ignore is labelled as what it is, not as a command", async () => {
  await using stand = await startTestStand();
  const malformed = await postApi(stand.api, {
    method: "frame",
    params: { type: 32, value: "0a0b" },
  });
  assertEquals(
    [
      malformed.answer.command,
      malformed.answer.value,
      malformed.answer.effect,
      malformed.answer.color,
    ],
    ["FRAME", "0a 0b", "malformed", "#ffffff"],
  );
  const unknown = await postApi(stand.api, {
    method: "frame",
    params: { type: 33, value: "0011" },
  });
  assertEquals([unknown.answer.command, unknown.answer.effect], ["FRAME", "unknown"]);
  const valid = await postApi(stand.api, {
    method: "frame",
    params: { type: 32, value: "ff0000" },
  });
  assertEquals([valid.answer.command, valid.answer.value, valid.answer.effect], [
    "COLOR",
    "#ff0000",
    "applied",
  ]);
  const logged = stand.log.events.filter((e) => e.event === "command").map((
    e,
  ) => [e.command, e.effect]);
  assertEquals(logged, [["FRAME", "malformed"], ["FRAME", "unknown"], ["COLOR", "applied"]]);
});

Deno.test("bad requests over real sockets: oversized chunked body, a stalled body, a wrong method; the stand keeps serving", async () => {
  await using stand = await startTestStand({ bodyTimeoutMs: 300 });
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  await lamp.events.next(isCommand("OFF"), 0);
  // The oversized chunked body is sent with its head in one write: only the stalled body below
  // may meet the body deadline, however busy the machine.
  const size = 17 * 1024;
  const client = await RawClient.connect(stand.stand.ports.api);
  try {
    await client.send(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
        `${size.toString(16)}\r\n${"x".repeat(size)}\r\n0\r\n\r\n`,
    );
    const [chunked] = splitResponses(await client.readResponses(1));
    assertEquals(chunked.status, 413);
    assertStringIncludes(JSON.parse(chunked.body).error, "body too large");
  } finally {
    client.close();
  }
  const slow = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(new TextEncoder().encode('{"method":')),
  });
  const stalled = await fetch(stand.api, { method: "POST", body: slow });
  assertEquals(stalled.status, 408);
  assertStringIncludes((await stalled.json()).error, "not received within 300 ms");
  const put = await fetch(stand.api, { method: "PUT" });
  await put.body?.cancel();
  assertEquals([put.status, put.headers.get("allow")], [405, "POST, GET, HEAD"]);
  const before = lamp.events.events.length;
  assertEquals((await postApi(stand.api, ON)).status, 200, "still serving after every bad request");
  await lamp.events.next(isCommand("ON"), before);
  assertEquals(stand.log.events.filter((e) => e.event === "api_error").length, 3);
});

Deno.test("GET /status reports lamps, browsers, state and the last command", async () => {
  await using stand = await startTestStand();
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  await lamp.events.next(isCommand("OFF"), 0);
  await postApi(stand.api, COLOR_GREEN);
  const status = await (await fetch(`${stand.api}/status`)).json();
  assertEquals([status.lamps, status.browsers], [1, 0]);
  assertEquals(status.state, { on: false, color: "#00ff00" });
  assertEquals(status.last_command.command, "COLOR");
  assert(typeof status.uptime_s === "number" && typeof status.version === "string");
});

Deno.test("a lamp that connects later is synced to the current state; --no-sync sends nothing", async () => {
  {
    await using stand = await startTestStand();
    await postApi(stand.api, COLOR_GREEN);
    await postApi(stand.api, ON);
    await using late = startTestLamp(stand.stand.ports.lamp);
    await late.events.next(isCommand("ON"), 0);
    assertEquals(late.client.state, { on: true, color: 0x00ff00 });
  }
  await using quiet = await startTestStand({ sync: false });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: quiet.stand.ports.lamp });
  try {
    await quiet.log.nextNamed("lamp_connected", 0);
    await postApi(quiet.api, ON);
    const buffer = new Uint8Array(16);
    const count = await conn.read(buffer);
    assertEquals(
      [...buffer.subarray(0, count ?? 0)],
      [0x12, 0, 0],
      "only the command, no sync frames",
    );
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("a lamp that never reads is dropped without delaying the others", async () => {
  await using stand = await startTestStand({ queueLimit: 64 * 1024 });
  await using good = startTestLamp(stand.stand.ports.lamp);
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp });
  try {
    await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 2, 0);
    await good.events.next(isCommand("OFF"), 0);
    const value = new Uint8Array(60_000);
    let sent = 0;
    while (!stand.log.events.some((e) => e.event === "lamp_dropped") && sent < 2000) {
      await stand.stand.send({ type: 0x40, value, command: "FRAME", text: "" });
      sent++;
      await good.events.next(
        (e) => e.event === "ignored" && good.client.counts.unknown === sent,
        0,
      );
    }
    const dropped = await stand.log.nextNamed("lamp_dropped", 0);
    assertStringIncludes(String(dropped.reason), "send queue over 65536 bytes");
    assertEquals(dropped.lamps, 1);
    assertEquals(good.client.counts.unknown, sent, "the reading lamp got every frame");
    assert(sent < 2000, `dropped after ${sent} frames`);
  } finally {
    closeQuietly(stuck);
  }
});

Deno.test("closing the stand gives each lamp a clean EOF and logs it as the stand's doing", async () => {
  const stand = await startTestStand();
  const raw = await Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp });
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 2, 0);
  const [ending] = await Promise.all([readUntilEnd(raw), stand.stand.close()]);
  assertEquals(ending, "eof");
  const down = await lamp.events.next(isEvent("disconnected"), 0);
  assertEquals(down.event === "disconnected" && down.reason, "server closed the connection");
  const reasons = stand.log.events.filter((e) => e.event === "lamp_disconnected").map((e) =>
    e.reason
  );
  assertEquals(reasons, ["stand shutting down", "stand shutting down"]);
  // `shutdown` comes first, then each lamp's goodbye (it came after them)
  const order = stand.log.events.map((e) => e.event).filter((e) =>
    e === "shutdown" || e === "lamp_disconnected"
  );
  assertEquals(order, ["shutdown", "lamp_disconnected", "lamp_disconnected"]);
  assertEquals(stand.log.events.find((e) => e.event === "shutdown")?.lamps, 2);
});

Deno.test("the stand sends keep-alive frames to its lamps", async () => {
  await using stand = await startTestStand({ keepaliveMs: 20 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp });
  try {
    const buffer = new Uint8Array(64);
    let seen = "";
    while (!seen.endsWith("00 00 00 00 00 00")) {
      const count = await conn.read(buffer);
      if (count === null) break;
      seen += [...buffer.subarray(0, count)].map((b) => ` ${b.toString(16).padStart(2, "0")}`).join(
        "",
      );
    }
    assertEquals(
      seen.trim(),
      "20 00 03 ff ff ff 13 00 00 00 00 00 00 00 00",
      "sync, then keep-alives",
    );
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("browsers stay in sync, can send commands, and get errors as messages", async () => {
  await using stand = await startTestStand();
  await using lamp = startTestLamp(stand.stand.ports.lamp);
  const url = `ws://127.0.0.1:${stand.stand.ports.web}/ws`;
  await using one = new TestBrowser(url);
  await using two = new TestBrowser(url);
  await one.messages.nextNamed("hello", 0);
  await two.messages.nextNamed("hello", 0);
  await lamp.events.next(isCommand("OFF"), 0);
  one.socket.send(JSON.stringify(COLOR_GREEN));
  const result = await one.messages.nextNamed("result", 0);
  assertEquals(result.frame, "20 00 03 00 ff 00");
  const seen = await two.messages.next((m) => m.event === "frame", 0);
  assertEquals([seen.command, seen.value, seen.color], ["COLOR", "#00ff00", "#00ff00"]);
  await lamp.events.next(isCommand("COLOR", "#00ff00"), 0);
  two.socket.send("{junk");
  const error = await two.messages.nextNamed("error", 0);
  assertEquals(error.status, 400);
  await using late = new TestBrowser(url);
  const hello = await late.messages.nextNamed("hello", 0);
  assertEquals(hello.state, { on: false, color: "#00ff00" });
  assertEquals((hello.recent as unknown[]).length, 1);
});

Deno.test("lamp and browser counts reach browsers coalesced, not once per connection", async () => {
  await using stand = await startTestStand();
  const start = performance.now(); // no count message can be sent to the browser before this
  await using browser = new TestBrowser(`ws://127.0.0.1:${stand.stand.ports.web}/ws`);
  await browser.messages.nextNamed("hello", 0);
  const conns = await Promise.all(
    Array.from(
      { length: 50 },
      () => Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp }),
    ),
  );
  try {
    await browser.messages.next((m) => m.event === "count" && m.lamps === 50, 0);
    const took = performance.now() - start;
    const counts = browser.messages.events.filter((m) => m.event === "count").length;
    // At most one a tick, however long the lamps took to arrive (a tick more for a timer that
    // fires a hair early); all 50 within a tick or two cost one or two messages.
    const bound = Math.ceil(took / COUNT_UPDATE_MS) + 1;
    assert(counts <= bound, `${counts} count messages for 50 lamps in ${took.toFixed(0)} ms`);
    const status = await (await fetch(`${stand.api}/status`)).json();
    assertEquals(status.lamps, 50);
  } finally {
    conns.forEach(closeQuietly);
  }
});

Deno.test("the web port serves the page, HEAD and a favicon answer, foreign WebSockets are refused", async () => {
  await using stand = await startTestStand();
  const page = await fetch(stand.web);
  assertStringIncludes(await page.text(), '<div id="lamp"');
  assertStringIncludes(page.headers.get("content-security-policy") ?? "", "default-src 'none'");
  const head = await fetch(stand.web, { method: "HEAD" });
  assertEquals([head.status, await head.text()], [200, ""]);
  assertEquals(head.headers.get("content-type"), "text/html; charset=utf-8");
  const favicon = await fetch(`${stand.web}/favicon.ico`);
  assertEquals(favicon.status, 204);
  await favicon.body?.cancel();
  const script = await fetch(`${stand.web}/app.js`);
  assertStringIncludes(await script.text(), "new WebSocket(");
  const foreign = await fetch(`${stand.web}/ws`, {
    headers: { origin: "https://evil.example", upgrade: "websocket", connection: "Upgrade" },
  });
  assertEquals(foreign.status, 403);
  await foreign.body?.cancel();
  const missing = await fetch(`${stand.web}/nope`);
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
  const statusHead = await fetch(`${stand.api}/status`, { method: "HEAD" });
  assertEquals([statusHead.status, await statusHead.text()], [200, ""]);
});

Deno.test("a lamp on IPv6 is logged as [::1]:port when it connects and leaves, over TCP and over WebSocket", async () => {
  await using stand = await startTestStand({ hostname: "::1" });
  const { lamp: lampPort, web } = stand.stand.ports;
  for (const port of [lampPort, web]) {
    const from = stand.log.events.length;
    const conn = await Deno.connect({ hostname: "::1", port });
    const local = (conn.localAddr as Deno.NetAddr).port;
    if (port === web) {
      await new RawClient(conn).send(
        `GET /lamp HTTP/1.1\r\nHost: [::1]:${web}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    }
    const connected = await stand.log.nextNamed("lamp_connected", from);
    assertEquals(connected.lamp, `[::1]:${local}`);
    conn.close();
    const left = await stand.log.nextNamed("lamp_disconnected", from);
    assertEquals(left.lamp, `[::1]:${local}`);
  }
});
