/**
 * The stand with real sockets: lamps over TCP, the JSON API over HTTP, browsers over WebSocket.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { LampClient } from "../src/client/lamp_client.ts";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { EventRecorder } from "./support/event_recorder.ts";
import { postApi, startTestStand, TestBrowser } from "./support/test_stand.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";

type TestLamp = { client: LampClient; events: EventRecorder<LampEvent> };

function connectLamp(port: number): TestLamp {
  const events = new EventRecorder<LampEvent>();
  const client = new LampClient({
    addresses: [{ hostname: "127.0.0.1", port }],
    backoff: () => 3_600_000,
    onEvent: events.onEvent,
  });
  return { client, events };
}

function commandApplied(name: string) {
  return (event: LampEvent) => event.event === "command" && event.command.name === name;
}

const COLOR_GREEN = { method: "message", params: { command: "COLOR", value: "00ff00" } };
const ON = { method: "message", params: { command: "ON" } };

Deno.test("an API command reaches three lamps and a browser, in order", async () => {
  const { stand, api, log } = await startTestStand();
  const lamps = [1, 2, 3].map(() => connectLamp(stand.ports.lamp));
  const browser = new TestBrowser(`ws://127.0.0.1:${stand.ports.web}/ws`);
  try {
    await Promise.all(lamps.map((lamp) => lamp.events.next(commandApplied("OFF"), 0)));
    await log.next((e) => e.event === "lamp_connected" && e.lamps === 3, 0);
    await browser.messages.nextNamed("hello", 0);

    const first = await postApi(api, COLOR_GREEN);
    assertEquals(first.status, 200);
    assertEquals(
      { ...first.answer, time: "" },
      {
        ok: true,
        command: "COLOR",
        value: "#00ff00",
        frame: "20 00 03 00 ff 00",
        lamps: 3,
        on: false,
        color: "#00ff00",
        time: "",
      },
    );
    assertEquals((await postApi(api, ON)).answer.lamps, 3);

    for (const lamp of lamps) {
      await lamp.events.next(commandApplied("ON"), 0);
      assertEquals(lamp.client.state, { on: true, color: 0x00ff00 });
      const commands = lamp.events.events.flatMap((e) =>
        e.event === "command" ? [e.command.name] : []
      );
      assertEquals(commands, ["COLOR", "OFF", "COLOR", "ON"], "sync first, then the API commands");
    }
    const frames = browser.messages.events.filter((m) => m.event === "frame");
    await browser.messages.next((m) => m.event === "frame" && m.command === "ON", 0);
    assertEquals(
      browser.messages.events.filter((m) => m.event === "frame").map((
        m,
      ) => [m.command, m.value, m.frame]),
      [["COLOR", "#00ff00", "20 00 03 00 ff 00"], ["ON", "", "12 00 00"]],
    );
    assert(frames.length <= 2);
  } finally {
    await browser.close();
    await Promise.all(lamps.map((lamp) => lamp.client.close()));
    await stand.close();
  }
});

Deno.test("bad requests get the right status and a JSON error, and the stand keeps serving", async () => {
  const { stand, api, log } = await startTestStand({ bodyTimeoutMs: 300 });
  const lamp = connectLamp(stand.ports.lamp);
  const big = "x".repeat(17 * 1024);
  const cases: [string, RequestInit & { path?: string }, number, string][] = [
    ["malformed JSON", { method: "POST", body: "{nope" }, 400, "malformed JSON"],
    [
      "invalid UTF-8",
      { method: "POST", body: new Uint8Array([0xff, 0xfe]) },
      400,
      "malformed JSON",
    ],
    ["an array", { method: "POST", body: "[]" }, 400, "must be a JSON object"],
    [
      "no params",
      { method: "POST", body: '{"method":"message"}' },
      400,
      '"params" must be an object',
    ],
    [
      "command not a string",
      { method: "POST", body: '{"method":"message","params":{"command":1}}' },
      400,
      "must be a string",
    ],
    [
      "unknown method",
      { method: "POST", body: '{"method":"blink","params":{}}' },
      400,
      'unknown "method" "blink"',
    ],
    [
      "unknown command",
      { method: "POST", body: '{"method":"message","params":{"command":"DIM"}}' },
      422,
      'unknown command "DIM" (known: ON, OFF, COLOR rrggbb)',
    ],
    [
      "bad color",
      { method: "POST", body: '{"method":"message","params":{"command":"COLOR","value":"#12"}}' },
      422,
      "six hex digits",
    ],
    [
      "ON with a value",
      { method: "POST", body: '{"method":"message","params":{"command":"ON","value":"x"}}' },
      422,
      "takes no value",
    ],
    [
      "frame type out of range",
      { method: "POST", body: '{"method":"frame","params":{"type":300}}' },
      422,
      "integer 0-255",
    ],
    [
      "frame value not hex",
      { method: "POST", body: '{"method":"frame","params":{"type":1,"value":"xyz"}}' },
      422,
      "Not hex",
    ],
    ["body over 16 KiB", { method: "POST", body: big }, 413, "body too large"],
    [
      "chunked body over 16 KiB",
      { method: "POST", body: ReadableStream.from([new TextEncoder().encode(big)]) },
      413,
      "body too large",
    ],
    ["GET on /", { method: "GET" }, 405, "GET not allowed"],
    ["DELETE on /status", { method: "DELETE", path: "/status" }, 405, "use GET"],
    ["unknown path", { method: "POST", path: "/lamp", body: "{}" }, 404, "no such path"],
    [
      "foreign Origin",
      { method: "POST", body: JSON.stringify(ON), headers: { origin: "https://evil.example" } },
      403,
      "another site",
    ],
  ];
  try {
    await lamp.events.next(commandApplied("OFF"), 0);
    for (const [name, { path = "/", ...init }, status, message] of cases) {
      const response = await fetch(api + path, init);
      const answer = await response.json();
      assertEquals(response.status, status, name);
      assertEquals(answer.ok, false, name);
      assertStringIncludes(answer.error, message, name);
      assertEquals(response.headers.get("access-control-allow-origin"), null, "no CORS");
    }
    const allow = await fetch(api, { method: "PUT" });
    await allow.body?.cancel();
    assertEquals(allow.headers.get("allow"), "POST");

    const slow = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"method":')),
    });
    const stalled = await fetch(api, { method: "POST", body: slow });
    assertEquals(stalled.status, 408);
    assertStringIncludes((await stalled.json()).error, "not received within 300 ms");

    const before = lamp.events.events.length;
    assertEquals((await postApi(api, ON)).status, 200, "still serving after every bad request");
    await lamp.events.next(commandApplied("ON"), before);
    assertEquals(lamp.client.counts.applied, 3);
    assertEquals(log.events.filter((e) => e.event === "api_error").length, cases.length + 2);
  } finally {
    await lamp.client.close();
    await stand.close();
  }
});

Deno.test("GET /status reports lamps, browsers, state and the last command", async () => {
  const { stand, api } = await startTestStand();
  const lamp = connectLamp(stand.ports.lamp);
  try {
    await lamp.events.next(commandApplied("OFF"), 0);
    await postApi(api, COLOR_GREEN);
    const status = await (await fetch(`${api}/status`)).json();
    assertEquals(status.lamps, 1);
    assertEquals(status.browsers, 0);
    assertEquals(status.state, { on: false, color: "#00ff00" });
    assertEquals(status.last_command.command, "COLOR");
    assert(typeof status.uptime_s === "number" && typeof status.version === "string");
  } finally {
    await lamp.client.close();
    await stand.close();
  }
});

Deno.test("a lamp that connects later is synced to the current state; --no-sync sends nothing", async () => {
  const { stand, api } = await startTestStand();
  try {
    await postApi(api, COLOR_GREEN);
    await postApi(api, ON);
    const late = connectLamp(stand.ports.lamp);
    await late.events.next(commandApplied("ON"), 0);
    assertEquals(late.client.state, { on: true, color: 0x00ff00 });
    await late.client.close();
  } finally {
    await stand.close();
  }
  const quiet = await startTestStand({ sync: false });
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
    await quiet.stand.close();
  }
});

Deno.test("a lamp that never reads is dropped without delaying the others", async () => {
  const { stand, log } = await startTestStand({ queueLimit: 64 * 1024 });
  const good = connectLamp(stand.ports.lamp);
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: stand.ports.lamp });
  try {
    await log.next((e) => e.event === "lamp_connected" && e.lamps === 2, 0);
    await good.events.next(commandApplied("OFF"), 0);
    const value = new Uint8Array(60_000);
    let sent = 0;
    while (!log.events.some((e) => e.event === "lamp_dropped") && sent < 2000) {
      await stand.send({ type: 0x40, value, command: "FRAME", text: "" });
      sent++;
      await good.events.next(
        (e) => e.event === "ignored" && good.client.counts.unknown === sent,
        0,
      );
    }
    const dropped = await log.nextNamed("lamp_dropped", 0);
    assertStringIncludes(String(dropped.reason), "send queue over 65536 bytes");
    assertEquals(dropped.lamps, 1);
    assertEquals(good.client.counts.unknown, sent, "the reading lamp got every frame");
    assert(sent < 2000, `dropped after ${sent} frames`);
  } finally {
    closeQuietly(stuck);
    await good.client.close();
    await stand.close();
  }
});

Deno.test("closing the stand gives each lamp a clean EOF", async () => {
  const { stand, log } = await startTestStand();
  const raw = await Deno.connect({ hostname: "127.0.0.1", port: stand.ports.lamp });
  const lamp = connectLamp(stand.ports.lamp);
  await log.next((e) => e.event === "lamp_connected" && e.lamps === 2, 0);
  const [ending] = await Promise.all([readUntilEnd(raw), stand.close()]);
  assertEquals(ending, "eof");
  const down = await lamp.events.nextNamed("disconnected", 0);
  assertEquals(down.event === "disconnected" && down.reason, "server closed the connection");
  await lamp.client.close();
});

Deno.test("browsers stay in sync, can send commands, and get errors as messages", async () => {
  const { stand } = await startTestStand();
  const lamp = connectLamp(stand.ports.lamp);
  const one = new TestBrowser(`ws://127.0.0.1:${stand.ports.web}/ws`);
  const two = new TestBrowser(`ws://127.0.0.1:${stand.ports.web}/ws`);
  try {
    await one.messages.nextNamed("hello", 0);
    await two.messages.nextNamed("hello", 0);
    await lamp.events.next(commandApplied("OFF"), 0);
    one.socket.send(JSON.stringify(COLOR_GREEN));
    const result = await one.messages.nextNamed("result", 0);
    assertEquals(result.frame, "20 00 03 00 ff 00");
    const seen = await two.messages.next((m) => m.event === "frame", 0);
    assertEquals([seen.command, seen.value, seen.color], ["COLOR", "#00ff00", "#00ff00"]);
    await lamp.events.next(commandApplied("COLOR"), 2);
    two.socket.send("{junk");
    const error = await two.messages.nextNamed("error", 0);
    assertEquals(error.status, 400);
    const late = new TestBrowser(`ws://127.0.0.1:${stand.ports.web}/ws`);
    const hello = await late.messages.nextNamed("hello", 0);
    assertEquals(hello.state, { on: false, color: "#00ff00" });
    assertEquals((hello.recent as unknown[]).length, 1);
    await late.close();
  } finally {
    await one.close();
    await two.close();
    await lamp.client.close();
    await stand.close();
  }
});

Deno.test("the web port serves the page and its script, and refuses foreign WebSockets", async () => {
  const { stand, web } = await startTestStand();
  try {
    const page = await fetch(web);
    assertStringIncludes(await page.text(), '<div id="lamp"');
    assertStringIncludes(page.headers.get("content-security-policy") ?? "", "default-src 'none'");
    const script = await fetch(`${web}/app.js`);
    assertStringIncludes(await script.text(), "new WebSocket(");
    const foreign = await fetch(`${web}/ws`, {
      headers: { origin: "https://evil.example", upgrade: "websocket", connection: "Upgrade" },
    });
    assertEquals(foreign.status, 403);
    await foreign.body?.cancel();
    const missing = await fetch(`${web}/nope`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await stand.close();
  }
});
