/**
 * Client certificates: with `--tls-client-ca`, a TLS port admits only clients with a
 * certificate its CA signed. Real sockets, a CA and certificates made by openssl at run time: a
 * lamp with the right certificate connects and applies a command; lamps without one or with one
 * from another CA are refused (logged and counted, throttled), say why, and keep retrying; the
 * API over HTTPS refuses a client without a certificate; lamp workers check too.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import type { LampTls } from "../src/client/lamp_session.ts";
import { listenTls } from "../src/stand/server/tls_listener.ts";
import {
  FlashlightProcess,
  requireProgram,
  runFlashlight,
} from "../scripts/support/flashlight_process.ts";
import { isCommand, isEvent, startTestLamp, type TestLampEvent } from "./support/test_lamp.ts";
import { createTestPki, type TestPki, writeTestPki } from "../scripts/support/test_pki.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";

let pkis: [TestPki, TestPki] | null = null;
/** The stand's PKI, and another whose CA the stand does not trust. */
async function testPkis(): Promise<[TestPki, TestPki] | null> {
  if (!requireProgram("openssl", "openssl")) return null;
  return pkis ??= await Promise.all([createTestPki(), createTestPki()]);
}

/** A TLS lamp against `port` that trusts the stand's CA and presents `client`, if any. */
function tlsLamp(port: number, ca: string, client?: { cert: string; key: string }) {
  const tls: LampTls = { caCerts: [ca], ...client };
  return startTestLamp([], { addresses: [{ hostname: "127.0.0.1", port, tls: true }], tls });
}

/** The reason of the lamp's first `disconnected` at or after `from`. */
async function disconnectReason(
  lamp: ReturnType<typeof tlsLamp>,
  from = 0,
): Promise<string> {
  const event: TestLampEvent = await lamp.events.next(isEvent("disconnected"), from);
  return event.event === "disconnected" ? event.reason : "";
}

Deno.test("with --tls-client-ca a lamp with a certificate from the CA connects and applies a command; one without or from another CA is refused, says why, and retries", async () => {
  const found = await testPkis();
  if (!found) return;
  const [pki, other] = found;
  await using stand = await startTestStand({
    tls: { lamp: { ...pki.server, clientCa: pki.ca } },
  });
  const port = stand.stand.ports.lamp;
  await using good = tlsLamp(port, pki.ca, pki.client);
  await good.events.next(isCommand("OFF"), 0);
  const { status } = await postApi(stand.api, {
    method: "message",
    params: { command: "COLOR", value: "00ff00" },
  });
  assertEquals(status, 200);
  await good.events.next(isCommand("COLOR", "#00ff00"), 0);

  const cases: [string, { cert: string; key: string } | undefined, string, string][] = [
    [
      "no certificate",
      undefined,
      "it may require a client certificate (--cert, --key)",
      "the client presented no certificate",
    ],
    [
      "another CA",
      other.client,
      "it may not trust this lamp's certificate (--cert)",
      "the client certificate does not verify against the client CA",
    ],
  ];
  for (const [name, client, lampReason, standReason] of cases) {
    const from = stand.log.events.length;
    await using refused = tlsLamp(port, pki.ca, client);
    const reason = await disconnectReason(refused);
    assertStringIncludes(reason, lampReason, name);
    // It keeps retrying: a second attempt is refused the same way.
    const retried = await refused.events.next(isEvent("retry"), 0);
    const again = await disconnectReason(refused, refused.events.events.indexOf(retried));
    assertStringIncludes(again, lampReason, name);
    const failed = await stand.log.next((record) => record.event === "tls_handshake_failed", from);
    assertEquals(failed.service, "lamps", name);
    assertStringIncludes(String(failed.reason), standReason, name);
    assertEquals(refused.events.events.filter(isCommand()).length, 0, `${name}: no frame`);
  }
  const lampStatus = await (await fetch(`${stand.api}/status`)).json();
  assertEquals(lampStatus.lamps, 1, "a refused lamp is never counted");
  const connected = stand.log.events.filter((record) => record.event === "lamp_connected");
  assertEquals(connected.length, 1, "nor logged as connected");
  const metrics = await (await fetch(`${stand.api}/metrics`)).text();
  assert(
    /flashlight_tls_handshakes_failed_total\{port="lamps"\} [1-9]/.test(metrics),
    metrics.split("\n").filter((line) => line.includes("tls")).join("\n"),
  );
});

Deno.test("the API over HTTPS with a client CA refuses a client without a certificate and answers one with", async () => {
  const found = await testPkis();
  if (!found) return;
  const [pki, other] = found;
  await using stand = await startTestStand({
    tls: { api: { ...pki.server, clientCa: pki.ca } },
  });
  const url = `https://127.0.0.1:${stand.stand.ports.api}/status`;
  for (const [name, client] of [["none", {}], ["another CA", other.client]] as const) {
    const http = Deno.createHttpClient({ caCerts: [pki.ca], ...client });
    try {
      await assertRejects(() => fetch(url, { client: http }), TypeError, undefined, name);
    } finally {
      http.close();
    }
  }
  const failed = await stand.log.next((record) => record.event === "tls_handshake_failed", 0);
  assertEquals(failed.service, "api");
  const http = Deno.createHttpClient({ caCerts: [pki.ca], ...pki.client });
  try {
    const response = await fetch(url, { client: http });
    assertEquals(response.status, 200);
    assertEquals((await response.json()).ok, true);
  } finally {
    http.close();
  }
});

