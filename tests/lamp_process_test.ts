/**
 * The lamp as a user runs it: `main.ts` in a real process, piped, under a pseudo-terminal, with
 * its output closed or stalled.
 */
import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { readSmallTextFile } from "../src/cli/read_small_file.ts";
import { parseHex } from "../src/protocol/hex.ts";
import {
  FlashlightProcess,
  lineReader,
  requireProgram,
  RUN_FLAGS,
  runFlashlight,
  spawnFlashlight,
} from "../scripts/support/flashlight_process.ts";
import { readUntilEnd, TestServer } from "./support/test_server.ts";
import { terminalEnv } from "../scripts/pty_command.ts";

const FRAMES = parseHex("20 00 03 ff 00 00 12 00 00 77 00 02 1b 5b 20 00 02 1b 5b");
const LAMP = [Deno.execPath(), ...RUN_FLAGS, "main.ts"];
/** {@linkcode LAMP} as a shell command line, every word quoted. */
const LAMP_LINE = LAMP.map((arg) => `'${arg}'`).join(" ");

/** A lamp under a fresh pseudo-terminal (util-linux `script`), with a minimal environment. */
function ptyLamp(shellCommand: string, env: Record<string, string> = {}): FlashlightProcess {
  return new FlashlightProcess(["-qec", shellCommand, "/dev/null"], {
    command: "script",
    clearEnv: true,
    env: terminalEnv({ TERM: "xterm-256color", ...env }),
  });
}

/** Types `keys` (text, or bytes such as Ctrl-C's 0x03) on the lamp's terminal. */
async function typeKeys(lamp: FlashlightProcess, keys: string | Uint8Array): Promise<void> {
  const writer = lamp.child.stdin.getWriter();
  await writer.write(typeof keys === "string" ? new TextEncoder().encode(keys) : keys);
  writer.releaseLock();
}

Deno.test("piped lamp writes plain text lines: started first, stopped (with signal and code) last", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`127.0.0.1:${server.port}`, "--verbose"]);
  const conn = await server.accept();
  await conn.write(FRAMES);
  await lamp.waitForLine((line) => line.includes("reason=malformed"));
  const [ending, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGTERM")]);
  assertEquals(ending, "eof");
  assertEquals(result.code, 0);
  const out = result.stdout.join("\n");
  assertFalse(out.includes("\x1b"), "no escape bytes, not even the ones the server sent");
  assertStringIncludes(out, "command address=127.0.0.1:");
  assertStringIncludes(out, "command=COLOR value=#ff0000 on=false color=#ff0000");
  assertStringIncludes(out, 'reason=unknown type=119 length=2 hex="1b 5b"');
  assertStringIncludes(result.stdout[0], " started version=");
  assertStringIncludes(
    result.stdout[0],
    ` pid=${lamp.child.pid} addresses=127.0.0.1:${server.port} output="log text"`,
  );
  assertStringIncludes(result.stdout.at(-1)!, " stopped reason=SIGTERM code=0");
});

Deno.test("--log json writes one parseable record per event with the stable fields", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json"]);
  const conn = await server.accept();
  await conn.write(FRAMES);
  await lamp.waitForLine((line) => line.includes('"command":"ON"'));
  const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGINT")]);
  assertEquals(result.code, 0);
  const records = result.stdout.map((line) => JSON.parse(line));
  assertEquals(records.map((r) => r.event), [
    "started",
    "connecting",
    "connected",
    "command",
    "command",
    "stopped",
  ]);
  const on = records[4];
  assertEquals(
    { command: on.command, on: on.on, color: on.color, level: on.level, address: on.address },
    {
      command: "ON",
      on: true,
      color: "#ff0000",
      level: "info",
      address: `127.0.0.1:${server.port}`,
    },
  );
  assert(!isNaN(Date.parse(on.time)) && on.time.endsWith("Z"));
  assertEquals([records.at(-1).reason, records.at(-1).code], ["SIGINT", 0]);
});

Deno.test("--quiet still says, at error level, that the server cannot be reached and why", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const lamp = new FlashlightProcess([
    `:${port}`,
    "--quiet",
    "--log",
    "json",
    "--retry-max",
    "0.1",
  ]);
  const line = JSON.parse(await lamp.waitForLine((l) => l.includes('"unreachable"')));
  assertEquals([line.level, line.reason, line.attempts], ["error", "connection refused", 1]);
  const result = await lamp.stop("SIGTERM");
  assertEquals(result.code, 0);
  const events = result.stdout.map((l) => JSON.parse(l).event);
  assertEquals(events, ["unreachable"], "one line, not one per attempt");
});

