/**
 * Several stand instances sharing one real Redis: commands reach every instance in publish
 * order, the state follows lamps to any instance, lamps fail over, outages answer 503.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { COLOR, Fleet, ON, until } from "./support/fleet.ts";
import { requireProgram, runFlashlight } from "../scripts/support/flashlight_process.ts";
import { postApi } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";
import { isCommand, type TestLamp } from "./support/test_lamp.ts";

function colors(lamp: TestLamp): string[] {
  return lamp.events.events.flatMap((e) =>
    e.event === "command" && e.command === "COLOR" ? [e.value] : []
  );
}

Deno.test("two instances on one Redis: commands posted to either reach every lamp and browser, in publish order", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const lamps = [fleet.lamp(a), fleet.lamp(a), fleet.lamp(b)];
  const browsers = [fleet.browser(a), fleet.browser(b)];
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
  assertEquals([kind, connected, url, counters.delivered], ["redis", true, fleet.redis.url, 6]);
});

Deno.test("the state lives in Redis: a lamp joining B after a command on A, and a restarted instance, get it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const late = fleet.lamp(b);
  await late.events.next(isCommand("OFF"), 0);
  await postApi(a.api, COLOR("00ff00"));
  await postApi(a.api, ON);
  await late.client.close();
  const joiner = fleet.lamp(b);
  await joiner.events.next(isCommand("ON"), 0);
  assertEquals(joiner.client.state, { on: true, color: 0x00ff00 });
  await joiner.client.close();

  const c = await fleet.stand();
  await c.log.nextNamed("state_adopted", 0);
  const fresh = fleet.lamp(c);
  await fresh.events.next(isCommand("ON"), 0);
  assertEquals(fresh.client.state, { on: true, color: 0x00ff00 });
});

Deno.test("killing instance A: its lamps fail over to B and show the current state", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const lamp = fleet.lamp(a, b);
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
});

Deno.test("Redis down: the API answers 503 and the stand keeps serving; Redis back: delivery resumes", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const onA = fleet.lamp(a);
  const onB = fleet.lamp(b);
  await onA.events.next(isCommand("OFF"), 0);
  await onB.events.next(isCommand("OFF"), 0);
  await fleet.stopRedis();
  await a.log.nextNamed("broker_disconnected", 0);
  await b.log.nextNamed("broker_disconnected", 0);
  const refused = await postApi(a.api, COLOR("ff0000"));
  assertEquals(refused.status, 503);
  assertStringIncludes(String(refused.answer.error), "unavailable");
  assertEquals((await (await fetch(`${a.api}/status`)).json()).broker.connected, false);

  await fleet.restartRedis();
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
});

Deno.test("flashlight serve --broker runs with the binary's permissions; a bad broker URL exits 2", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const env = { FLASHLIGHT_BROKER: fleet.redis.url };
  const { stand, ports } = await startServeProcess({ env });
  const api = `http://127.0.0.1:${ports.api}`;
  await stand.waitForLine((line) => line.includes('"event":"broker_connected"'));
  const { status, answer } = await postApi(api, ON);
  assertEquals([status, answer.frame], [200, "12 00 00"]);
  assertEquals((await stand.stop("SIGTERM")).code, 0);
  const bad = await runFlashlight(["serve", "--broker", "http://x"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--broker: Invalid broker");
});
