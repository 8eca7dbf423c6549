/**
 * An error thrown in place of another keeps it as its `cause`: the words are for a person, the
 * cause for whoever debugs (a stack, a class, a code).
 */
import { assert, assertRejects, assertThrows } from "@std/assert";
import { parseLampArgs } from "../src/cli/lamp_args.ts";
import { readFlagFile } from "../src/cli/read_flag_file.ts";
import { runLamp } from "../src/cli/run_lamp.ts";
import { runSend } from "../src/cli/run_send.ts";
import { runServe } from "../src/cli/run_serve.ts";
import { parseSendArgs } from "../src/cli/send_args.ts";
import { parseServeArgs } from "../src/cli/serve_args.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { checkCertificate, checkKeyPair } from "../src/net/certificate_checks.ts";
import { parseClosePayload, WebSocketProtocolError } from "../src/net/websocket_frame.ts";
import { ApiError } from "../src/stand/api_error.ts";
import { createTestPki, writeTestPki } from "../scripts/support/test_pki.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { tempDir } from "./support/temp_dir.ts";

const noEnv = () => undefined;

Deno.test("a usage error from a bad argument keeps the parser's error as its cause", () => {
  const cases: [() => unknown, ErrorConstructor | typeof ApiError][] = [
    [() => parseLampArgs(["bad host:1"], noEnv), RangeError],
    [
      () => parseLampArgs([], (name) => name === "FLASHLIGHT_ADDRESS" ? "a:0" : undefined),
      RangeError,
    ],
    [() => parseSendArgs(["COLOR", "not-a-color"]), ApiError],
    [() => parseSendArgs(["ON", "--api", "http://a b"]), TypeError],
    [() => parseServeArgs(["--broker", "ftp://x"]), RangeError],
  ];
  for (const [parse, cause] of cases) {
    const error = assertThrows(parse, UsageError);
    assert(error.cause instanceof cause, error.message);
  }
});

Deno.test("a flag's file that cannot be read or checked keeps the reason as its cause", async () => {
  await using dir = await tempDir();
  const notPem = `${dir.path}/not.pem`;
  await Deno.writeTextFile(notPem, "hello\n");
  const missing = await assertRejects(
    () => readFlagFile("--ca", `${dir.path}/missing.pem`, "lamp"),
    UsageError,
  );
  assert(missing.cause instanceof Deno.errors.NotFound);
  const runs: (() => Promise<number>)[] = [
    () => runLamp(["--ca", notPem, "tls://127.0.0.1:1"]),
    () => runLamp(["--proxy", "socks5://127.0.0.1:1", "127.0.0.1:1"]),
    () => runSend(["--ca", notPem, "ON"]),
  ];
  for (const run of runs) {
    const error = await assertRejects(run, UsageError);
    assert(error.cause instanceof Error, error.message);
  }
  assert(assertThrows(() => checkCertificate("hello", "CA"), TypeError).cause instanceof Error);
});

Deno.test("a certificate and a key that do not go together keep the check's error as the cause", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  await using files = await writeTestPki(pki);
  const keyError = assertThrows(() => checkKeyPair(pki.server.cert, "hello"), TypeError);
  assert(keyError.cause instanceof Error);
  const runs: (() => Promise<number>)[] = [
    () => runLamp(["--cert", files.client.cert, "--key", files.server.key, "tls://127.0.0.1:1"]),
    () => runServe(["--tls-cert", files.server.cert, "--tls-key", files.client.key]),
    () => runServe(["--broker", "rediss://127.0.0.1:1", "--broker-ca", files.server.key]),
  ];
  for (const run of runs) {
    const error = await assertRejects(run, UsageError);
    assert(error.cause instanceof TypeError, error.message);
  }
});

Deno.test("a close reason that is not UTF-8 keeps the decoder's error as its cause", () => {
  const error = assertThrows(
    () => parseClosePayload(new Uint8Array([0x03, 0xe8, 0xff])),
    WebSocketProtocolError,
  );
  assert(error.cause instanceof TypeError);
});