Deno.test("a closed log pipe (| head -1) ends the lamp with exit 5 and one line on stderr; the server reads EOF", async () => {
  using server = new TestServer();
  const child = spawnFlashlight([`:${server.port}`, "--log", "json"]);
  const lines = lineReader(child.stdout);
  const stderr = new Response(child.stderr).text();
  assertStringIncludes((await lines.read()).value ?? "", '"started"');
  await lines.cancel(); // what `| head -1` does after its line
  const conn = await server.accept();
  const writing = (async () => {
    for (let i = 0; i < 200; i++) await conn.write(parseHex("12 00 00 13 00 00")).catch(() => {});
  })();
  const [ending, status] = await Promise.all([readUntilEnd(conn), child.status]);
  await writing;
  assertEquals(status.code, 5);
  assertEquals(ending, "eof", "the connection is still closed cleanly");
  assertEquals(
    await stderr,
    "flashlight: the output failed: the reader closed it (broken pipe); stopping (exit 5)\n",
    "one line: a gone output is not also 'not keeping up' nor '0 lines dropped'",
  );
});

Deno.test("a stdout nobody reads never freezes the lamp: it drops and says so, and SIGTERM still stops it cleanly", async () => {
  using server = new TestServer();
  const child = spawnFlashlight([`:${server.port}`, "--log", "json"]); // stdout never read
  const stderr = lineReader(child.stderr);
  const conn = await server.accept();
  const flood = parseHex("20 00 03 01 02 03 ".repeat(10_000));
  const writing = (async () => {
    // Far more log than a pipe holds; a lamp frozen in a write would stop reading and stall this.
    for (let i = 0; i < 50; i++) await conn.write(flood).catch(() => {});
  })();
  assertEquals(
    (await stderr.read()).value,
    "flashlight: the log output is not keeping up: dropping lines until it does",
  );
  await writing;
  child.kill("SIGTERM");
  const [ending, status] = await Promise.all([readUntilEnd(conn), child.status]);
  assertEquals(status.code, 0);
  assertEquals(ending, "eof");
  assertStringIncludes((await stderr.read()).value ?? "", "the log output dropped");
  await stderr.cancel();
  await child.stdout.cancel();
});

Deno.test("a piped lamp flooded with commands writes every line to a reader that keeps up", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "text"]);
  const conn = await server.accept();
  const count = 400_000; // ~45 MB of log: ten times what the output queues, read at our pace
  const flood = new Uint8Array(6 * (count + 1));
  for (let i = 0; i < count; i++) flood.set([0x20, 0, 3, 1, i >> 8, i & 0xff], 6 * i);
  flood.set([0x20, 0, 3, 0x12, 0x34, 0x56], 6 * count);
  await conn.write(flood);
  await lamp.waitForLine((line) => line.endsWith("color=#123456"));
  const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGTERM")]);
  assertEquals(result.code, 0);
  assertEquals(result.stdout.filter((line) => line.includes(" command ")).length, count + 1);
  assertFalse(result.stderr.includes("dropp"), result.stderr);
});

Deno.test("the lamp survives its server process being killed and reconnects to a new one", async () => {
  const code = `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    console.log(String(l.addr.port)); // a string: FORCE_COLOR would color a number
    const c = await l.accept();
    await c.write(new Uint8Array([0x12, 0, 0]));
    await c.read(new Uint8Array(1));`;
  const serverProcess = new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "piped" })
    .spawn();
  const reader = serverProcess.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value);
  const lamp = new FlashlightProcess([`:${port}`, "--log", "json", "--retry-max", "0.2"]);
  let server: TestServer | undefined;
  try {
    await lamp.waitForLine((line) => line.includes('"command":"ON"'));
    serverProcess.kill("SIGKILL");
    await serverProcess.status;
    await lamp.waitForLine((line) => line.includes('"event":"disconnected"'));
    await lamp.waitForLine((line) =>
      line.includes('"event":"connect_failed"') && line.includes("connection refused")
    );
    server = new TestServer(port);
    const conn = await server.accept();
    await conn.write(parseHex("13 00 00"));
    await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
    const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGHUP")]);
    assertEquals(result.code, 0);
  } finally {
    await reader.cancel();
    server?.close();
  }
});

