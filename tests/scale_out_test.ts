/**
 * Several stand instances sharing one real Redis: commands reach every instance in publish
 * order, the state follows lamps to any instance, lamps fail over, outages answer 503.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { COLOR, connectLamp, ON, until } from "./support/fleet.ts";
import { requireProgram, runFlashlight } from "../scripts/support/flashlight_process.ts";
import { RedisServer } from "../scripts/support/redis_server.ts";
import { postApi, startTestStand, TestBrowser, type TestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";
import { isCommand, type TestLamp } from "./support/test_lamp.ts";

function colors(lamp: TestLamp): string[] {
  return lamp.events.events.flatMap((e) =>
    e.event === "command" && e.command === "COLOR" ? [e.value] : []
  );
}

async function twoStands(redis: RedisServer): Promise<[TestStand, TestStand]> {
  const broker = parseBrokerUrl(redis.url);
  const a = await startTestStand({ broker });
  const b = await startTestStand({ broker });
  await a.log.nextNamed("broker_connected", 0);
  await b.log.nextNamed("broker_connected", 0);
  return [a, b];
}

Deno.test("two instances on one Redis: commands posted to either reach every lamp and browser, in publish order", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const [a, b] = await twoStands(redis);
  const lamps = [
    connectLamp(a.stand.ports.lamp),
    connectLamp(a.stand.ports.lamp),
    connectLamp(b.stand.ports.lamp),
  ];
  const browsers = [
    new TestBrowser(`ws://127.0.0.1:${a.stand.ports.web}/ws`),
    new TestBrowser(`ws://127.0.0.1:${b.stand.ports.web}/ws`),
  ];
  try {
    await Promise.all(
      lamps.map((lamp) => lamp.events.next(isCommand("OFF"), 0)),
    );
    await Promise.all(browsers.map((browser) => browser.messages.nextNamed("hello", 0)));
    const sent = ["#100000", "#200000", "#300000", "#400000", "#500000", "#600000"];
    for (const [i, value] of sent.entries()) {
      const { status, answer } = await postApi(i % 2 ? b.api : a.api, COLOR(value));
      assertEquals(status, 200);
      assertEquals(answer.frame, `20 00 03 ${value.slice(1, 3)} 00 00`);
    }
    for (const lamp of lamps) {
      await lamp.events.next(
        isCommand("COLOR", sent.at(-1)),
        0,
      );
      assertEquals(colors(lamp), ["#ffffff", ...sent]);
    }
    for (const browser of browsers) {
      await browser.messages.next((m) => m.event === "frame" && m.value === sent.at(-1), 0);
      assertEquals(
        browser.messages.events.filter((m) => m.event === "frame").map((m) => m.value),
        sent,
      );
    }
    await until(async () =>
      (await (await fetch(`${a.api}/status?fleet=1`)).json()).fleet.lamps === 3
    );
    const status = await (await fetch(`${b.api}/status?fleet=1`)).json();
    assertEquals([status.lamps, status.fleet.instances, status.fleet.lamps], [1, 2, 3]);
    const { kind, connected, url, counters } = status.broker;
    assertEquals([kind, connected, url, counters.delivered], ["redis", true, redis.url, 6]);
  } finally {
    await Promise.all(browsers.map((browser) => browser.close()));
    await Promise.all(lamps.map((lamp) => lamp.client.close()));
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("the state lives in Redis: a lamp joining B after a command on A, and a restarted instance, get it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const [a, b] = await twoStands(redis);
  let c: TestStand | undefined;
  const late = connectLamp(b.stand.ports.lamp);
  let fresh: TestLamp | undefined;
  try {
    await late.events.next(isCommand("OFF"), 0);
    await postApi(a.api, COLOR("00ff00"));
    await postApi(a.api, ON);
    await late.client.close();
    const joiner = connectLamp(b.stand.ports.lamp);
    await joiner.events.next(isCommand("ON"), 0);
    assertEquals(joiner.client.state, { on: true, color: 0x00ff00 });
    await joiner.client.close();

    c = await startTestStand({ broker: parseBrokerUrl(redis.url) });
    await c.log.nextNamed("state_adopted", 0);
    fresh = connectLamp(c.stand.ports.lamp);
    await fresh.events.next(isCommand("ON"), 0);
    assertEquals(fresh.client.state, { on: true, color: 0x00ff00 });
  } finally {
    await late.client.close();
    await fresh?.client.close();
    await Promise.all([a, b, c].map((stand) => stand?.stand.close()));
    await redis.stop();
  }
});

Deno.test("killing instance A: its lamps fail over to B and show the current state", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const [a, b] = await twoStands(redis);
  const lamp = connectLamp(a.stand.ports.lamp, b.stand.ports.lamp);
  try {
    await lamp.events.next(
      (e) => e.event === "connected" && e.address.endsWith(`:${a.stand.ports.lamp}`),
      0,
    );
    await postApi(a.api, COLOR("0000ff"));
    const from = lamp.events.events.length;
    await a.stand.close();
    await lamp.events.next(
      (e) => e.event === "connected" && e.address.endsWith(`:${b.stand.ports.lamp}`),
      from,
    );
    await postApi(b.api, ON);
    await lamp.events.next(isCommand("ON"), from);
    assertEquals(lamp.client.state, { on: true, color: 0x0000ff });
  } finally {
    await lamp.client.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("Redis down: the API answers 503 and the stand keeps serving; Redis back: delivery resumes", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  let redis = await RedisServer.start();
  const [a, b] = await twoStands(redis);
  const onA = connectLamp(a.stand.ports.lamp);
  const onB = connectLamp(b.stand.ports.lamp);
  try {
    await onA.events.next(isCommand("OFF"), 0);
    await onB.events.next(isCommand("OFF"), 0);
    await redis.stop();
    await a.log.nextNamed("broker_disconnected", 0);
    await b.log.nextNamed("broker_disconnected", 0);
    const refused = await postApi(a.api, COLOR("ff0000"));
    assertEquals(refused.status, 503);
    assertStringIncludes(String(refused.answer.error), "unavailable");
    assertEquals((await (await fetch(`${a.api}/status`)).json()).broker.connected, false);

    redis = await RedisServer.start(redis.port);
    for (const stand of [a, b]) {
      const down = stand.log.events.findLastIndex((e) => e.event === "broker_disconnected");
      await stand.log.next((e) => e.event === "broker_connected", down);
    }
    await until(async () => (await postApi(a.api, COLOR("ff8800"))).status === 200);
    for (const lamp of [onA, onB]) {
      await lamp.events.next(
        isCommand("COLOR", "#ff8800"),
        0,
      );
      assertEquals(lamp.client.state.color, 0xff8800);
    }
  } finally {
    await onA.client.close();
    await onB.client.close();
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("flashlight serve --broker runs with the binary's permissions; a bad broker URL exits 2", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const { stand, ports } = await startServeProcess({ env: { FLASHLIGHT_BROKER: redis.url } });
  try {
    const api = `http://127.0.0.1:${ports.api}`;
    await stand.waitForLine((line) => line.includes('"event":"broker_connected"'));
    const { status, answer } = await postApi(api, ON);
    assertEquals([status, answer.frame], [200, "12 00 00"]);
    assertEquals((await stand.stop("SIGTERM")).code, 0);
  } finally {
    await redis.stop();
  }
  const bad = await runFlashlight(["serve", "--broker", "http://x"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--broker: Invalid broker");
});
