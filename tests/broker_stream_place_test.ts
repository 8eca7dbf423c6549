/**
 * The follower's place in the Redis stream is judged from the stream itself: two stands on one
 * real redis-server, three lamps each, COLOR commands alternating between the stands, and one
 * hostile or clumsy input in the middle. Every command in the stream reaches every lamp, in stream
 * order, exactly once; nothing that was not lost is reported as a gap.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { applied, COLOR, Fleet, until, untilApplied } from "./support/fleet.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import type { TestLamp } from "./support/test_lamp.ts";
import { postApi, type TestStand } from "./support/test_stand.ts";
import { tempDir } from "./support/temp_dir.ts";

const STREAM = "flashlight:commands";

/** Two stands, three synced lamps on each, and where each lamp's record starts. */
async function twoStands(fleet: Fleet) {
  const stands = await fleet.stands(2);
  const lamps = await Promise.all(
    stands.flatMap((stand) => [1, 2, 3].map(() => fleet.syncedLamp(stand))),
  );
  const from = lamps.map((lamp) => lamp.events.events.length);
  const logFrom = stands.map((stand) => stand.log.events.length);
  return { stands, lamps, from, logFrom };
}

/** The `i`th color of a run (distinct for every i). */
function color(i: number): string {
  return `#${(i + 1).toString(16).padStart(6, "0")}`;
}

/** Posts COLOR `i` to the stands in turn and asserts every answer is 200; returns the commands. */
async function send(stands: TestStand[], from: number, to: number): Promise<string[]> {
  const sent: string[] = [];
  for (let i = from; i < to; i++) {
    const { status, answer } = await postApi(stands[i % 2].api, COLOR(color(i)));
    assertEquals(status, 200, `COLOR ${color(i)}: ${JSON.stringify(answer)}`);
    sent.push(`COLOR ${color(i)}`);
  }
  return sent;
}

/** Waits until every lamp applied the last command, then asserts each applied exactly these. */
async function assertEveryLampApplied(
  lamps: TestLamp[],
  from: number[],
  expected: string[],
): Promise<void> {
  for (const [i, lamp] of lamps.entries()) {
    await untilApplied(lamp, expected.at(-1)!, from[i]);
    assertEquals(applied(lamp, from[i]), expected, `lamp ${i}`);
  }
}

function events(stand: TestStand, from: number, name: string) {
  return stand.log.events.slice(from).filter((event) => event.event === name);
}

async function brokerStatus(stand: TestStand) {
  return (await (await fetch(`${stand.api}/status`)).json()).broker;
}

/** Waits until the stand is not ready, then asserts `/status` says why, as `/readyz` does. */
async function assertStatusNamesWhyNotReady(stand: TestStand): Promise<void> {
  let why = "";
  await until(async () => {
    const response = await fetch(`${stand.api}/readyz`);
    why = String((await response.json()).error ?? "");
    return response.status === 503;
  });
  const error = String((await brokerStatus(stand)).error);
  assert(error !== "undefined" && why.includes(error), `/readyz: ${why}; /status: ${error}`);
}

Deno.test("a publish Redis refuses moves nothing: no false gap, every acknowledged command reaches every lamp one by one", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const before = await send(stands, 0, 100);
  // The stream key briefly holds a string: the stream is set aside and put back untouched.
  await fleet.redis.command("RENAME", STREAM, "set-aside");
  await fleet.redis.command("SET", STREAM, "not a stream");
  const refused = await postApi(stands[0].api, COLOR("ff0000"));
  assertEquals(refused.status, 503, JSON.stringify(refused.answer));
  for (const stand of stands) await assertStatusNamesWhyNotReady(stand);
  await fleet.redis.command("DEL", STREAM);
  await fleet.redis.command("RENAME", "set-aside", STREAM);
  for (const stand of stands) {
    await until(async () => (await fetch(`${stand.api}/readyz`)).status === 200);
  }
  const after = await send(stands, 100, 200);
  await assertEveryLampApplied(lamps, from, [...before, ...after]);
  for (const [i, stand] of stands.entries()) {
    assertEquals(events(stand, logFrom[i], "broker_gap"), []);
    assertEquals(events(stand, logFrom[i], "state_adopted"), []);
    const broker = await brokerStatus(stand);
    assertEquals([broker.counters.gaps, broker.caught_up, broker.lag], [0, true, 0]);
  }
});

Deno.test("an entry with a far-future id, then the stream deleted: both stands resume within seconds, say so once, and deliver everything", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const before = await send(stands, 0, 60);
  await fleet.redis.command("XADD", STREAM, "9999999999999-0", "junk", "1");
  for (const stand of stands) {
    await until(async () => (await brokerStatus(stand)).counters.skipped_messages === 1);
  }
  const future = await send(stands, 60, 100); // appended after the junk: ids from the future too
  await fleet.redis.command("DEL", STREAM);
  // Commands go on at once: a stand that has not noticed yet may answer 503 "may still be
  // delivered"; every one of them is in the new stream, and must reach every lamp.
  const maybe: string[] = [];
  for (let i = 100; i < 200; i++) {
    const { status, answer } = await postApi(stands[i % 2].api, COLOR(color(i)));
    if (status !== 200) {
      assertEquals(status, 503, JSON.stringify(answer));
      assertStringIncludes(String(answer.error), "may still be delivered");
      maybe.push(color(i));
    }
  }
  assert(maybe.length < 100, "no command was delivered after the stream was deleted");
  const entries = await fleet.redis.command("XRANGE", STREAM, "-", "+") as [string, string[]][];
  const rest = entries.map(([, fields]) => {
    const frame = fields[fields.indexOf("frame") + 1];
    return `COLOR ${frame.split(" ")[3]}`;
  });
  assertEquals(rest, Array.from({ length: 100 }, (_, i) => `COLOR ${color(100 + i)}`));
  await assertEveryLampApplied(lamps, from, [...before, ...future, ...rest]);
  for (const [i, stand] of stands.entries()) {
    const gaps = events(stand, logFrom[i], "broker_gap");
    assertEquals(gaps.length, 1, stand.log.names());
    assertEquals(events(stand, logFrom[i], "state_adopted"), [], "nothing was lost: no resync");
    const broker = await brokerStatus(stand);
    assertEquals([broker.connected, broker.caught_up, broker.lag], [true, true, 0]);
    assertEquals(broker.error, undefined);
  }
});