Deno.test("the TLS listener refuses a client CA that is not a PEM certificate", async () => {
  const found = await testPkis();
  if (!found) return;
  const [pki] = found;
  for (const clientCa of ["not a PEM", pki.server.key]) {
    assertThrows(
      () => listenTls({ hostname: "127.0.0.1", port: 0, ...pki.server, clientCa }),
      TypeError,
      "the TLS client CA cannot be read",
    );
  }
});

Deno.test("flashlight serve --workers 2 --tls-client-ca lamp=… admits a lamp with --cert and refuses one without; a client CA that is no certificate is a usage error", async () => {
  const found = await testPkis();
  if (!found) return;
  await using files = await writeTestPki(found[0]);
  const notPem = await runFlashlight([
    ...["serve", "--lamp-port=0", "--api-port=0", "--web-port=0"],
    ...["--tls-cert", files.server.cert, "--tls-key", files.server.key],
    ...["--tls-client-ca", `lamp=${files.server.key}`],
  ]);
  assertEquals(notPem.code, 2, notPem.stderr);
  assertStringIncludes(notPem.stderr, "--tls-client-ca:");
  assertStringIncludes(notPem.stderr, "is not a PEM certificate");

  const { stand } = await startServeProcess({
    args: [
      ...["--workers=2", "--tls-cert", files.server.cert, "--tls-key", files.server.key],
      ...["--tls-client-ca", `lamp=${files.ca}`],
    ],
  });
  const listening = JSON.parse(stand.lines.find((line) => line.includes('"service":"lamps"'))!);
  assertEquals([listening.tls, listening.client_ca, listening.workers], [true, true, 2]);
  const address = `tls://127.0.0.1:${listening.address.split(":").at(-1)}`;
  const refused = new FlashlightProcess([address, "--ca", files.ca, "--log", "json"]);
  await refused.waitForLine((line) => line.includes("may require a client certificate"));
  const failed = JSON.parse(
    await stand.waitForLine((line) => line.includes('"event":"tls_handshake_failed"')),
  );
  assertEquals([failed.service, failed.reason], ["lamps", "the client presented no certificate"]);
  const lamp = new FlashlightProcess([
    ...[address, "--ca", files.ca, "--cert", files.client.cert, "--key", files.client.key],
    ...["--log", "json"],
  ]);
  await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
  assertEquals((await lamp.stop("SIGTERM")).code, 0);
  assertEquals((await refused.stop("SIGTERM")).code, 0);
  assertEquals((await stand.stop("SIGTERM")).code, 0);
});

/**
 * Runs `openssl s_client` against `port`, writing `send` once connected, until the server closes
 * the connection (s_client then exits); returns what it printed. A hang guard ends its input
 * after 30 s (the caller's assertion then fails on what was printed).
 */
async function sClient(port: number, ca: string, args: string[], send = ""): Promise<string> {
  const command = new Deno.Command("openssl", {
    args: ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", ca, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const input = command.stdin.getWriter();
  const end = () => input.close().catch(() => {}); // it may have exited already
  const guard = setTimeout(end, 30_000);
  if (send) await input.write(new TextEncoder().encode(send));
  const { stdout, stderr } = await command.output();
  clearTimeout(guard);
  await end();
  return new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
}

Deno.test("a TLS session resumed from another port of the stand is refused on a port with a client CA (Deno shares tickets between them)", async () => {
  const found = await testPkis();
  if (!found) return;
  await using files = await writeTestPki(found[0]);
  await using stand = await startTestStand({
    tls: { lamp: { ...found[0].server, clientCa: found[0].ca }, api: found[0].server },
  });
  const session = `${await Deno.makeTempDir({ prefix: "flashlight-session-" })}/api.session`;
  try {
    // A request the API answers and closes: TLS 1.3's session ticket comes before the answer.
    const request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const api = await sClient(stand.stand.ports.api, files.ca, ["-sess_out", session], request);
    assertStringIncludes(api, "HTTP/1.1 200");
    const from = stand.log.events.length;
    // The lamp port closes the connection once it sees the resumed session.
    const resumed = await sClient(stand.stand.ports.lamp, files.ca, ["-sess_in", session]);
    assertStringIncludes(resumed, "Reused, TLS", "the session was resumed");
    const failed = await stand.log.next((record) => record.event === "tls_handshake_failed", from);
    assertStringIncludes(String(failed.reason), "a resumed TLS session");
    assertEquals(stand.log.events.filter((record) => record.event === "lamp_connected"), []);
  } finally {
    await Deno.remove(session.slice(0, session.lastIndexOf("/")), { recursive: true });
  }
});