Deno.test("attack: hostile arguments and environment values reach stderr escaped: C1 and bidi controls, the runtime's own messages", async () => {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
  const hostile = "\x1b]0;pwned\x07\u009b2J\u202e";
  const cases: [string[], Record<string, string>?][] = [
    [["--retry-max", hostile]],
    [[`host${hostile}:1`]],
    [["--ca", `/nonexistent/${hostile}`, "127.0.0.1:1"]], // Deno's message repeats the path raw
    [["serve", "--token-file", `/nonexistent/${hostile}`]],
    [["serve", "--allow-host", hostile]],
    [[], { FLASHLIGHT_ADDRESS: hostile }],
  ];
  for (const [args, env] of cases) {
    const result = await runFlashlight(args, env);
    assertEquals(result.code, 2, args.join(" "));
    assertFalse(raw.test(result.stderr), JSON.stringify(result.stderr));
    assertStringIncludes(result.stderr, "\\u001b]0;pwned\\u0007\\u009b2J\\u202e");
  }
});

Deno.test("attack: a --token-file or --ca over its bound is refused before it is read whole", async () => {
  // Both were read whole: `--ca /dev/zero` grew the lamp to 9 GB in 5 s, and a 5,000-character
  // token file was taken as the token.
  const dir = await Deno.makeTempDir({ prefix: "flashlight-big-file-" });
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // serve fails on it if it gets far
  try {
    await Deno.writeTextFile(`${dir}/token`, "a".repeat(5000));
    await Deno.writeTextFile(`${dir}/ca.pem`, "a".repeat(2 << 20));
    const serve = await runFlashlight([
      "serve",
      "--token-file",
      `${dir}/token`,
      `--lamp-port=${taken.addr.port}`,
    ]);
    assertEquals(serve.code, 2, serve.stderr);
    assertStringIncludes(serve.stderr, "--token-file: cannot read");
    assertStringIncludes(serve.stderr, "is over 4096 bytes");
    const lamp = new FlashlightProcess(["--ca", `${dir}/ca.pem`, "127.0.0.1:1", "--log", "json"]);
    const started = await lamp.waitForLine((line) => line.includes('"started"')).catch(() => null);
    const result = await lamp.stop(started === null ? undefined : "SIGTERM");
    assertEquals(result.code, 2, `started: ${started}; ${result.stderr}`);
    assertStringIncludes(result.stderr, "is over 1048576 bytes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("attack: /dev/zero as a small file is refused at the bound", async () => {
  await assertRejects(() => readSmallTextFile("/dev/zero", 4096), RangeError, "over 4096 bytes");
});

Deno.test("bad command lines exit 2 with one clear line; --help, `help` and --version exit 0", async () => {
  const bogus = await runFlashlight(["--bogus"]);
  assertEquals(bogus.code, 2);
  assertStringIncludes(bogus.stderr, 'unknown flag "--bogus"');
  assertStringIncludes(bogus.stderr, "Run 'flashlight --help' for usage.");
  const badAddress = await runFlashlight(["host:70000"]);
  assertEquals(badAddress.code, 2);
  assertStringIncludes(badAddress.stderr, "port must be a number 1-65535");
  const url = await runFlashlight(["http://127.0.0.1:9999"]);
  assertEquals(url.code, 2);
  assertStringIncludes(url.stderr, "not http; write host:port, tls://host:port or ws://host/lamp");
  const badEnv = await runFlashlight([], { FLASHLIGHT_ADDRESS: "a b" });
  assertEquals(badEnv.code, 2);
  assertStringIncludes(badEnv.stderr, "FLASHLIGHT_ADDRESS");
  for (const args of [["--help"], ["help"]]) {
    const help = await runFlashlight(args);
    assertEquals(help.code, 0, args[0]);
    for (
      const word of ["--log", "--retry-max", "FLASHLIGHT_ADDRESS", "NO_COLOR", "Exit codes", "130"]
    ) {
      assertStringIncludes(help.stdout, word);
    }
  }
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const version = await runFlashlight(["--version"]);
  assertEquals(version.stdout.trim(), `flashlight ${config.version}`);
});

Deno.test("without a terminal on stdin the lamp never waits for input: it uses 127.0.0.1:9999", async () => {
  const lamp = new FlashlightProcess(["--log", "json"], { env: { FLASHLIGHT_ADDRESS: "" } });
  const line = await lamp.waitForLine((l) => l.includes('"event":"connecting"'));
  assertEquals(JSON.parse(line).address, "127.0.0.1:9999");
  assertEquals((await lamp.stop("SIGTERM")).code, 0);
});

Deno.test("the address prompt and its answer stay on the terminal; stdout redirected gets only log lines", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  using server = new TestServer();
  const log = await Deno.makeTempFile({ prefix: "flashlight-lamp-", suffix: ".log" });
  try {
    const command = `exec ${LAMP_LINE} --log json > '${log}'`;
    const lamp = ptyLamp(command);
    await lamp.waitForText("Server address [127.0.0.1:9999]: ");
    await typeKeys(lamp, `:${server.port}\r`);
    const conn = await server.accept();
    await conn.write(parseHex("12 00 00"));
    for (;;) {
      const text = await Deno.readTextFile(log);
      if (text.includes('"command":"ON"')) break;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the file has no events to await
    }
    lamp.child.kill("SIGTERM"); // script passes it on
    await Promise.all([readUntilEnd(conn), lamp.stop()]);
    const lines = (await Deno.readTextFile(log)).trimEnd().split("\n");
    for (const line of lines) JSON.parse(line); // every line parses: no prompt, no escape bytes
    assertEquals(JSON.parse(lines[0]).event, "started");
  } finally {
    await Deno.remove(log);
  }
});

Deno.test("SIGTERM and SIGHUP at the address prompt exit 0, as documented", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    const pidFile = await Deno.makeTempFile();
    try {
      const lamp = ptyLamp(
        `echo $$ > '${pidFile}'; exec ${LAMP_LINE}`,
      );
      await lamp.waitForText("Server address");
      Deno.kill(Number(await Deno.readTextFile(pidFile)), signal);
      const result = await lamp.stop();
      assertEquals(result.code, 0, signal);
    } finally {
      await Deno.remove(pidFile);
    }
  }
});

