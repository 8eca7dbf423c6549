/**
 * The stand under bad input and slow peers: it answers the good requests, refuses the bad ones
 * with the right status, drops slow bodies and slow browsers, and stays bounded.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { launchChromium } from "../scripts/support/browser.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand, TestBrowser } from "./support/test_stand.ts";

Deno.test("1,000 concurrent bad requests while commands flow: good ones answered and applied in order", async () => {
  // An API budget that holds them all at once: beyond it the port sheds and refuses (floods
  // against the budget are server_limits_test.ts's).
  const { stand, api, log } = await startTestStand({
    bodyTimeoutMs: 1000,
    maxApiConnections: 2000,
  });
  const lamp = startTestLamp(stand.ports.lamp);
  const { events } = lamp;
  // Each bad request on a connection of its own (none kept for another), and the good ones on
  // theirs: a kept connection that the stand closes (a spare one fetch opened and never used
  // gets the head deadline) would race the request sent on it.
  const floodClient = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const goodClient = Deno.createHttpClient({});
  const rssBefore = Deno.memoryUsage().rss;
  const slowStreams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const expected = [400, 413, 408, 405];
  /** The status, or why there was none (never rejects: nothing is left uncaught). */
  const bad = (i: number): Promise<number | string> => {
    const init: RequestInit = [
      { method: "POST", body: `{"method": "message", "params": ${i}` },
      { method: "POST", body: "x".repeat(20_000) },
      {
        method: "POST",
        body: new ReadableStream<Uint8Array>({
          start: (controller) => {
            slowStreams.push(controller);
            controller.enqueue(new TextEncoder().encode('{"method":'));
          },
        }),
      },
      { method: "DELETE" },
    ][i % 4];
    return fetch(api, { ...init, client: floodClient }).then(async (response) => {
      await response.body?.cancel();
      return response.status;
    }, (error) => String(error?.cause ?? error));
  };
  try {
    await events.next(isCommand("OFF"), 0);
    const flood = Array.from({ length: 1000 }, (_, i) => bad(i));
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const value = `#0000${i.toString(16).padStart(2, "0")}`;
      const { status } = await postApi(api, {
        method: "message",
        params: { command: "COLOR", value },
      }, { client: goodClient });
      assertEquals(status, 200);
      sent.push(value);
    }
    const outcomes = await Promise.all(flood);
    const wrong = outcomes.flatMap((outcome, i) =>
      typeof outcome === "number" && outcome !== expected[i % 4] ? [`${i}: ${outcome}`] : []
    );
    assertEquals(wrong, [], "each bad request answered gets its own status");
    // A request that got no answer was sent too late: on a machine too busy to send its head
    // within the stand's head deadline, the stand closes the connection (as it must, against
    // slow heads) and counts it. Nothing else may close one.
    const unanswered = outcomes.filter((outcome) => typeof outcome === "string");
    for (const reason of unanswered) {
      assertStringIncludes(reason as string, "connection closed before message completed");
    }
    const timedOut = () =>
      log.events.filter((e) => e.event === "header_timeout")
        .reduce((sum, e) => sum + Number(e.count), 0);
    while (timedOut() < unanswered.length) {
      await log.next((e) => e.event === "header_timeout", log.events.length);
    }
    await events.next(isCommand("COLOR", sent.at(-1)), 0);
    const applied = events.events.flatMap((e) =>
      e.event === "command" && e.command === "COLOR" ? [e.value] : []
    );
    assertEquals(applied, ["#ffffff", ...sent]);
    const growth = Deno.memoryUsage().rss - rssBefore;
    assert(growth < 256 * 1024 * 1024, `memory grew by ${(growth / 1e6).toFixed(0)} MB`);
  } finally {
    for (const controller of slowStreams) {
      try {
        controller.close();
      } catch {
        // the stand ended that connection already (it stops draining a stalled body)
      }
    }
    floodClient.close();
    goodClient.close();
    await lamp.client.close();
    await stand.close();
  }
});

Deno.test("a browser that never reads is dropped without stalling the others", async () => {
  const { stand, log } = await startTestStand({ queueLimit: 64 * 1024 });
  const good = new TestBrowser(`ws://127.0.0.1:${stand.ports.web}/ws`);
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: stand.ports.web });
  try {
    await good.messages.nextNamed("hello", 0);
    await stuck.write(new TextEncoder().encode(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    await log.next((e) => e.event === "browsers" && e.browsers === 2, 0);
    const value = "ab".repeat(30_000);
    let sent = 0;
    while (!log.events.some((e) => e.event === "browsers" && e.browsers === 1) && sent < 5000) {
      await stand.send({
        type: 0x40,
        value: new TextEncoder().encode(value),
        command: "FRAME",
        text: value.slice(0, 64),
      });
      sent++;
      const frames = () => good.messages.events.filter((m) => m.event === "frame").length;
      await good.messages.next(() => frames() === sent, 0);
    }
    assert(sent < 5000, "the stuck browser was dropped");
    assertEquals(
      good.messages.events.filter((m) => m.event === "frame").length,
      sent,
      "the reading browser got every frame",
    );
  } finally {
    stuck.close();
    await good.close();
    await stand.close();
  }
});

Deno.test("the page shows hostile text as text, never as HTML", async () => {
  const context = await launchChromium();
  if (!context) return;
  const { stand, web } = await startTestStand();
  try {
    const page = context.pages()[0] ?? await context.newPage();
    // The page keeps its socket to itself: note it, to send through it as the page would.
    await page.addInitScript(`{
      const PageSocket = WebSocket;
      window.WebSocket = class extends PageSocket {
        constructor(...args) { super(...args); window.pageSocket = this; }
      };
    }`);
    await page.goto(web);
    await page.waitForFunction(`document.getElementById("link").dataset.live === "true"`);
    const hostile = `<img src=x onerror="window.pwned=1"><b>bold</b>`;
    await page.evaluate(
      `pageSocket.send(JSON.stringify({ method: "message", params: { command: ${
        JSON.stringify(hostile)
      } } }))`,
    );
    await page.waitForFunction(
      `document.getElementById("error").textContent.includes("unknown command")`,
    );
    assertStringIncludes(await page.locator("#error").textContent() ?? "", "<img src=x");
    assertEquals(await page.evaluate(`document.querySelectorAll("img, #error *").length`), 0);
    assertEquals(await page.evaluate(`window.pwned === undefined`), true);
  } finally {
    await context.close();
    await stand.close();
  }
});
