/**
 * Readiness on a Redis broker tells the truth (issue 16, from a new user's trial): after Redis
 * restarts, `broker_connected` comes before the resync's events and the first command after it is
 * accepted; while Redis is away, slow or refusing writes, commands answer 503 and `/readyz` says
 * why, in current words; both recover.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { LogRecord } from "../src/log/log_line.ts";
import { createClient, ErrorReply, SocketClosedUnexpectedlyError } from "redis";
import { describeError } from "../src/net/connection_errors.ts";
import { parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { describeRedisError } from "../src/stand/broker/redis_error_text.ts";
import { sharedSchedule } from "../src/stand/broker/shared_schedule.ts";
import { COLOR, connectLamp, ON, until, untilApplied } from "./support/fleet.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { RedisServer } from "../scripts/support/redis_server.ts";
import { postApi, startTestStand, type TestStand } from "./support/test_stand.ts";

async function stand(redis: RedisServer): Promise<TestStand> {
  const started = await startTestStand({ broker: parseBrokerUrl(redis.url) });
  await started.log.nextNamed("broker_connected", 0);
  return started;
}

async function readyz(stand: TestStand): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stand.api}/readyz`);
  return { status: response.status, body: await response.json() };
}

/** The names of the events logged at or after `from`. */
function namesSince(stand: TestStand, from: number): string[] {
  return stand.log.events.slice(from).map((event) => event.event);
}

Deno.test("#16 trial.2: Node's socket errors read as the lamp's; Redis's answers are quoted", () => {
  const node = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
  const cases: [unknown, string][] = [
    [node("ECONNREFUSED"), describeError(new Deno.errors.ConnectionRefused("Connection refused"))],
    [
      node("ECONNRESET"),
      describeError(new Deno.errors.ConnectionReset("Connection reset by peer")),
    ],
    [node("ENOTFOUND"), "dns lookup failed"],
    [new SocketClosedUnexpectedlyError(), "server closed the connection"],
    [new ErrorReply("OOM no\x1b[2J"), 'Redis answered "OOM no\\u001b[2J"'],
  ];
  for (const [error, words] of cases) assertEquals(describeRedisError(error), words);
});

Deno.test("#16 trial.1: both Redis connections dial at the same moments (one shared schedule)", () => {
  let time = 1000;
  const delay = sharedSchedule((attempt) => 500 * 2 ** attempt, () => time);
  const dials = (wait: number) => time + wait;
  const pub = dials(delay(0));
  time += 7;
  const reader = dials(delay(0));
  assertEquals(reader, pub);
  time = pub + 3;
  const next = [dials(delay(1)), (time += 4, dials(delay(1)))];
  assertEquals(next, [pub + 3 + 1000, pub + 3 + 1000]);
});