Deno.test("Ctrl-D or Ctrl-C at the address prompt ends the prompt's line, so the shell's prompt starts on its own", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  for (const key of [0x04, 0x03]) {
    // The shell ignores SIGINT itself (so it lives to say how the lamp ended); the lamp does not.
    const lamp = ptyLamp(
      `trap '' INT; ${LAMP_LINE}; echo "<exit $?>"`,
    );
    await lamp.waitForText("Server address");
    await typeKeys(lamp, Uint8Array.of(key));
    const { stdout } = await lamp.stop();
    const screen = stdout.join("\n").replace(/\^C|\r/g, "");
    assertStringIncludes(screen, "Server address [127.0.0.1:9999]: \n<exit 0>", `key ${key}`);
  }
});

Deno.test("under a pseudo-terminal: 24-bit color, in-place redraw, cursor restored after Ctrl-C", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  using server = new TestServer();
  const lamp = ptyLamp(`exec ${LAMP_LINE} :${server.port}`, { COLORTERM: "truecolor" });
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
  await lamp.waitForLine((line) => line.includes("\x1b[48;2;255;0;0m"));
  await lamp.waitForLine((line) => line.includes("\x1b[6A"));
  await typeKeys(lamp, Uint8Array.of(0x03));
  const [ending, result] = await Promise.all([readUntilEnd(conn), lamp.stop()]);
  assertEquals(result.code, 0);
  assertEquals(ending, "eof");
  const screen = result.stdout.join("\n");
  assert(screen.startsWith("\x1b[?25l"), "cursor hidden while running");
  assert(screen.trimEnd().endsWith("\x1b[0m\x1b[?25h"), "cursor shown and colors reset at exit");
  assertStringIncludes(screen, "stopped");
});

Deno.test("TERM=dumb gets plain lines, one per change, and no escape codes at all", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  using server = new TestServer();
  const lamp = ptyLamp(`exec ${LAMP_LINE} :${server.port}`, { TERM: "dumb" });
  const conn = await server.accept();
  await lamp.waitForLine((line) => line.startsWith("connected "));
  await conn.write(parseHex("20 00 03 ff 00 00"));
  await lamp.waitForLine((line) => line.includes("lamp OFF (color #ff0000)"));
  await conn.write(parseHex("12 00 00"));
  await lamp.waitForLine((line) => line.includes("lamp ON #ff0000"));
  await typeKeys(lamp, Uint8Array.of(0x03));
  const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop()]);
  assertEquals(result.code, 0);
  assertFalse(result.stdout.join("\n").includes("\x1b"), JSON.stringify(result.stdout));
  assertStringIncludes(result.stdout.join("\n"), "stopped 127.0.0.1:");
});

Deno.test("a second Ctrl-C during shutdown exits at once with 130; the same press delivered twice does not", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json"]);
  const conn = await server.accept();
  await conn.write(parseHex("12 00 00"));
  await lamp.waitForLine((line) => line.includes('"command":"ON"'));
  lamp.child.kill("SIGINT");
  lamp.child.kill("SIGINT"); // the same keypress, delivered twice: still a clean shutdown
  const buffer = new Uint8Array(16);
  assertEquals(await conn.read(buffer), null, "the lamp closed its side: it is draining");
  // The server does not close, so the lamp waits (up to 1 s); a real second press comes later.
  await new Promise((resolve) => setTimeout(resolve, 400));
  const result = await lamp.stop("SIGINT");
  assertEquals(result.code, 130);
  conn.close();
});
