/**
 * The Redis Streams broker against a real redis-server (issue 16, items 1–3 and 5): nothing on
 * the wire stops delivery, an instance that was away delivers what it missed (or says what it
 * could not and syncs), the retained state cannot diverge, the fleet view skips bad heartbeats.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import type { StandOptions } from "../src/stand/stand_options.ts";
import { applied, COLOR, connectLamp, CONTROL, ON, until, untilApplied } from "./support/fleet.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import type { TestLamp } from "./support/test_lamp.ts";
import { RedisServer } from "../scripts/support/redis_server.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { postApi, startTestStand, type TestStand } from "./support/test_stand.ts";

async function stand(port: number, options: Partial<StandOptions> = {}): Promise<TestStand> {
  const started = await startTestStand({
    broker: parseBrokerUrl(`redis://127.0.0.1:${port}/0`),
    ...options,
  });
  await started.log.nextNamed("broker_connected", 0);
  return started;
}

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

Deno.test("#16.1: malformed messages on the wire are logged, counted and skipped; delivery goes on", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis.port);
  const b = await stand(redis.port);
  const lamps = [connectLamp(a.stand.ports.lamp), connectLamp(b.stand.ports.lamp)];
  try {
    await synced(...lamps);
    // Today's wire (pub/sub) and the stream, both with garbage.
    await redis.command("PUBLISH", "flashlight:commands", "garbage");
    await redis.command("PUBLISH", "flashlight:commands", '7 {"type":"x"}');
    const garbage = [
      ["hello", "world"],
      ["n", "1", "origin", "x", "kind", "command", "frame", "999  ON "],
      ["n", "1", "origin", "x", "kind", "command", "frame", "32 zz COLOR "],
      ["n", "1", "origin", "x", "kind", "command", "frame", "18  \x1b[2J "],
      ["n", "1", "origin", "x", "kind", "command", "frame", `33 ${"ab".repeat(70_000)} FRAME `],
      ["n", "\x1b]0;pwned\x07", "origin", "x"],
    ];
    for (const fields of garbage) {
      await redis.command("XADD", "flashlight:commands", "*", ...fields);
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
  } finally {
    await Promise.all(lamps.map((lamp) => lamp.client.close()));
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("attack: a stream entry whose text is not what its frame does is skipped, not shown as if the lamps did it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis.port);
  const lamp = connectLamp(a.stand.ports.lamp);
  try {
    await synced(lamp);
    // Red to the lamps, "#00ff00" to the log, /status and the page.
    const n = String(await redis.command("INCR", "flashlight:counter"));
    const lie = ["n", n, "origin", "x", "kind", "command", "frame", "32 ff0000 COLOR #00ff00"];
    await redis.command("XADD", "flashlight:commands", "*", ...lie);
    await until(async () => (await brokerStatus(a)).counters.skipped_messages === 1);
    const status = await (await fetch(`${a.api}/status`)).json();
    assertEquals(status.last_command, null, JSON.stringify(status.last_command));
    assertEquals(a.log.events.filter((e) => e.event === "command"), []);
    const { status: code, answer } = await postApi(a.api, COLOR("0000ff"));
    assertEquals(code, 200, JSON.stringify([answer, a.log.events.slice(-5)]));
    await untilApplied(lamp, "COLOR #0000ff");
    assertEquals(applied(lamp).filter((c) => c.startsWith("COLOR #ff0000")), []);
    assertEquals(a.log.events.filter((e) => e.event === "broker_gap"), [], "read, so no gap");
  } finally {
    await lamp.client.close();
    await a.stand.close();
    await redis.stop();
  }
});

Deno.test("#16.2: an instance that was away delivers what it missed, in order, exactly once", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const proxy = new TcpProxy(redis.port);
  const a = await stand(redis.port);
  const b = await stand(proxy.port);
  const onA = connectLamp(a.stand.ports.lamp);
  const onB = connectLamp(b.stand.ports.lamp);
  try {
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
  } finally {
    await onA.client.close();
    await onB.client.close();
    await a.stand.close();
    await b.stand.close();
    await proxy.close();
    await redis.stop();
  }
});

Deno.test("#16.2: acknowledged commands survive a Redis crash and restart (with persistence)", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const dir = await Deno.makeTempDir({ prefix: "flashlight-aof-" });
  const persistent = { dir, args: ["--appendonly", "yes", "--appendfsync", "always"] };
  let redis = await RedisServer.start(undefined, persistent);
  const proxy = new TcpProxy(redis.port);
  const a = await stand(redis.port);
  const b = await stand(proxy.port);
  const onB = connectLamp(b.stand.ports.lamp);
  try {
    await synced(onB);
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
    await redis.stop("SIGKILL");
    await logged(a, "broker_disconnected", aFrom);
    redis = await RedisServer.start(redis.port, persistent);
    await logged(a, "broker_connected", aFrom);
    proxy.restore();
    await logged(b, "broker_connected", from);
    await untilApplied(onB, `COLOR ${sent.at(-1)}`, cutAt);
    assertEquals(applied(onB, cutAt), sent.map((value) => `COLOR ${value}`));
    for (const instance of [a, b]) {
      assert(!instance.log.events.some((e) => e.event === "broker_gap"), instance.log.names());
    }
  } finally {
    await onB.client.close();
    await a.stand.close();
    await b.stand.close();
    await proxy.close();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("#16.2: what an instance missed was trimmed away: it logs the gap and syncs its lamps", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start(undefined, { args: ["--stream-node-max-entries", "10"] });
  const proxy = new TcpProxy(redis.port);
  const a = await stand(redis.port, { brokerMaxLen: 10 });
  const b = await stand(proxy.port, { brokerMaxLen: 10 });
  const onB = connectLamp(b.stand.ports.lamp);
  try {
    await synced(onB);
    const from = b.log.events.length;
    const cutAt = onB.events.events.length;
    proxy.cut();
    await logged(b, "broker_disconnected", from);
    for (let i = 1; i <= 60; i++) {
      assertEquals(
        (await postApi(a.api, COLOR(`0000${i.toString(16).padStart(2, "0")}`))).status,
        200,
      );
    }
    assertEquals((await postApi(a.api, ON)).status, 200);
    proxy.restore();
    const gap = await logged(b, "broker_gap", from);
    assertEquals(gap.reason, "trimmed");
    assert(
      Number(gap.trimmed) > 0 && Number(gap.missed) >= Number(gap.trimmed),
      JSON.stringify(gap),
    );
    await until(() => onB.client.state.on);
    assertEquals(onB.client.state, { on: true, color: 60 });
    assertEquals(applied(onB, cutAt).slice(-2), ["COLOR #00003c", "ON"]);
    const broker = await brokerStatus(b);
    assertEquals([broker.counters.gaps, broker.counters.gap_entries], [1, gap.missed]);
    assertEquals([broker.connected, broker.caught_up], [true, true]);
  } finally {
    await onB.client.close();
    await a.stand.close();
    await b.stand.close();
    await proxy.close();
    await redis.stop();
  }
});

Deno.test("#16.2: a publish Redis does not confirm in time answers 503, saying it may still be delivered", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis.port);
  const lamp = connectLamp(a.stand.ports.lamp);
  try {
    await synced(lamp);
    await redis.command("CLIENT", "PAUSE", "30000", "WRITE"); // scripts wait; reads go on
    const late = await postApi(a.api, COLOR("abcdef"));
    await redis.command("CLIENT", "UNPAUSE");
    assertEquals(late.status, 503);
    assertStringIncludes(String(late.answer.error), "may still be delivered");
    await untilApplied(lamp, "COLOR #abcdef"); // it was: a retry would have duplicated it
    assertEquals((await postApi(a.api, ON)).status, 200);
  } finally {
    await lamp.client.close();
    await a.stand.close();
    await redis.stop();
  }
});

Deno.test("#16.3: a wrong-length COLOR through the raw-frame API does not change the retained state", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis.port);
  let c: TestStand | undefined;
  let joiner: TestLamp | undefined;
  try {
    assertEquals((await postApi(a.api, COLOR("ff0000"))).status, 200);
    const raw = await postApi(a.api, { method: "frame", params: { type: 0x20, value: "ff" } });
    assertEquals([raw.status, raw.answer.color], [200, "#ff0000"]);
    c = await stand(redis.port);
    joiner = connectLamp(c.stand.ports.lamp);
    await untilApplied(joiner, "OFF");
    assertEquals(joiner.client.state, { on: false, color: 0xff0000 });
  } finally {
    await joiner?.client.close();
    await c?.stand.close();
    await a.stand.close();
    await redis.stop();
  }
});

Deno.test("#16.3: a corrupted stored entry is logged and ignored; the live instances write it back", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const proxy = new TcpProxy(redis.port);
  const a = await stand(proxy.port);
  const onA = connectLamp(a.stand.ports.lamp);
  let c: TestStand | undefined;
  let joiner: TestLamp | undefined;
  try {
    await synced(onA);
    await postApi(a.api, COLOR("ff0000"));
    await postApi(a.api, ON);
    proxy.cut(); // A cannot repair the entry before C has read it
    await logged(a, "broker_disconnected");
    const keys = await redis.command("KEYS", "flashlight:*") as string[];
    for (const key of keys) {
      if (await redis.command("TYPE", key) === "hash") {
        await redis.command("HSET", key, "32", "garbage \x1b[31m");
      }
    }
    c = await stand(redis.port);
    const skipped = await logged(c, "broker_state_entry_skipped");
    assertEquals(skipped.field, '"32"');
    assert(!CONTROL.test(String(skipped.reason)), String(skipped.reason));
    joiner = connectLamp(c.stand.ports.lamp);
    await untilApplied(joiner, "ON"); // what C could read: ON, its own color
    assertEquals(joiner.client.state, { on: true, color: 0xffffff });
    const from = a.log.events.length;
    proxy.restore();
    await logged(a, "broker_state_restored", from);
    await until(() => joiner!.client.state.color === 0xff0000);
    assertEquals(joiner.client.state, { on: true, color: 0xff0000 });
    assertEquals(onA.client.state, { on: true, color: 0xff0000 });
    assertEquals(applied(onA).slice(-1), ["ON"]); // A kept what it had: no resync of its lamps
    assertEquals((await brokerStatus(c)).counters.skipped_state_entries, 1);
  } finally {
    await joiner?.client.close();
    await onA.client.close();
    await c?.stand.close();
    await a.stand.close();
    await proxy.close();
    await redis.stop();
  }
});

Deno.test("#16.3: Redis restarted empty: the live instances re-establish the state for a joiner", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  let redis = await RedisServer.start();
  const a = await stand(redis.port);
  const b = await stand(redis.port);
  let c: TestStand | undefined;
  let joiner: TestLamp | undefined;
  try {
    await postApi(a.api, COLOR("ff0000"));
    await postApi(b.api, ON);
    const from = [a.log.events.length, b.log.events.length];
    await redis.stop();
    redis = await RedisServer.start(redis.port);
    const gap = await logged(a, "broker_gap", from[0]);
    assertEquals(gap.reason, "redis_restarted");
    await logged(b, "broker_gap", from[1]);
    c = await stand(redis.port);
    joiner = connectLamp(c.stand.ports.lamp);
    await until(() => joiner!.client.state.on);
    assertEquals(joiner.client.state, { on: true, color: 0xff0000 });
  } finally {
    await joiner?.client.close();
    await c?.stand.close();
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("#16.3: two instances racing after a Redis restart converge on the newest entry of each type", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  let redis = await RedisServer.start();
  const proxies = [new TcpProxy(redis.port), new TcpProxy(redis.port)];
  const a = await stand(proxies[0].port);
  const b = await stand(proxies[1].port);
  const onA = connectLamp(a.stand.ports.lamp);
  const onB = connectLamp(b.stand.ports.lamp);
  let c: TestStand | undefined;
  let joiner: TestLamp | undefined;
  try {
    await synced(onA, onB);
    await postApi(a.api, COLOR("ff0000"));
    await untilApplied(onB, "COLOR #ff0000");
    proxies[1].cut(); // B misses the ON: it has red/OFF, A has red/ON (newer)
    await logged(b, "broker_disconnected");
    await postApi(a.api, ON);
    proxies[0].cut();
    await logged(a, "broker_disconnected");
    await redis.stop();
    redis = await RedisServer.start(redis.port);
    const bFrom = b.log.events.length;
    proxies[1].restore(); // B first: it re-establishes its older state…
    await logged(b, "broker_connected", bFrom);
    assertEquals((await postApi(b.api, COLOR("0000ff"))).status, 200); // …and a newer COLOR
    const aFrom = a.log.events.length;
    proxies[0].restore(); // A comes back with the newer ON and the older red
    await logged(a, "broker_connected", aFrom);
    await logged(a, "broker_state_restored", aFrom);
    for (const lamp of [onA, onB]) {
      await until(() => lamp.client.state.on && lamp.client.state.color === 0x0000ff);
    }
    c = await stand(redis.port);
    joiner = connectLamp(c.stand.ports.lamp);
    await until(() => joiner!.client.state.on);
    assertEquals(joiner.client.state, { on: true, color: 0x0000ff });
    for (const instance of [a, b, c]) {
      const state = (await (await fetch(`${instance.api}/status`)).json()).state;
      assertEquals(state, { on: true, color: "#0000ff" });
    }
  } finally {
    await joiner?.client.close();
    await onA.client.close();
    await onB.client.close();
    await c?.stand.close();
    await a.stand.close();
    await b.stand.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await redis.stop();
  }
});

Deno.test("#16.5: /status?fleet=1 skips and reports malformed heartbeat entries", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis.port);
  const b = await stand(redis.port);
  try {
    await redis.command("SET", "flashlight:instance:bad", "garbage");
    await redis.command("SET", "flashlight:instance:evil\x1b[2J", '{"lamps":"x","browsers":1}');
    await redis.command("HSET", "flashlight:instance:hash", "lamps", "1");
    await until(async () => {
      const response = await fetch(`${a.api}/status?fleet=1`);
      const body = await response.json();
      return response.status === 200 && body.fleet.instances === 2;
    });
    const { fleet } = await (await fetch(`${b.api}/status?fleet=1`)).json();
    assertEquals([fleet.instances, fleet.lamps, fleet.browsers], [2, 0, 0]);
    assertEquals([...fleet.skipped].sort(), ['"bad"', '"evil\\u001b[2J"', '"hash"']);
    const record = await logged(b, "broker_heartbeat_skipped");
    assertEquals(record.count, 3);
    assertStringIncludes(String(record.instances), '"bad"');
  } finally {
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});