Deno.test("#16 trial.1: after a Redis restart, broker_connected comes before the resync's events and the first send after it is accepted", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  let redis = await RedisServer.start();
  const a = await stand(redis);
  const b = await stand(redis);
  const lamp = connectLamp(b.stand.ports.lamp);
  try {
    await untilApplied(lamp, "OFF");
    assertEquals((await postApi(a.api, COLOR("ff0000"))).status, 200);
    const from = [a.log.events.length, b.log.events.length];
    await redis.stop();
    for (const [i, s] of [a, b].entries()) await s.log.nextNamed("broker_disconnected", from[i]);
    redis = await RedisServer.start(redis.port);
    const connected = await b.log.nextNamed("broker_connected", from[1]);
    const first = await postApi(b.api, ON);
    assertEquals(first.status, 200, JSON.stringify(first.answer));
    assertEquals(await readyz(b), { status: 200, body: { ok: true } });
    await untilApplied(lamp, "ON");
    for (const [i, s] of [a, b].entries()) {
      await s.log.nextNamed("state_adopted", from[i]);
      const names = namesSince(s, from[i]);
      const up = names.lastIndexOf("broker_connected");
      for (const event of ["broker_gap", "state_adopted", "broker_state_restored"]) {
        const at = names.lastIndexOf(event);
        assert(at === -1 || at > up, `${event} before broker_connected: ${names.join(",")}`);
      }
    }
    assert(b.log.events.indexOf(connected) >= 0);
  } finally {
    await lamp.client.close();
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("#16 trial.2: broker_error and /readyz say why in the lamp's words (connection refused), not Node's", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const stopped = await RedisServer.start();
  let redis: RedisServer | undefined;
  const a = await stand(stopped);
  try {
    const from = a.log.events.length;
    await stopped.stop();
    const refused = (event: LogRecord) =>
      event.event === "broker_error" && event.reason === "connection refused";
    await a.log.next(refused, from);
    const down = await readyz(a);
    assertEquals(down.status, 503);
    assertStringIncludes(JSON.stringify(down.body), "connection refused");
    const send = await postApi(a.api, ON);
    assertEquals(send.status, 503);
    assertStringIncludes(String(send.answer.error), "connection refused");
    for (const event of a.log.events.slice(from)) {
      const text = JSON.stringify(event);
      assert(!/ECONN|Socket closed unexpectedly/.test(text), `Node-style text: ${text}`);
    }
    redis = await RedisServer.start(stopped.port);
    await a.log.nextNamed("broker_connected", from);
    assertEquals((await postApi(a.api, ON)).status, 200);
  } finally {
    await a.stand.close();
    await redis?.stop();
  }
});

Deno.test("#16 trial.4: a send through a broker says it went to the fleet; lamps counts this stand's", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis);
  const b = await stand(redis);
  const lamp = connectLamp(a.stand.ports.lamp);
  try {
    await untilApplied(lamp, "OFF");
    const { status, answer } = await postApi(b.api, ON);
    assertEquals([status, answer.lamps], [200, 0]);
    assert(/^\d+-\d+$/.test(String(answer.stream_id)), JSON.stringify(answer));
    await untilApplied(lamp, "ON");
  } finally {
    await lamp.client.close();
    await a.stand.close();
    await b.stand.close();
    await redis.stop();
  }
});

Deno.test("#16 trial.5: Redis slow (DEBUG SLEEP): commands and /readyz answer 503 with the reason; both recover", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start(undefined, { args: ["--enable-debug-command", "yes"] });
  const a = await stand(redis);
  const sleeper = createClient({ socket: { host: "127.0.0.1", port: redis.port } });
  await sleeper.connect();
  try {
    // Written on a connection that is already up, so Redis sleeps before the command arrives.
    const sleeping = sleeper.sendCommand(["DEBUG", "SLEEP", "4"]);
    const late = await postApi(a.api, ON);
    assertEquals(late.status, 503);
    assertStringIncludes(String(late.answer.error), "may still be delivered");
    const slow = await readyz(a);
    assertEquals(slow.status, 503, JSON.stringify(slow.body));
    assertStringIncludes(JSON.stringify(slow.body), "did not answer");
    await sleeping;
    await until(async () => (await readyz(a)).status === 200);
    assertEquals((await postApi(a.api, COLOR("00ff00"))).status, 200);
  } finally {
    sleeper.destroy();
    await a.stand.close();
    await redis.stop();
  }
});

Deno.test("#16 trial.5: Redis refusing writes (maxmemory, noeviction): 503 with Redis's reason on commands and /readyz; both recover", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start();
  const a = await stand(redis);
  try {
    await redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
    await redis.command("CONFIG", "SET", "maxmemory", "1");
    const refused = await postApi(a.api, ON);
    assertEquals(refused.status, 503);
    assertStringIncludes(String(refused.answer.error), "OOM");
    const down = await readyz(a);
    assertEquals(down.status, 503, JSON.stringify(down.body));
    assertStringIncludes(JSON.stringify(down.body), "OOM");
    await redis.command("CONFIG", "SET", "maxmemory", "0");
    await until(async () => (await readyz(a)).status === 200);
    assertEquals((await postApi(a.api, ON)).status, 200);
  } finally {
    await a.stand.close();
    await redis.stop();
  }
});
