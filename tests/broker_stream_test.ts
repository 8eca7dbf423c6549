/**
 * The Redis Streams broker against a real redis-server (issue 16, items 1–3 and 5): nothing on
 * the wire stops delivery, an instance that was away delivers what it missed (or says what it
 * could not and syncs), the retained state cannot diverge, the fleet view skips bad heartbeats.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { applied, COLOR, CONTROL, Fleet, ON, until, untilApplied } from "./support/fleet.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import type { TestLamp } from "./support/test_lamp.ts";
import { postApi, type TestStand } from "./support/test_stand.ts";
import { tempDir } from "./support/temp_dir.ts";

async function synced(...lamps: TestLamp[]): Promise<void> {
  await Promise.all(lamps.map((lamp) => untilApplied(lamp, "OFF")));
}

async function brokerStatus(stand: TestStand) {
  return (await (await fetch(`${stand.api}/status`)).json()).broker;
}

/** Waits until the stand logged `event` after position `from`; returns the record. */
function logged(stand: TestStand, event: string, from = 0) {
  return stand.log.nextNamed(event, from);
}

Deno.test("malformed messages on the wire are logged, counted and skipped; delivery goes on", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const lamps = [fleet.lamp(a), fleet.lamp(b)];
  await synced(...lamps);
  // Today's wire (pub/sub) and the stream, both with garbage.
  await fleet.redis.command("PUBLISH", "flashlight:commands", "garbage");
  await fleet.redis.command("PUBLISH", "flashlight:commands", '7 {"type":"x"}');
  const garbage = [
    ["hello", "world"],
    ["origin", "x", "kind", "command", "frame", "999  ON "],
    ["origin", "x", "kind", "command", "frame", "32 zz COLOR "],
    ["origin", "x", "kind", "command", "frame", "18  \x1b[2J "],
    ["origin", "x", "kind", "command", "frame", `33 ${"ab".repeat(70_000)} FRAME `],
    ["origin", "x", "kind", "\x1b]0;pwned\x07"],
  ];
  for (const fields of garbage) {
    await fleet.redis.command("XADD", "flashlight:commands", "*", ...fields);
  }
  const { status, answer } = await postApi(a.api, COLOR("00ff00"));
  assertEquals([status, answer.color], [200, "#00ff00"]);
  for (const lamp of lamps) await untilApplied(lamp, "COLOR #00ff00");
  for (const instance of [a, b]) {
    await until(async () => (await brokerStatus(instance)).counters.delivered === 1);
    const broker = await brokerStatus(instance);
    assertEquals([broker.connected, broker.counters.skipped_messages], [true, garbage.length]);
    const skipped = instance.log.events.filter((e) => e.event === "broker_message_skipped");
    assertEquals(skipped.length, garbage.length);
    for (const record of instance.log.events) {
      assert(!Object.values(record).some((v) => CONTROL.test(String(v))), JSON.stringify(record));
    }
  }
});

Deno.test("attack: a stream entry whose text is not what its frame does is skipped, not shown as if the lamps did it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand();
  const lamp = await fleet.syncedLamp(a);
  // Red to the lamps, "#00ff00" to the log, /status and the page.
  const lie = ["origin", "x", "kind", "command", "frame", "32 ff0000 COLOR #00ff00"];
  await fleet.redis.command("XADD", "flashlight:commands", "*", ...lie);
  await until(async () => (await brokerStatus(a)).counters.skipped_messages === 1);
  const status = await (await fetch(`${a.api}/status`)).json();
  assertEquals(status.last_command, null, JSON.stringify(status.last_command));
  assertEquals(a.log.events.filter((e) => e.event === "command"), []);
  const { status: code, answer } = await postApi(a.api, COLOR("0000ff"));
  assertEquals(code, 200, JSON.stringify([answer, a.log.events.slice(-5)]));
  await untilApplied(lamp, "COLOR #0000ff");
  assertEquals(applied(lamp).filter((c) => c.startsWith("COLOR #ff0000")), []);
  assertEquals(a.log.events.filter((e) => e.event === "broker_gap"), [], "read, so no gap");
});

