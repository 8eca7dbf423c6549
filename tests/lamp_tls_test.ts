/**
 * Lamps over TLS: `tls://` addresses against a stand serving TLS and against servers that
 * fail the handshake, with certificates made by openssl at run time (nothing secret committed): a
 * good chain, a wrong host name, an expired certificate, an unknown CA, a server that does not
 * speak TLS, names with control characters. Each failure is a connect failure, said in words,
 * retried and failed over from; the certificate's names never reach a terminal or a log raw.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { LampClient } from "../src/client/lamp_client.ts";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { scriptArgs, terminalEnv } from "../scripts/pty_command.ts";
import { EventRecorder } from "./support/event_recorder.ts";
import {
  FlashlightProcess,
  requireProgram,
  RUN_FLAGS,
  runFlashlight,
} from "../scripts/support/flashlight_process.ts";
import { isCommand, isEvent, startTestLamp } from "./support/test_lamp.ts";
import { startTestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";
import { createTestPki, type TestPki, writeTestPki } from "../scripts/support/test_pki.ts";
import { closeQuietly, TestServer } from "./support/test_server.ts";

let pki: TestPki | null = null;
async function testPki(): Promise<TestPki | null> {
  if (!requireProgram("openssl", "openssl")) return null;
  return pki ??= await createTestPki();
}

async function tlsStand(pair: { cert: string; key: string }) {
  return await startTestStand({ tls: { lamp: pair } });
}

Deno.test("a lamp connects over tls:// with a private CA, and fails clearly (retrying) on a wrong name, an expired certificate or an unknown CA", async () => {
  const certs = await testPki();
  if (!certs) return;
  const cases: [string, { cert: string; key: string }, string[], string][] = [
    ["wrong name", certs.wrongName, [certs.ca], "the certificate is not for 127.0.0.1"],
    ["expired", certs.expired, [certs.ca], "or expired"],
    ["unknown CA", certs.server, [], "a CA not trusted here (give --ca)"],
  ];
  {
    await using stand = await tlsStand(certs.server);
    await using lamp = startTestLamp([], {
      addresses: [{ hostname: "127.0.0.1", port: stand.stand.ports.lamp, tls: true }],
      tls: { caCerts: [certs.ca] },
    });
    await lamp.events.next(isCommand("OFF"), 0);
    assertEquals(lamp.client.state, { on: false, color: 0xffffff }, "synced over TLS");
  }
  for (const [name, cert, caCerts, reason] of cases) {
    await using stand = await tlsStand(cert);
    await using lamp = startTestLamp([], {
      addresses: [{ hostname: "127.0.0.1", port: stand.stand.ports.lamp, tls: true }],
      tls: { caCerts },
    });
    const failed = await lamp.events.next(isEvent("connect_failed"), 0);
    assertStringIncludes(failed.event === "connect_failed" ? failed.reason : "", reason, name);
    await lamp.events.next(isEvent("retry"), 0);
    await lamp.events.next(isEvent("connect_failed"), lamp.events.events.indexOf(failed) + 1);
  }
});

Deno.test("flashlight serve --tls-cert/--tls-key serves lamps over TLS and the API over HTTPS; a lamp with --ca connects", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using files = await writeTestPki(certs);
  const { stand, ports } = await startServeProcess({
    args: [`--tls-cert=${files.server.cert}`, `--tls-key=${files.server.key}`],
  });
  const listening = (service: string) =>
    JSON.parse(stand.lines.find((line) => line.includes(`"service":"${service}"`))!);
  assertEquals(listening("lamps").tls, true);
  assertEquals(listening("api").tls, true, "every listening line says tls");
  assertEquals(listening("web").tls, true);
  const apiUrl = listening("api").url;
  assert(apiUrl.startsWith("https://"), apiUrl);
  const client = Deno.createHttpClient({ caCerts: [certs.ca] });
  const status = await fetch(`${apiUrl}status`, { client });
  assertEquals(status.status, 200);
  await status.body?.cancel();
  client.close();
  const port = ports.lamps;
  const lamp = new FlashlightProcess([
    `tls://127.0.0.1:${port}`,
    "--ca",
    files.ca,
    "--log",
    "json",
  ]);
  await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
  assertEquals((await lamp.stop("SIGTERM")).code, 0);
  assertEquals((await stand.stop("SIGTERM")).code, 0);
});

Deno.test("send reaches an HTTPS API with a private CA through --ca, and without it is told to give send's --ca", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using files = await writeTestPki(certs);
  const { stand, ports } = await startServeProcess({
    args: [`--tls-cert=api=${files.server.cert}`, `--tls-key=api=${files.server.key}`],
  });
  try {
    const api = `https://127.0.0.1:${ports.api}`;
    const untrusted = await runFlashlight(["send", "--api", api, "ON"]);
    assertEquals(untrusted.code, 3);
    assertStringIncludes(untrusted.stderr, "(give --ca)");
    assertFalse(untrusted.stderr.includes("lamp"), untrusted.stderr);
    const sent = await runFlashlight(["send", "--api", api, "--ca", files.ca, "COLOR", "00ff00"]);
    assertEquals([sent.code, JSON.parse(sent.stdout).value], [0, "#00ff00"], sent.stderr);
    const missing = await runFlashlight(["send", "--api", api, "--ca", "/no/such.pem", "ON"]);
    assertEquals(missing.code, 2);
    assertStringIncludes(missing.stderr, 'flashlight send: --ca: cannot read "/no/such.pem"');
    const notPem = await runFlashlight(["send", "--api", api, "--ca", files.server.key, "ON"]);
    assertEquals(notPem.code, 2);
    assertStringIncludes(notPem.stderr, `--ca: ${JSON.stringify(files.server.key)} is not a PEM`);
  } finally {
    assertEquals((await stand.stop("SIGTERM")).code, 0);
  }
});

Deno.test("send to http:// of an API that serves HTTPS suggests https://", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using stand = await startTestStand({ tls: { api: certs.server } });
  const plain = await runFlashlight(["send", "--api", stand.api, "ON"]);
  assertEquals(plain.code, 3);
  assertStringIncludes(plain.stderr, "(does the stand serve https? try --api https://");
});

Deno.test("TLS flags are checked: a key without its certificate, a file that cannot be read, an unknown port", async () => {
  const half = await runFlashlight(["serve", "--tls-cert", "/tmp/x.pem"]);
  assertEquals(half.code, 2);
  assertStringIncludes(half.stderr, "has a --tls-cert but no --tls-key");
  const missing = await runFlashlight([
    "serve",
    "--tls-cert",
    "/no/cert.pem",
    "--tls-key",
    "/no/key.pem",
  ]);
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.stderr, '--tls-cert: cannot read "/no/cert.pem": no such file');
  const port = await runFlashlight(["serve", "--tls-cert", "foo=x.pem", "--tls-key", "x.key"]);
  assertEquals(port.code, 2);
  assertStringIncludes(port.stderr, 'unknown port "foo" in --tls-cert (lamp, api, web)');
  const lamp = await runFlashlight(["tls://127.0.0.1:1", "--cert", "/tmp/c.pem"]);
  assertEquals(lamp.code, 2);
  assertStringIncludes(lamp.stderr, "--cert and --key go together");
});

Deno.test("a --tls-key that is not the certificate's, or a --tls-cert that is not a certificate, is a usage error (exit 2), not an internal error", async () => {
  // Both ended the stand with "internal error" and a stack trace (exit 1), with or without workers.
  const certs = await testPki();
  if (!certs) return;
  await using files = await writeTestPki(certs);
  const cases: [string[], string][] = [
    [[files.server.cert, files.client.key], "the TLS key is not the key of the certificate"],
    [[files.server.key, files.server.key], "the TLS certificate cannot be read"],
  ];
  for (const [[cert, key], words] of cases) {
    for (const workers of ["1", "2"]) {
      const result = await runFlashlight([
        ...["serve", "--lamp-port=0", "--api-port=0", "--web-port=0", `--workers=${workers}`],
        ...["--tls-cert", cert, "--tls-key", key],
      ]);
      assertEquals(result.code, 2, result.stderr);
      assertStringIncludes(
        result.stderr,
        `flashlight serve: --tls-cert ${JSON.stringify(cert)} with --tls-key ${
          JSON.stringify(key)
        }: ${words}`,
      );
      assertFalse(result.stderr.includes("    at "), result.stderr);
    }
  }
});

Deno.test("a lamp's --key that is not its --cert's, or a --cert or --ca that is no certificate, is a usage error (exit 2) before it connects", async () => {
  // A mismatched key ended the lamp with "internal error: keys may not be consistent" and a stack
  // trace (exit 1) at its first connect; a --cert that is no certificate was retried forever.
  const certs = await testPki();
  if (!certs) return;
  await using files = await writeTestPki(certs);
  const cases: [string[], string][] = [
    [
      ["--cert", files.client.cert, "--key", files.server.key],
      `--cert ${JSON.stringify(files.client.cert)} with --key ${
        JSON.stringify(files.server.key)
      }: the TLS key is not the key of the certificate`,
    ],
    [
      ["--cert", files.client.key, "--key", files.client.key],
      "the TLS certificate cannot be read",
    ],
    [
      ["--ca", files.client.key],
      `--ca: ${JSON.stringify(files.client.key)} is not a PEM certificate`,
    ],
  ];
  for (const [flags, words] of cases) {
    const result = await runFlashlight(["tls://127.0.0.1:1", "--log=json", ...flags]);
    assertEquals(result.code, 2, result.stderr);
    assert(result.stderr.startsWith("flashlight: --"), result.stderr);
    assertStringIncludes(result.stderr, words);
    assertEquals(result.stdout, "", "refused before it starts");
  }
});

/** A TLS server that sends `frames` after the handshake (when there is one); `using` closes it. */
function tlsServer(pair: { cert: string; key: string }, frames: Uint8Array = new Uint8Array(0)) {
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...pair });
  const conns: Deno.TlsConn[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      conn.handshake().then(() => conn.write(frames)).catch(() => closeQuietly(conn));
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    [Symbol.dispose]: () => {
      listener.close();
      for (const conn of conns) closeQuietly(conn);
    },
  };
}

