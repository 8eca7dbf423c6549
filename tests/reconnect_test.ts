/**
 * The reconnect wrapper without sockets: attempts are functions, time is a fake clock.
 */
import { assertEquals } from "@std/assert";
import type { LampEvent } from "../src/client/lamp_event.ts";
import type { SessionEnd } from "../src/client/lamp_session.ts";
import { reconnecting, type ReconnectPolicy } from "../src/client/reconnect.ts";
import type { Address } from "../src/net/address.ts";

const A = { hostname: "a", port: 1 };
const B = { hostname: "b", port: 2 };
const refused: SessionEnd = { connected: false, applied: 0, upMs: 0, reason: "connection refused" };

/** Runs the wrapper over scripted session ends with a fake clock; stops after the script. */
async function run(
  addresses: Address[],
  script: SessionEnd[],
  policy: Partial<ReconnectPolicy> = {},
): Promise<{ tried: string[]; delays: number[]; events: LampEvent[] }> {
  const stop = new AbortController();
  let clock = 0;
  const tried: string[] = [];
  const delays: number[] = [];
  const events: LampEvent[] = [];
  await reconnecting((address, connected) => {
    tried.push(address.hostname);
    const end = script[tried.length - 1];
    if (end.connected) connected();
    clock += end.upMs;
    if (tried.length === script.length) stop.abort();
    return Promise.resolve(end);
  }, {
    addresses,
    policy: {
      backoff: (n) => 100 * 2 ** n,
      healthyAfterMs: 5000,
      unreachableEveryMs: 60_000,
      ...policy,
    },
    signal: stop.signal,
    onEvent: (event) => events.push(event),
    now: () => clock,
    sleep: (ms) => {
      delays.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  });
  return { tried, delays, events };
}

Deno.test("refused attempts fail over between addresses with a growing delay", async () => {
  const { tried, delays } = await run([A, B], [refused, refused, refused, refused]);
  assertEquals(tried, ["a", "b", "a", "b"]);
  assertEquals(delays, [100, 200, 400]);
});

Deno.test("a connection that closes before it is healthy moves on and keeps growing the delay", async () => {
  const flap: SessionEnd = {
    connected: true,
    applied: 1,
    upMs: 50,
    reason: "server closed the connection",
  };
  const { tried, delays } = await run([A, B], [flap, flap, flap]);
  assertEquals(tried, ["a", "b", "a"]);
  assertEquals(delays, [100, 200]);
});

Deno.test("a healthy connection (applied a frame, up long enough) starts over on the same address", async () => {
  const healthy: SessionEnd = {
    connected: true,
    applied: 3,
    upMs: 6000,
    reason: "server closed the connection",
  };
  const silent: SessionEnd = {
    connected: true,
    applied: 0,
    upMs: 6000,
    reason: "server closed the connection",
  };
  const { tried, delays } = await run([A, B], [refused, healthy, healthy, silent, refused]);
  assertEquals(tried, ["a", "b", "b", "b", "a"]);
  assertEquals(
    delays,
    [100, 100, 100, 200],
    "reset after each healthy one; the silent one grows it",
  );
});

Deno.test("unreachable is reported on the first failure, then at most once per interval", async () => {
  const script = Array.from({ length: 40 }, () => refused);
  const { events } = await run([A], script, { backoff: () => 10_000, unreachableEveryMs: 60_000 });
  const reports = events.flatMap((e) => e.event === "unreachable" ? [[e.attempts, e.since_s]] : []);
  // 40 attempts 10 s apart (~390 s): the first, then one each minute.
  assertEquals(reports, [[1, 0], [7, 60], [13, 120], [19, 180], [25, 240], [31, 300], [37, 360]]);
});

Deno.test("events name the address just tried and the next one", async () => {
  const { events } = await run([A, B], [refused, refused]);
  assertEquals(events.slice(0, 4), [
    { event: "connecting", address: "a:1" },
    { event: "connect_failed", address: "a:1", reason: "connection refused" },
    { event: "retry", address: "a:1", next: "b:2", delay_ms: 100, attempt: 1 },
    { event: "connecting", address: "b:2" },
  ]);
});

Deno.test("a failover list is unreachable only once every address has failed in a row", async () => {
  const healthy: SessionEnd = {
    connected: true,
    applied: 3,
    upMs: 6000,
    reason: "server closed the connection",
  };
  // a fails, b works (the failover worked: no outage); later a and b both fail: an outage.
  const { events } = await run([A, B], [refused, healthy, refused, refused, refused]);
  const reports = events.flatMap((e) => e.event === "unreachable" ? [[e.address, e.attempts]] : []);
  assertEquals(reports, [["a:1", 2]]);
});