Deno.test("an instance that was away delivers what it missed, in order, exactly once", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const proxy = fleet.proxy();
  const a = await fleet.stand();
  const b = await fleet.stand({ via: proxy.port });
  const onA = fleet.lamp(a);
  const onB = fleet.lamp(b);
  await synced(onA, onB);
  const from = b.log.events.length;
  const cutAt = onB.events.events.length;
  proxy.cut();
  await logged(b, "broker_disconnected", from);
  assertEquals((await postApi(b.api, ON)).status, 503);
  const sent = Array.from(
    { length: 30 },
    (_, i) => `#${(i + 1).toString(16).padStart(2, "0")}0000`,
  );
  for (const value of sent) assertEquals((await postApi(a.api, COLOR(value))).status, 200);
  proxy.restore();
  await logged(b, "broker_connected", from);
  await untilApplied(onB, `COLOR ${sent.at(-1)}`, cutAt);
  assertEquals(applied(onB, cutAt), sent.map((value) => `COLOR ${value}`));
  assertEquals(applied(onA).slice(2), sent.map((value) => `COLOR ${value}`));
  const names = b.log.events.slice(from).map((e) => e.event);
  assert(!names.includes("broker_gap") && !names.includes("state_adopted"), names.join(","));
  const broker = await brokerStatus(b);
  assertEquals([broker.counters.delivered, broker.counters.gaps, broker.lag], [30, 0, 0]);
});

Deno.test("acknowledged commands survive a Redis crash and restart (with persistence)", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using dir = await tempDir("flashlight-aof-");
  const persistent = { dir: dir.path, args: ["--appendonly", "yes", "--appendfsync", "always"] };
  await using fleet = await Fleet.start(persistent);
  const proxy = fleet.proxy();
  const a = await fleet.stand();
  const b = await fleet.stand({ via: proxy.port });
  const onB = await fleet.syncedLamp(b);
  const from = b.log.events.length;
  const cutAt = onB.events.events.length;
  proxy.cut();
  await logged(b, "broker_disconnected", from);
  const sent = Array.from(
    { length: 20 },
    (_, i) => `#00${(i + 1).toString(16).padStart(2, "0")}00`,
  );
  for (const value of sent) assertEquals((await postApi(a.api, COLOR(value))).status, 200);
  const aFrom = a.log.events.length;
  await fleet.stopRedis("SIGKILL");
  await logged(a, "broker_disconnected", aFrom);
  await fleet.restartRedis();
  await logged(a, "broker_connected", aFrom);
  proxy.restore();
  await logged(b, "broker_connected", from);
  await untilApplied(onB, `COLOR ${sent.at(-1)}`, cutAt);
  assertEquals(applied(onB, cutAt), sent.map((value) => `COLOR ${value}`));
  for (const instance of [a, b]) {
    assert(!instance.log.events.some((e) => e.event === "broker_gap"), instance.log.names());
  }
});

