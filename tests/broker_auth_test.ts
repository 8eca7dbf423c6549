/**
 * Broker credentials and TLS against a real redis-server (issue 16, item 4): passwords, ACL
 * users, `rediss://` with a CA from openssl; the password never shows in logs, status or errors.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { type BrokerAddress, parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { COLOR, Fleet, until, untilApplied } from "./support/fleet.ts";
import { requireProgram, runFlashlight } from "../scripts/support/flashlight_process.ts";
import {
  createTestPki,
  type TestPki,
  type TestPkiFiles,
  writeTestPki,
} from "../scripts/support/test_pki.ts";
import { postApi, type TestStand } from "./support/test_stand.ts";
import { type ServeProcessOptions, startServeProcess } from "../scripts/support/serve_process.ts";

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

/**
 * Runs `flashlight serve` until it logged `broker_connected` (failing after 20 s), then `use` with
 * its API's URL; stops it (SIGTERM) and checks that no password shows in anything it wrote.
 */
async function withServeProcess(
  options: ServeProcessOptions,
  use: (api: string) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const { stand, ports } = await startServeProcess(options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("never connected")), 20_000);
    });
    await Promise.race([
      stand.waitForLine((line) => line.includes('"event":"broker_connected"')),
      guard,
    ]);
    await use(`http://127.0.0.1:${ports.api}`);
  } finally {
    clearTimeout(timer);
    const { stdout, stderr } = await stand.stop("SIGTERM");
    assertNoSecret(stdout.join("\n") + stderr);
  }
}

/** A test PKI, its files, and a Redis that speaks TLS only with them and wants the password. */
interface TlsFleet extends AsyncDisposable {
  readonly pki: TestPki;
  readonly certs: TestPkiFiles;
  readonly fleet: Fleet;
}

/** Starts a {@linkcode TlsFleet}; `await using` stops Redis, then removes the files. */
async function tlsFleet(): Promise<TlsFleet> {
  const pki = await createTestPki();
  const certs = await writeTestPki(pki);
  try {
    const tls = { ...certs.server, ca: certs.ca };
    const fleet = await Fleet.start({ tls, args: ["--requirepass", PASSWORD] });
    const dispose = async () => {
      await fleet[Symbol.asyncDispose]();
      await certs[Symbol.asyncDispose]();
    };
    return { pki, certs, fleet, [Symbol.asyncDispose]: dispose };
  } catch (error) {
    await certs[Symbol.asyncDispose]();
    throw error;
  }
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

Deno.test("redis://:password@ and redis://user:password@ log in; a wrong password is reported without it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start({ args: AUTH_ARGS });
  const at = (auth: string) => parseBrokerUrl(`redis://${auth}@127.0.0.1:${fleet.redis.port}/0`);
  const a = await fleet.stand({ broker: at(`:${PASSWORD}`) });
  const b = await fleet.stand({ broker: at(`alice:${ALICE}`) });
  const wrong = await fleet.stand({ broker: at(`:${WRONG}`), connected: false });
  const lamp = fleet.lamp(b);
  const { status, answer } = await postApi(a.api, COLOR("123456"));
  assertEquals([status, answer.color], [200, "#123456"]);
  await untilApplied(lamp, "COLOR #123456");

  await until(async () => (await statusText(wrong)).includes("WRONGPASS"));
  const refused = await postApi(wrong.api, COLOR("654321"));
  assertEquals(refused.status, 503);
  assertStringIncludes(String(refused.answer.error), "WRONGPASS");
  const fleetView = await fetch(`${wrong.api}/status?fleet=1`);
  assertEquals(fleetView.status, 503);
  assertStringIncludes(
    String((await wrong.log.nextNamed("broker_error", 0)).reason),
    "WRONGPASS",
  );
  for (const stand of [a, b, wrong]) {
    assertNoSecret(await statusText(stand) + await statusText(stand, "?fleet=1"));
    assertNoSecret(JSON.stringify(stand.log.events));
  }
  assertNoSecret(JSON.stringify(refused.answer) + (await fleetView.text()));
  assertEquals((await (await fetch(`${a.api}/status`)).json()).broker.url, fleet.redis.url);
});

Deno.test("flashlight serve with FLASHLIGHT_BROKER=redis://user:password@… connects and never prints it", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start({ args: AUTH_ARGS });
  const url = `redis://alice:${encodeURIComponent(ALICE)}@127.0.0.1:${fleet.redis.port}`;
  await withServeProcess({ env: { FLASHLIGHT_BROKER: url } }, async (api) => {
    assertEquals((await postApi(api, COLOR("00aa00"))).status, 200);
  });
});

Deno.test("rediss:// with the CA (caPem) talks TLS to redis-server --tls-port; without it, a clear error", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  if (!requireProgram("openssl", "openssl")) return;
  await using tls = await tlsFleet();
  const { pki, fleet } = tls;
  const address = parseBrokerUrl(`rediss://:${PASSWORD}@127.0.0.1:${fleet.redis.port}/0`);
  const trusted: BrokerAddress = { ...address, caPem: pki.ca };
  const a = await fleet.stand({ broker: trusted });
  const b = await fleet.stand({ broker: trusted });
  const untrusting = await fleet.stand({ broker: address, connected: false });
  const lamp = fleet.lamp(b);
  assertEquals((await postApi(a.api, COLOR("0a0b0c"))).status, 200);
  await untilApplied(lamp, "COLOR #0a0b0c");
  const broker = (await (await fetch(`${a.api}/status`)).json()).broker;
  assertEquals([broker.connected, broker.url], [true, fleet.redis.url]);

  await until(async () => /certificate/i.test(await statusText(untrusting)));
  assertEquals((await postApi(untrusting.api, COLOR("0a0b0c"))).status, 503);
  await untrusting.log.nextNamed("broker_error", 0);
  for (const stand of [a, b, untrusting]) {
    assertNoSecret(await statusText(stand) + await statusText(stand, "?fleet=1"));
    assertNoSecret(JSON.stringify(stand.log.events));
  }
});

Deno.test("flashlight serve --broker rediss://… --broker-ca FILE connects over TLS", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  if (!requireProgram("openssl", "openssl")) return;
  await using tls = await tlsFleet();
  const { certs, fleet } = tls;
  const url = `rediss://:${PASSWORD}@127.0.0.1:${fleet.redis.port}/0`;
  await withServeProcess({ args: ["--broker", url, "--broker-ca", certs.ca] });
  const plain = await runFlashlight([
    "serve",
    "--broker",
    "redis://127.0.0.1:1",
    "--broker-ca",
    certs.ca,
  ]);
  assertEquals(plain.code, 2);
  assertStringIncludes(plain.stderr, "--broker-ca is for a rediss:// broker");
  // a --broker-ca that is no certificate is refused at start, like --tls-client-ca
  const notCa = await runFlashlight([
    ...["serve", "--broker", "rediss://127.0.0.1:1", "--broker-ca", certs.server.key],
  ]);
  assertEquals(notCa.code, 2, notCa.stderr);
  assertStringIncludes(notCa.stderr, "--broker-ca:");
  assertStringIncludes(notCa.stderr, "is not a PEM certificate");
});