Deno.test("the stream deleted while idle: each stand says so in one line and delivers the new stream from its start", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const before = await send(stands, 0, 20);
  await fleet.redis.command("DEL", STREAM);
  for (const [i, stand] of stands.entries()) {
    const gap = await stand.log.nextNamed("broker_gap", logFrom[i]);
    assertEquals(gap.reason, "stream_deleted");
  }
  const after = await send(stands, 20, 40);
  await assertEveryLampApplied(lamps, from, [...before, ...after]);
  for (const [i, stand] of stands.entries()) {
    assertEquals(events(stand, logFrom[i], "broker_gap").length, 1);
    assertEquals(events(stand, logFrom[i], "state_adopted"), []);
  }
});

Deno.test("the stream recreated with ids below a stand's place (a clock gone back): it resumes from the new stream's start", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const before = await send(stands, 0, 20);
  // Far-future entries, read and delivered; then the stream replaced in one step (never missing).
  const forged = (
    value: string,
  ) => ["origin", "x", "kind", "command", "frame", `32 ${value} COLOR #${value}`];
  await fleet.redis.command("XADD", STREAM, "9999999999999-0", ...forged("0000aa"));
  for (const lamp of lamps) await untilApplied(lamp, "COLOR #0000aa");
  await fleet.redis.command(
    "EVAL",
    `redis.call('DEL', KEYS[1])
    return redis.call('XADD', KEYS[1], '1-0', unpack(ARGV))`,
    "1",
    STREAM,
    ...forged("0000bb"),
  );
  for (const [i, stand] of stands.entries()) {
    const gap = await stand.log.nextNamed("broker_gap", logFrom[i]);
    assertEquals(gap.reason, "ids_went_back");
  }
  const after = await send(stands, 20, 40);
  await assertEveryLampApplied(lamps, from, [
    ...before,
    "COLOR #0000aa",
    "COLOR #0000bb",
    ...after,
  ]);
});

Deno.test("a well-formed entry carrying a bogus number field is no gap: it is delivered in stream order and no lamp is resynced", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const before = await send(stands, 0, 100);
  await fleet.redis.command(
    "XADD",
    STREAM,
    "*",
    ...["n", "99999", "origin", "x", "kind", "command", "frame", "32 abcdef COLOR #abcdef"],
  );
  const after = await send(stands, 100, 200);
  await assertEveryLampApplied(lamps, from, [...before, "COLOR #abcdef", ...after]);
  for (const [i, stand] of stands.entries()) {
    assertEquals(events(stand, logFrom[i], "broker_gap"), []);
    assertEquals(events(stand, logFrom[i], "state_adopted"), []);
    const broker = await brokerStatus(stand);
    assertEquals([broker.counters.gaps, broker.counters.delivered], [0, 201]);
  }
});

Deno.test("an entry appended and deleted before anyone read it leaves the stands caught up and ready", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const { stands, lamps, from } = await twoStands(fleet);
  const before = await send(stands, 0, 10);
  await fleet.redis.command(
    "EVAL",
    "return redis.call('XDEL', KEYS[1], redis.call('XADD', KEYS[1], '*', 'junk', '1'))",
    "1",
    STREAM,
  );
  for (const stand of stands) {
    await until(async () => (await fetch(`${stand.api}/readyz`)).status === 200);
    const broker = await brokerStatus(stand);
    assertEquals([broker.caught_up, broker.lag, broker.counters.gaps], [true, 0, 0]);
  }
  const after = await send(stands, 10, 12);
  await assertEveryLampApplied(lamps, from, [...before, ...after]);
});

Deno.test("Redis back from an older copy of the stream: each stand says so once, re-delivers nothing and delivers every new command", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using dir = await tempDir("flashlight-rdb-");
  await using fleet = await Fleet.start({ dir: dir.path });
  const { stands, lamps, from, logFrom } = await twoStands(fleet);
  const saved = await send(stands, 0, 10);
  await fleet.redis.command("SAVE"); // the copy Redis will come back with
  const lost = await send(stands, 10, 20); // delivered, then lost by Redis
  await fleet.stopRedis("SIGKILL");
  await fleet.restartRedis();
  for (const [i, stand] of stands.entries()) {
    const gap = await stand.log.nextNamed("broker_gap", logFrom[i]);
    assertEquals(gap.reason, "ids_went_back");
    await until(async () => (await fetch(`${stand.api}/readyz`)).status === 200);
  }
  const after = await send(stands, 20, 30);
  await assertEveryLampApplied(lamps, from, [...saved, ...lost, ...after]);
  for (const [i, stand] of stands.entries()) {
    assertEquals(events(stand, logFrom[i], "broker_gap").length, 1);
    assertEquals(events(stand, logFrom[i], "state_adopted"), []);
  }
});