Deno.test("what an instance missed was trimmed away: it logs the gap, syncs its lamps to the state it missed, and delivers every command still in the stream", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start({ args: ["--stream-node-max-entries", "10"] });
  const proxy = fleet.proxy();
  const a = await fleet.stand({ brokerMaxLen: 10 });
  const b = await fleet.stand({ via: proxy.port, brokerMaxLen: 10 });
  const onB = await fleet.syncedLamp(b);
  const from = b.log.events.length;
  const cutAt = onB.events.events.length;
  proxy.cut();
  await logged(b, "broker_disconnected", from);
  const hex = (i: number) => `#0000${i.toString(16).padStart(2, "0")}`;
  assertEquals((await postApi(a.api, ON)).status, 200);
  for (let i = 1; i <= 60; i++) assertEquals((await postApi(a.api, COLOR(hex(i)))).status, 200);
  const left = await fleet.redis.command("XRANGE", "flashlight:commands", "-", "+") as [
    string,
    string[],
  ][];
  const kept = left.map(([, fields]) => `COLOR ${fields.at(-1)!.split(" ")[3]}`);
  assert(kept.length < 60 && kept.at(-1) === `COLOR ${hex(60)}`, kept.join(","));
  proxy.restore();
  const gap = await logged(b, "broker_gap", from);
  // The stream's own count says how many left before B read them (Redis 7).
  assertEquals([gap.reason, gap.resumed_at, gap.missed], ["trimmed", left[0][0], 61 - left.length]);
  await untilApplied(onB, `COLOR ${hex(60)}`, cutAt);
  // The ON is gone from the stream: synced (the retained state holds only the newest COLOR,
  // which is still in the stream, so the lamp keeps its color); the rest one by one.
  assertEquals(applied(onB, cutAt), ["COLOR #ffffff", "ON", ...kept]);
  assertEquals(onB.client.state, { on: true, color: 60 });
  const broker = await brokerStatus(b);
  assertEquals([broker.counters.gaps, broker.counters.gap_entries], [1, 61 - left.length]);
  assertEquals([broker.connected, broker.caught_up], [true, true]);
});

Deno.test("a publish Redis does not confirm in time answers 503, saying it may still be delivered", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand();
  const lamp = await fleet.syncedLamp(a);
  await fleet.redis.command("CLIENT", "PAUSE", "30000", "WRITE"); // scripts wait; reads go on
  const late = await postApi(a.api, COLOR("abcdef"));
  await fleet.redis.command("CLIENT", "UNPAUSE");
  assertEquals(late.status, 503);
  assertStringIncludes(String(late.answer.error), "may still be delivered");
  await untilApplied(lamp, "COLOR #abcdef"); // it was: a retry would have duplicated it
  assertEquals((await postApi(a.api, ON)).status, 200);
});

Deno.test("a wrong-length COLOR through the raw-frame API does not change the retained state", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand();
  assertEquals((await postApi(a.api, COLOR("ff0000"))).status, 200);
  const raw = await postApi(a.api, { method: "frame", params: { type: 0x20, value: "ff" } });
  assertEquals([raw.status, raw.answer.color], [200, "#ff0000"]);
  const c = await fleet.stand();
  const joiner = await fleet.syncedLamp(c);
  assertEquals(joiner.client.state, { on: false, color: 0xff0000 });
});

Deno.test("a corrupted stored entry is logged and ignored; the live instances write it back", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const proxy = fleet.proxy();
  const a = await fleet.stand({ via: proxy.port });
  const onA = await fleet.syncedLamp(a);
  await postApi(a.api, COLOR("ff0000"));
  await postApi(a.api, ON);
  proxy.cut(); // A cannot repair the entry before C has read it
  await logged(a, "broker_disconnected");
  const keys = await fleet.redis.command("KEYS", "flashlight:*") as string[];
  for (const key of keys) {
    if (await fleet.redis.command("TYPE", key) === "hash") {
      await fleet.redis.command("HSET", key, "32", "garbage \x1b[31m");
    }
  }
  const c = await fleet.stand();
  const skipped = await logged(c, "broker_state_entry_skipped");
  assertEquals(skipped.field, '"32"');
  assert(!CONTROL.test(String(skipped.reason)), String(skipped.reason));
  const joiner = fleet.lamp(c);
  await untilApplied(joiner, "ON"); // what C could read: ON, its own color
  assertEquals(joiner.client.state, { on: true, color: 0xffffff });
  const from = a.log.events.length;
  proxy.restore();
  await logged(a, "broker_state_restored", from);
  await until(() => joiner.client.state.color === 0xff0000);
  assertEquals(joiner.client.state, { on: true, color: 0xff0000 });
  assertEquals(onA.client.state, { on: true, color: 0xff0000 });
  assertEquals(applied(onA).slice(-1), ["ON"]); // A kept what it had: no resync of its lamps
  assertEquals((await brokerStatus(c)).counters.skipped_state_entries, 1);
});

