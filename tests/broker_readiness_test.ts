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
import { describeRedisError } from "../src/stand/broker/redis_error_text.ts";
import { sharedSchedule } from "../src/stand/broker/shared_schedule.ts";
import { COLOR, Fleet, ON, until, untilApplied } from "./support/fleet.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { postApi, type TestStand } from "./support/test_stand.ts";

async function readyz(stand: TestStand): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stand.api}/readyz`);
  return { status: response.status, body: await response.json() };
}

/** A command and `/readyz` both answer 503, the command saying `sent`, `/readyz` saying `ready`. */
async function assertDown(stand: TestStand, sent: string, ready: string): Promise<void> {
  const send = await postApi(stand.api, ON);
  assertEquals(send.status, 503);
  assertStringIncludes(String(send.answer.error), sent);
  const readiness = await readyz(stand);
  assertEquals(readiness.status, 503, JSON.stringify(readiness.body));
  assertStringIncludes(JSON.stringify(readiness.body), ready);
}

/** The names of the events logged at or after `from`. */
function namesSince(stand: TestStand, from: number): string[] {
  return stand.log.events.slice(from).map((event) => event.event);
}

Deno.test("Node's socket errors read as the lamp's; Redis's answers are quoted", () => {
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

Deno.test("both Redis connections dial at the same moments (one shared schedule)", () => {
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

Deno.test("after a Redis restart, broker_connected comes before the resync's events and the first send after it is accepted", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const lamp = await fleet.syncedLamp(b);
  assertEquals((await postApi(a.api, COLOR("ff0000"))).status, 200);
  const from = [a.log.events.length, b.log.events.length];
  await fleet.stopRedis();
  for (const [i, s] of [a, b].entries()) await s.log.nextNamed("broker_disconnected", from[i]);
  await fleet.restartRedis();
  const connected = await b.log.nextNamed("broker_connected", from[1]);
  const first = await postApi(b.api, ON);
  assertEquals(first.status, 200, JSON.stringify(first.answer));
  assertEquals(await readyz(b), { status: 200, body: { ok: true } });
  await untilApplied(lamp, "ON");
  for (const [i, s] of [a, b].entries()) {
    await s.log.nextNamed("broker_gap", from[i]);
    const names = namesSince(s, from[i]);
    const up = names.lastIndexOf("broker_connected");
    for (const event of ["broker_gap", "state_adopted", "broker_state_restored"]) {
      const at = names.lastIndexOf(event);
      assert(at === -1 || at > up, `${event} before broker_connected: ${names.join(",")}`);
    }
  }
  assert(b.log.events.indexOf(connected) >= 0);
  // one outage, each reason said once (its two connections alternated, 4 lines)
  for (const [i, s] of [a, b].entries()) {
    const reasons = s.log.events.slice(from[i]).filter((e) => e.event === "broker_error")
      .map((e) => String(e.reason));
    assertEquals(reasons.length, new Set(reasons).size, `repeated: ${reasons.join(" | ")}`);
  }
});

Deno.test("broker_error and /readyz say why in the lamp's words (connection refused), not Node's", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand();
  const from = a.log.events.length;
  await fleet.stopRedis();
  const refused = (event: LogRecord) =>
    event.event === "broker_error" && event.reason === "connection refused";
  await a.log.next(refused, from);
  await assertDown(a, "connection refused", "connection refused");
  for (const event of a.log.events.slice(from)) {
    const text = JSON.stringify(event);
    assert(!/ECONN|Socket closed unexpectedly/.test(text), `Node-style text: ${text}`);
  }
  await fleet.restartRedis();
  await a.log.nextNamed("broker_connected", from);
  assertEquals((await postApi(a.api, ON)).status, 200);
});

Deno.test("a send through a broker says it went to the fleet; lamps counts this stand's", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const [a, b] = await fleet.stands(2);
  const lamp = await fleet.syncedLamp(a);
  const { status, answer } = await postApi(b.api, ON);
  assertEquals([status, answer.lamps], [200, 0]);
  assert(/^\d+-\d+$/.test(String(answer.stream_id)), JSON.stringify(answer));
  await untilApplied(lamp, "ON");
});

Deno.test("Redis slow (DEBUG SLEEP): commands and /readyz answer 503 with the reason; both recover", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start({ args: ["--enable-debug-command", "yes"] });
  const a = await fleet.stand();
  const sleeper = createClient({ socket: { host: "127.0.0.1", port: fleet.redis.port } });
  await sleeper.connect();
  try {
    // Written on a connection that is already up, so Redis sleeps before the command arrives.
    const sleeping = sleeper.sendCommand(["DEBUG", "SLEEP", "4"]);
    await assertDown(a, "may still be delivered", "did not answer");
    await sleeping;
    await until(async () => (await readyz(a)).status === 200);
    assertEquals((await postApi(a.api, COLOR("00ff00"))).status, 200);
  } finally {
    sleeper.destroy();
  }
});

Deno.test("Redis refusing writes (maxmemory, noeviction): 503 with Redis's reason on commands and /readyz; both recover", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand();
  await fleet.redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
  await fleet.redis.command("CONFIG", "SET", "maxmemory", "1");
  await assertDown(a, "OOM", "OOM");
  await fleet.redis.command("CONFIG", "SET", "maxmemory", "0");
  await until(async () => (await readyz(a)).status === 200);
  assertEquals((await postApi(a.api, ON)).status, 200);
});

Deno.test("a rediss:// broker's certificate problems read in words that name --broker-ca", () => {
  // node:tls's words reached the log as they were ("self-signed certificate in certificate chain").
  const tls = (code: string, message: string) => Object.assign(new Error(message), { code });
  // As node:tls (in Deno too) throws a name mismatch: the host asked for and the certificate.
  const altname = (host: string, subjectaltname: string, message: string) =>
    Object.assign(new Error(message), {
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
      host,
      cert: { subjectaltname },
    });
  const untrusted =
    "tls: the server's certificate is signed by a CA not trusted here (give --broker-ca)";
  const cases: [unknown, string][] = [
    [tls("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain"), untrusted],
    [tls("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), untrusted],
    [tls("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"), untrusted],
    [tls("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate"), untrusted],
    [
      tls("CERT_HAS_EXPIRED", "certificate has expired"),
      "tls: the server's certificate has expired",
    ],
    [
      altname(
        "127.0.0.2",
        "IP Address:127.0.0.1",
        "Hostname/IP does not match certificate's altnames: IP: 127.0.0.2 is not in the cert's list: 127.0.0.1",
      ),
      "tls: the certificate is not for 127.0.0.2 (it is for IP Address:127.0.0.1)",
    ],
    [
      altname(
        "redis.example",
        "DNS:localhost, IP Address:127.0.0.1",
        "Hostname/IP does not match certificate's altnames: Host: redis.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1",
      ),
      "tls: the certificate is not for redis.example (it is for DNS:localhost, IP Address:127.0.0.1)",
    ],
    // An IP address against a certificate with host names only: node's message lists no name.
    [
      altname(
        "127.0.0.1",
        "DNS:other.example",
        "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ",
      ),
      "tls: the certificate is not for 127.0.0.1 (it is for DNS:other.example)",
    ],
  ];
  for (const [error, words] of cases) assertEquals(describeRedisError(error), words);
});
