/**
 * `flashlight serve` and `flashlight send` as real processes.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import {
  FlashlightProcess,
  lineReader,
  REPO_ROOT,
  requireProgram,
  RUN_FLAGS,
  runFlashlight,
  spawnFlashlight,
} from "../scripts/support/flashlight_process.ts";
import { scriptArgs, terminalEnv } from "../scripts/pty_command.ts";
import { startTestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";
import { readUntilEnd } from "./support/test_server.ts";

Deno.test("SIGTERM to the stand gives its lamps a clean EOF and exits 0", async () => {
  const { stand, ports } = await startServeProcess();
  const lamp = await Deno.connect({ hostname: "127.0.0.1", port: ports.lamps });
  await stand.waitForLine((line) => line.includes('"event":"lamp_connected"'));
  const [ending, result] = await Promise.all([readUntilEnd(lamp), stand.stop("SIGTERM")]);
  assertEquals(ending, "eof");
  assertEquals(result.code, 0);
  const records = result.stdout.map((line) => JSON.parse(line));
  assertEquals(records[0].event, "started");
  assertEquals([records.at(-1).event, records.at(-1).reason, records.at(-1).code], [
    "stopped",
    "SIGTERM",
    0,
  ]);
});

Deno.test("the stand whose log pipe closes says so on stderr and exits 5, its lamps get a clean EOF", async () => {
  const child = spawnFlashlight([
    "serve",
    "--lamp-port=0",
    "--api-port=0",
    "--web-port=0",
    "--log=json",
  ]);
  const lines = lineReader(child.stdout);
  let port = 0;
  while (port === 0) {
    const record = JSON.parse((await lines.read()).value!);
    if (record.service === "lamps") port = Number(record.address.split(":").at(-1));
  }
  await lines.cancel(); // the log reader is gone
  const stderr = new Response(child.stderr).text();
  const lamp = await Deno.connect({ hostname: "127.0.0.1", port });
  const ending = readUntilEnd(lamp);
  // Each lamp that comes and goes is a log line the stand tries to write; one of them fails.
  let exited = false;
  const status = child.status.finally(() => exited = true);
  for (let i = 0; i < 200 && !exited; i++) {
    const other = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => null);
    other?.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (!exited) child.kill("SIGKILL"); // a hang guard: the assertion below then fails, it does not hang
  assertEquals(await ending, "eof");
  const { code } = await status;
  assertEquals(code, 5);
  const said = await stderr;
  assertStringIncludes(said, "the log output failed: the reader closed it (broken pipe)");
  assertEquals(said.includes("dropp"), false, `a gone log is not 'dropping lines':\n${said}`);
});

Deno.test("a taken port exits 3 with a line naming the port; bad flags exit 2", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const result = await runFlashlight([
      "serve",
      `--lamp-port=${taken.addr.port}`,
      "--api-port=0",
      "--web-port=0",
    ]);
    assertEquals(result.code, 3);
    assertStringIncludes(result.stderr, `lamp port 127.0.0.1:${taken.addr.port} is already in use`);
  } finally {
    taken.close();
  }
  const bad = await runFlashlight(["serve", "--api-port", "http"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--api-port must be a whole number from 0 to 65535");
  // the same prefix as serve's other errors, so a user sees which command complained
  assert(bad.stderr.startsWith("flashlight serve: --api-port"), bad.stderr);
  const help = await runFlashlight(["serve", "--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "--no-sync");
});

Deno.test("send posts to the API: 0 on success, 4 on an error answer, 3 when unreachable, 2 on usage (a bad value too)", async () => {
  {
    await using stand = await startTestStand();
    const ok = await runFlashlight(["send", "--api", stand.api, "COLOR", "#ff0000"]);
    assertEquals(ok.code, 0);
    assertEquals(JSON.parse(ok.stdout).frame, "20 00 03 ff 00 00");
    const frame = await runFlashlight(["send", `--api=${stand.api}`, "FRAME", "33", "0a0b"]);
    assertEquals(JSON.parse(frame.stdout).frame, "21 00 02 0a 0b");
  }
  {
    await using stand = await startTestStand({ token: "0123456789abcdef0123" });
    const rejected = await runFlashlight(["send", "--api", stand.api, "--token", "x", "ON"]);
    assertEquals(rejected.code, 4);
    assertStringIncludes(rejected.stderr, "401");
  }
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  const unreachable = await runFlashlight(["send", "--api", `http://127.0.0.1:${deadPort}`, "ON"]);
  assertEquals(unreachable.code, 3);
  assertStringIncludes(unreachable.stderr, "stand unreachable");
  const usage = await runFlashlight(["send"]);
  assertEquals(usage.code, 2);
  assert(usage.stderr.startsWith("flashlight send: a command is needed: ON"), usage.stderr);
  assertEquals((await runFlashlight(["send", "--api", "ftp://x", "ON"])).code, 2);
  assertEquals((await runFlashlight(["send", "FRAME", "x"])).code, 2);
  // a bad value is refused here, like a bad FRAME, before anything is sent.
  for (const args of [["ON", "extra"], ["COLOR", "red"], ["BLINK"], ["FRAME", "256", "00"]]) {
    const bad = await runFlashlight(["send", "--api", `http://127.0.0.1:${deadPort}`, ...args]);
    assertEquals(bad.code, 2, args.join(" "));
    assert(bad.stderr.startsWith("flashlight send: "), bad.stderr);
  }
});

Deno.test("send refused for a missing or wrong token says how to give one", async () => {
  await using stand = await startTestStand({ token: "0123456789abcdef0123" });
  for (const args of [[], ["--token", "wrongwrongwrongwrong"]]) {
    const refused = await runFlashlight(["send", "--api", stand.api, ...args, "ON"]);
    assertEquals(refused.code, 4);
    assertStringIncludes(refused.stderr, "401");
    assertStringIncludes(refused.stderr, "(give it with --token or FLASHLIGHT_TOKEN)");
  }
});

Deno.test('send says why the stand is unreachable in words, not "fetch failed"', async () => {
  await using stand = await startTestStand();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  const refused = await runFlashlight(["send", "--api", `http://127.0.0.1:${deadPort}`, "ON"]);
  assertEquals(refused.code, 3);
  assertStringIncludes(refused.stderr, `http://127.0.0.1:${deadPort}/: connection refused`);
  const tls = await runFlashlight(["send", "--api", stand.api.replace("http:", "https:"), "ON"]);
  assertEquals(tls.code, 3);
  assertStringIncludes(tls.stderr, "tls: the server does not speak TLS");
});

Deno.test("send delivers values that look like numbers exactly as typed", async () => {
  await using stand = await startTestStand();
  const cases: [string[], string][] = [
    [["COLOR", "000000"], "20 00 03 00 00 00"],
    [["COLOR", "001122"], "20 00 03 00 11 22"],
    [["COLOR", "1e3456"], "20 00 03 1e 34 56"],
    [["FRAME", "33", "0011"], "21 00 02 00 11"],
  ];
  for (const [args, frame] of cases) {
    const result = await runFlashlight(["send", "--api", stand.api, ...args]);
    assertEquals([result.code, JSON.parse(result.stdout).frame], [0, frame], args.join(" "));
  }
});

Deno.test("send exits 3 (try again) when the stand cannot take commands now (503), 4 when it refuses one (422)", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname === "/down"
        ? Response.json({ ok: false, error: "broker redis://127.0.0.1:1/0 unavailable" }, {
          status: 503,
        })
        : Response.json({ ok: false, error: "unknown command" }, { status: 422 }),
  );
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const down = await runFlashlight(["send", "--api", `${base}/down`, "ON"]);
    assertEquals(down.code, 3);
    assertStringIncludes(down.stderr, "cannot take commands now (503");
    assertStringIncludes(down.stderr, "broker redis://127.0.0.1:1/0 unavailable");
    const refused = await runFlashlight(["send", "--api", base, "ON"]);
    assertEquals(refused.code, 4);
    assertStringIncludes(refused.stderr, "422 unknown command");
  } finally {
    await server.shutdown();
  }
});

Deno.test("send prints a server's error text escaped, and caps what it reads of an answer", async () => {
  const hostile = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u009b31m";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (new URL(request.url).pathname === "/huge") {
      const chunk = new Uint8Array(1 << 20).fill(0x61);
      let sent = 0;
      return new Response(
        new ReadableStream({ pull: (c) => sent++ < 300 ? c.enqueue(chunk) : c.close() }),
        { status: 200 },
      );
    }
    return Response.json({ ok: false, error: hostile }, { status: 422 });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const rejected = await runFlashlight(["send", "--api", base, "ON"]);
    assertEquals(rejected.code, 4);
    assertFalse(
      // deno-lint-ignore no-control-regex -- looking for control characters is the point
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(rejected.stderr),
      JSON.stringify(rejected.stderr),
    );
    assertStringIncludes(rejected.stderr, "\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\u009b31m");
    const huge = await runFlashlight(["send", "--api", `${base}/huge`, "ON"]);
    assertEquals(huge.code, 3);
    assertStringIncludes(huge.stderr, "more than 65536 bytes");
  } finally {
    await server.shutdown();
  }
});

Deno.test("a --host that is not this machine's, or does not resolve, is said in words (exit 3)", async () => {
  const foreign = await runFlashlight([
    "serve",
    "--host",
    "10.255.255.1",
    "--insecure-no-auth",
    "--lamp-port=0",
  ]);
  assertEquals(foreign.code, 3);
  assertStringIncludes(
    foreign.stderr,
    "10.255.255.1 is not an address of this machine (check --host)",
  );
  assertFalse(foreign.stderr.includes("os error"));
  const unknown = await runFlashlight([
    "serve",
    "--host",
    "no-such-host.invalid",
    "--insecure-no-auth",
  ]);
  assertEquals(unknown.code, 3);
  assertStringIncludes(unknown.stderr, "the name no-such-host.invalid does not resolve");
});

Deno.test("serve --host ::1 logs its URLs with the IPv6 address in brackets", async () => {
  const stand = new FlashlightProcess([
    "serve",
    "--host",
    "::1",
    "--lamp-port=0",
    "--api-port=0",
    "--web-port=0",
  ]);
  const api = await stand.waitForLine((line) => line.includes("service=api"));
  assertStringIncludes(api, "url=http://[::1]:");
  const url = /url=(\S+)/.exec(api)![1];
  assertEquals((await fetch(`${url}status`)).status, 200, "the logged URL works");
  assertEquals((await stand.stop("SIGTERM")).code, 0);
});

Deno.test("the demo takes the stand's port flags and has its own help", async () => {
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [...RUN_FLAGS, "scripts/demo.ts", ...args],
      cwd: REPO_ROOT,
      stdin: "null",
    }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const help = await run(["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(decode(help.stdout), "deno task demo");
  assertStringIncludes(decode(help.stdout), "--lamp-port N");
  const bad = await run(["--lamp-port", "x"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(decode(bad.stderr), "--lamp-port must be a whole number");
  assertFalse(decode(bad.stderr).includes("at "), "no stack trace");
  const demo = new FlashlightProcess([
    ...RUN_FLAGS,
    "scripts/demo.ts",
    "--lamp-port=0",
    "--api-port=0",
    "--web-port=0",
  ], {
    command: Deno.execPath(),
  });
  const page = await demo.waitForLine((line) => line.startsWith("Stand page:"));
  assert(!page.includes(":8888/"), "the port it was given, not the default");
  await demo.waitForLine((line) => line.includes(" started "));
  assertEquals((await demo.stop("SIGTERM")).code, 0);
});

Deno.test("send on a terminal says what it sent in words; piped, it prints the stand's JSON", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  await using stand = await startTestStand();
  const command = [Deno.execPath(), ...RUN_FLAGS, "main.ts", "send", "--api", stand.api];
  const terminal = await new Deno.Command("script", {
    args: scriptArgs([...command, "COLOR", "ff0000"]),
    cwd: REPO_ROOT,
    clearEnv: true,
    env: terminalEnv({ TERM: "xterm-256color" }),
    stdin: "null",
  }).output();
  assertEquals(terminal.code, 0);
  assertEquals(
    new TextDecoder().decode(terminal.stdout).trim(),
    "COLOR #ff0000 → 0 lamps (none connected)",
  );
  const piped = await runFlashlight(["send", "--api", stand.api, "COLOR", "ff0000"]);
  assertEquals(piped.code, 0);
  assertEquals(JSON.parse(piped.stdout).value, "#ff0000");
});