Deno.test("Redis restarted empty: the live instances re-establish the state for a joiner", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  await postApi(a.api, COLOR("ff0000"));
  await postApi(b.api, ON);
  const from = [a.log.events.length, b.log.events.length];
  await fleet.restartRedis();
  // Gone, or, when the other instance wrote the state back first, begun again after the place.
  for (const [i, stand] of [a, b].entries()) {
    const gap = await logged(stand, "broker_gap", from[i]);
    assert(["stream_deleted", "trimmed"].includes(String(gap.reason)), JSON.stringify(gap));
  }
  const c = await fleet.stand();
  const joiner = fleet.lamp(c);
  await until(() => joiner.client.state.on === true);
  assertEquals(joiner.client.state, { on: true, color: 0xff0000 });
});

Deno.test("two instances racing after a Redis restart converge on the newest entry of each type", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const proxies = [fleet.proxy(), fleet.proxy()];
  const a = await fleet.stand({ via: proxies[0].port });
  const b = await fleet.stand({ via: proxies[1].port });
  const onA = fleet.lamp(a);
  const onB = fleet.lamp(b);
  await synced(onA, onB);
  await postApi(a.api, COLOR("ff0000"));
  await untilApplied(onB, "COLOR #ff0000");
  proxies[1].cut(); // B misses the ON: it has red/OFF, A has red/ON (newer)
  await logged(b, "broker_disconnected");
  await postApi(a.api, ON);
  proxies[0].cut();
  await logged(a, "broker_disconnected");
  await fleet.restartRedis();
  const bFrom = b.log.events.length;
  proxies[1].restore(); // B first: it re-establishes its older state…
  await logged(b, "broker_connected", bFrom);
  assertEquals((await postApi(b.api, COLOR("0000ff"))).status, 200); // …and a newer COLOR
  const aFrom = a.log.events.length;
  proxies[0].restore(); // A comes back with the newer ON and the older red
  await logged(a, "broker_connected", aFrom);
  await logged(a, "broker_state_restored", aFrom);
  for (const lamp of [onA, onB]) {
    await until(() => lamp.client.state.on === true && lamp.client.state.color === 0x0000ff);
  }
  const c = await fleet.stand();
  const joiner = fleet.lamp(c);
  await until(() => joiner.client.state.on === true);
  assertEquals(joiner.client.state, { on: true, color: 0x0000ff });
  for (const instance of [a, b, c]) {
    const state = (await (await fetch(`${instance.api}/status`)).json()).state;
    assertEquals(state, { on: true, color: "#0000ff" });
  }
});

Deno.test("/status?fleet=1 skips and reports malformed heartbeat entries", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  await fleet.redis.command("SET", "flashlight:instance:bad", "garbage");
  await fleet.redis.command("SET", "flashlight:instance:evil\x1b[2J", '{"lamps":"x","browsers":1}');
  await fleet.redis.command("HSET", "flashlight:instance:hash", "lamps", "1");
  await until(async () => {
    const response = await fetch(`${a.api}/status?fleet=1`);
    const body = await response.json();
    return response.status === 200 && body.fleet.instances === 2;
  });
  const view = (await (await fetch(`${b.api}/status?fleet=1`)).json()).fleet;
  assertEquals([view.instances, view.lamps, view.browsers], [2, 0, 0]);
  assertEquals([...view.skipped].sort(), ['"bad"', '"evil\\u001b[2J"', '"hash"']);
  const record = await logged(b, "broker_heartbeat_skipped");
  assertEquals(record.count, 3);
  assertStringIncludes(String(record.instances), '"bad"');
});