/** Control, bidi and escape characters a terminal would act on. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const RAW_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

Deno.test("every TLS handshake failure is a connect failure: the lamp names it, fails over, and keeps going", async () => {
  const certs = await testPki();
  if (!certs) return;
  using other = tlsServer(certs.hostile);
  using unknownCa = tlsServer(certs.server);
  using plain = new TestServer();
  const cases: [string, number, readonly string[] | undefined, RegExp][] = [
    ["a certificate for other names", other.port, [certs.ca], /the certificate is not for/],
    ["an unknown CA", unknownCa.port, undefined, /a CA not trusted here/],
    ["a server that does not speak TLS", plain.port, [certs.ca], /does not speak TLS/],
  ];
  for (const [name, port, caCerts, reason] of cases) {
    using good = new TestServer();
    const events = new EventRecorder<LampEvent>();
    const client = new LampClient({
      addresses: [{ hostname: "127.0.0.1", port, tls: true }, {
        hostname: "127.0.0.1",
        port: good.port,
      }],
      tls: { caCerts },
      closeTimeoutMs: 50,
      backoff: () => 5,
      onEvent: events.onEvent,
    });
    const crashed = client.closed.then(() => "closed", (error) => `crashed: ${error}`);
    const accepted = good.accept();
    if (port === plain.port) {
      (await plain.accept()).write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
    }
    const outcome = await Promise.race([accepted.then(() => "failed over"), crashed]);
    assertEquals(outcome, "failed over", name);
    const failed = events.events.find((event) => event.event === "connect_failed");
    assert(failed?.event === "connect_failed", `${name}: ${events.names()}`);
    assert(reason.test(failed.reason), `${name}: ${failed.reason}`);
    await client.close();
  }
});

Deno.test("certificate names with control characters reach neither the log nor the terminal raw", async () => {
  const certs = await testPki();
  if (!certs) return;
  using server = tlsServer(certs.hostile);
  await using files = await writeTestPki(certs);
  {
    const address = `tls://127.0.0.1:${server.port}`;
    const logged = new FlashlightProcess([address, "--ca", files.ca, "--log", "text"]);
    await logged.waitForLine((line) => line.includes("connect_failed"));
    const result = await logged.stop("SIGTERM");
    assertEquals(result.code, 0, result.stderr);
    const text = [...result.stdout, result.stderr].join("\n");
    assertStringIncludes(text, "the certificate is not for 127.0.0.1");
    assertFalse(RAW_CONTROLS.test(text), JSON.stringify(text));

    if (!requireProgram("script", "bsdutils")) return;
    const lamp = [Deno.execPath(), ...RUN_FLAGS, "main.ts", address, "--ca", files.ca];
    const [flags, command, log] = scriptArgs(lamp);
    const wide = [flags, `stty cols 400; ${command}`, log]; // room for the whole reason
    const terminal = new FlashlightProcess(wide, {
      command: "script",
      clearEnv: true,
      env: terminalEnv({ TERM: "xterm-256color" }),
    });
    await terminal.waitForLine((line) => line.includes("is not for 127.0.0.1"));
    const screen = (await terminal.stop("SIGTERM")).stdout.join("\n");
    assertFalse(screen.includes("\x1b]0;"), "no window title from the certificate");
    assertFalse(
      screen.includes("\x07") || screen.includes("\u202e"),
      JSON.stringify(screen.slice(-400)),
    );
  }
});

Deno.test("a plain lamp at a TLS lamp port is told to write tls:// when the stand gives up on its handshake", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using stand = await tlsStand(certs.server);
  const port = stand.stand.ports.lamp;
  await using lamp = startTestLamp([port]);
  const ended = await lamp.events.next(isEvent("disconnected"), 0); // the stand's 10 s handshake limit
  assertEquals(
    ended.event === "disconnected" && ended.reason,
    `server closed the connection before sending a byte (if it serves TLS, connect to tls://127.0.0.1:${port})`,
  );
});

Deno.test("--cert, --key or --ca with no tls:// address is a warning on stderr, and the lamp runs", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using files = await writeTestPki(certs);
  using server = new TestServer();
  const flags = ["--cert", files.client.cert, "--key", files.client.key, "--ca", files.ca];
  const result = await runFlashlight([`:${server.port}`, "--log=json", "-W", "0.1", ...flags]);
  assertEquals(result.code, 6, result.stderr);
  assertStringIncludes(
    result.stderr,
    `flashlight: warning: --ca, --cert, --key apply to tls:// and wss:// addresses only, and 127.0.0.1:${server.port} has none`,
  );
  const tls = await runFlashlight([`tls://127.0.0.1:${server.port}`, "-W", "0.1", ...flags]);
  assertFalse(tls.stderr.includes("warning"), tls.stderr);
});
