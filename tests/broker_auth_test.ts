/**
 * Broker credentials and TLS against a real redis-server (issue 16, item 4): passwords, ACL
 * users, `rediss://` with a CA from openssl; the password never shows in logs, status or errors.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { type BrokerAddress, parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { COLOR, connectLamp, until, untilApplied } from "./support/fleet.ts";
import { requireProgram, runFlashlight } from "../scripts/support/flashlight_process.ts";
import { RedisServer } from "../scripts/support/redis_server.ts";
import { createTestPki, writeTestPki } from "../scripts/support/test_pki.ts";
import { postApi, startTestStand, type TestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";

const PASSWORD = "Pw-Default-7391";
const ALICE = "Pw-Alice-2864";
const WRONG = "Pw-Wrong-5502";
const SECRETS = [PASSWORD, ALICE, WRONG];

function assertNoSecret(text: string): void {
  for (const secret of SECRETS) {
    assert(!text.includes(secret), `a password shows in: ${text.slice(0, 300)}`);
    assert(
      !text.includes(encodeURIComponent(secret)),
      `a password shows in: ${text.slice(0, 300)}`,
    );
  }
}

async function statusText(stand: TestStand, query = ""): Promise<string> {
  return await (await fetch(`${stand.api}/status${query}`)).text();
}

const AUTH_ARGS = [
  "--requirepass",
  PASSWORD,
  "--user",
  "alice",
  "on",
  `>${ALICE}`,
  "~*",
  "&*",
  "+@all",
];

Deno.test("#16.4: redis://:password@ and redis://user:password@ log in; a wrong password is reported without it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start(undefined, { args: AUTH_ARGS });
  const at = (auth: string) => parseBrokerUrl(`redis://${auth}@127.0.0.1:${redis.port}/0`);
  const a = await startTestStand({ broker: at(`:${PASSWORD}`) });
  const b = await startTestStand({ broker: at(`alice:${ALICE}`) });
  const wrong = await startTestStand({ broker: at(`:${WRONG}`) });
  const lamp = connectLamp(b.stand.ports.lamp);
  try {
    await a.log.nextNamed("broker_connected", 0);
    await b.log.nextNamed("broker_connected", 0);
    const { status, answer } = await postApi(a.api, COLOR("123456"));
    assertEquals([status, answer.color], [200, "#123456"]);
    await untilApplied(lamp, "COLOR #123456");

    await until(async () => (await statusText(wrong)).includes("WRONGPASS"));
    const refused = await postApi(wrong.api, COLOR("654321"));
    assertEquals(refused.status, 503);
    assertStringIncludes(String(refused.answer.error), "WRONGPASS");
    const fleet = await fetch(`${wrong.api}/status?fleet=1`);
    assertEquals(fleet.status, 503);
    assertStringIncludes(
      String((await wrong.log.nextNamed("broker_error", 0)).reason),
      "WRONGPASS",
    );
    for (const stand of [a, b, wrong]) {
      assertNoSecret(await statusText(stand) + await statusText(stand, "?fleet=1"));
      assertNoSecret(JSON.stringify(stand.log.events));
    }
    assertNoSecret(JSON.stringify(refused.answer) + (await fleet.text()));
    assertEquals((await (await fetch(`${a.api}/status`)).json()).broker.url, redis.url);
  } finally {
    await lamp.client.close();
    await Promise.all([a, b, wrong].map((stand) => stand.stand.close()));
    await redis.stop();
  }
});

Deno.test("#16.4: flashlight serve with FLASHLIGHT_BROKER=redis://user:password@… connects and never prints it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  const redis = await RedisServer.start(undefined, { args: AUTH_ARGS });
  const url = `redis://alice:${encodeURIComponent(ALICE)}@127.0.0.1:${redis.port}`;
  const { stand, ports } = await startServeProcess({ env: { FLASHLIGHT_BROKER: url } });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("never connected")), 20_000);
    });
    await Promise.race([
      stand.waitForLine((line) => line.includes('"event":"broker_connected"')),
      guard,
    ]);
    assertEquals((await postApi(`http://127.0.0.1:${ports.api}`, COLOR("00aa00"))).status, 200);
  } finally {
    clearTimeout(timer);
    const { stdout, stderr } = await stand.stop("SIGTERM");
    assertNoSecret(stdout.join("\n") + stderr);
    await redis.stop();
  }
});

Deno.test("#16.4: rediss:// with the CA (caPem) talks TLS to redis-server --tls-port; without it, a clear error", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  await using certs = await writeTestPki(pki);
  const redis = await RedisServer.start(undefined, {
    tls: { ...certs.server, ca: certs.ca },
    args: ["--requirepass", PASSWORD],
  });
  const address = parseBrokerUrl(`rediss://:${PASSWORD}@127.0.0.1:${redis.port}/0`);
  const trusted: BrokerAddress = { ...address, caPem: pki.ca };
  const a = await startTestStand({ broker: trusted });
  const b = await startTestStand({ broker: trusted });
  const untrusting = await startTestStand({ broker: address });
  const lamp = connectLamp(b.stand.ports.lamp);
  try {
    await a.log.nextNamed("broker_connected", 0);
    await b.log.nextNamed("broker_connected", 0);
    assertEquals((await postApi(a.api, COLOR("0a0b0c"))).status, 200);
    await untilApplied(lamp, "COLOR #0a0b0c");
    const broker = (await (await fetch(`${a.api}/status`)).json()).broker;
    assertEquals([broker.connected, broker.url], [true, redis.url]);

    await until(async () => /certificate/i.test(await statusText(untrusting)));
    assertEquals((await postApi(untrusting.api, COLOR("0a0b0c"))).status, 503);
    await untrusting.log.nextNamed("broker_error", 0);
    for (const stand of [a, b, untrusting]) {
      assertNoSecret(await statusText(stand) + await statusText(stand, "?fleet=1"));
      assertNoSecret(JSON.stringify(stand.log.events));
    }
  } finally {
    await lamp.client.close();
    await Promise.all([a, b, untrusting].map((stand) => stand.stand.close()));
    await redis.stop();
  }
});

Deno.test("#16.4: flashlight serve --broker rediss://… --broker-ca FILE connects over TLS", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  await using certs = await writeTestPki(pki);
  const redis = await RedisServer.start(undefined, {
    tls: { ...certs.server, ca: certs.ca },
    args: ["--requirepass", PASSWORD],
  });
  const url = `rediss://:${PASSWORD}@127.0.0.1:${redis.port}/0`;
  const { stand } = await startServeProcess({ args: ["--broker", url, "--broker-ca", certs.ca] });
  try {
    await stand.waitForLine((line) => line.includes('"event":"broker_connected"'));
  } finally {
    const { stdout, stderr } = await stand.stop("SIGTERM");
    assertNoSecret(stdout.join("\n") + stderr);
    await redis.stop();
  }
  const plain = await runFlashlight([
    "serve",
    "--broker",
    "redis://127.0.0.1:1",
    "--broker-ca",
    certs.ca,
  ]);
  assertEquals(plain.code, 2);
  assertStringIncludes(plain.stderr, "--broker-ca is for a rediss:// broker");
});
