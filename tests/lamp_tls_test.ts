/**
 * The lamp over `tls://` against servers that fail the handshake: a certificate for other names
 * (with control characters in them), an unknown CA, a server that does not speak TLS. Each is a
 * connect failure the lamp retries and fails over from; the certificate's names never reach a
 * terminal or a log raw. A CA and certificates are made with `openssl` at run time.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { LampClient } from "../src/client/lamp_client.ts";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { scriptArgs, terminalEnv } from "../scripts/pty_command.ts";
import { EventRecorder } from "./support/event_recorder.ts";
import { FlashlightProcess, requireProgram, RUN_FLAGS } from "./support/flashlight_process.ts";
import { createTestPki, type TestPki } from "./support/test_pki.ts";
import { closeQuietly, TestServer } from "./support/test_server.ts";

let pki: TestPki | null = null;
async function testPki(): Promise<TestPki | null> {
  if (!requireProgram("openssl", "openssl")) return null;
  return pki ??= await createTestPki();
}

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

Deno.test("attack: every TLS handshake failure is a connect failure: the lamp names it, fails over, and keeps going", async () => {
  const certs = await testPki();
  if (!certs) return;
  using other = tlsServer(certs.hostile);
  using unknownCa = tlsServer(certs.server);
  using plain = new TestServer();
  const cases: [string, number, readonly string[] | undefined, RegExp][] = [
    ["a certificate for other names", other.port, [certs.ca], /certificate not valid for name/],
    ["an unknown CA", unknownCa.port, undefined, /certificate/],
    ["a server that does not speak TLS", plain.port, [certs.ca], /corrupt message|unexpected/],
  ];
  for (const [name, port, caCerts, reason] of cases) {
    using good = new TestServer();
    const events = new EventRecorder<LampEvent>();
    const client = new LampClient({
      addresses: [{ hostname: "127.0.0.1", port, tls: true }, {
        hostname: "127.0.0.1",
        port: good.port,
      }],
      caCerts,
      closeTimeoutMs: 50,
      policy: { backoff: () => 5 },
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

Deno.test("attack: a TLS lamp with a good chain connects and applies what the server sends", async () => {
  const certs = await testPki();
  if (!certs) return;
  using server = tlsServer(certs.server, parseHex("20 00 03 ff 00 00 12 00 00"));
  const events = new EventRecorder<LampEvent | { event: "command" }>();
  const client = new LampClient({
    addresses: [{ hostname: "localhost", port: server.port, tls: true }],
    caCerts: [certs.ca],
    closeTimeoutMs: 50,
    onEvent: events.onEvent,
    onApplied: (command) => command.name === "ON" && events.onEvent({ event: "command" }),
  });
  await events.next((event) => event.event === "command");
  assertEquals(client.state, { on: true, color: 0xff0000 });
  await client.close();
});

Deno.test("attack: certificate names with control characters reach neither the log nor the terminal raw", async () => {
  const certs = await testPki();
  if (!certs) return;
  using server = tlsServer(certs.hostile);
  const dir = await Deno.makeTempDir({ prefix: "flashlight-tls-lamp-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, certs.ca);
    const address = `tls://127.0.0.1:${server.port}`;
    const logged = new FlashlightProcess([address, "--ca", `${dir}/ca.pem`, "--log", "text"]);
    await logged.waitForLine((line) => line.includes("connect_failed"));
    const result = await logged.stop("SIGTERM");
    assertEquals(result.code, 0, result.stderr);
    const text = [...result.stdout, result.stderr].join("\n");
    assertStringIncludes(text, "certificate not valid for name");
    assertFalse(RAW_CONTROLS.test(text), JSON.stringify(text));

    if (!requireProgram("script", "bsdutils")) return;
    const lamp = [Deno.execPath(), ...RUN_FLAGS, "main.ts", address, "--ca", `${dir}/ca.pem`];
    const [flags, command, log] = scriptArgs(lamp);
    const wide = [flags, `stty cols 400; ${command}`, log]; // room for the whole reason
    const terminal = new FlashlightProcess(wide, {
      command: "script",
      clearEnv: true,
      env: terminalEnv({ TERM: "xterm-256color" }),
    });
    await terminal.waitForLine((line) => line.includes("not valid for name"));
    const screen = (await terminal.stop("SIGTERM")).stdout.join("\n");
    assertFalse(screen.includes("\x1b]0;"), "no window title from the certificate");
    assertFalse(
      screen.includes("\x07") || screen.includes("\u202e"),
      JSON.stringify(screen.slice(-400)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
