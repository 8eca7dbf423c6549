/**
 * The lamp as a user runs it: `main.ts` in a real process, piped or under a pseudo-terminal.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { parseHex } from "../src/protocol/hex.ts";
import {
  FlashlightProcess,
  requireProgram,
  RUN_FLAGS,
  runFlashlight,
} from "./support/flashlight_process.ts";
import { readUntilEnd, TestServer } from "./support/test_server.ts";
import { scriptArgs, terminalEnv } from "../scripts/pty_command.ts";

const FRAMES = parseHex("20 00 03 ff 00 00 12 00 00 77 00 02 1b 5b 20 00 02 1b 5b");

Deno.test("piped lamp writes plain text lines, and SIGTERM gives the server a clean EOF and exit 0", async () => {
  const server = new TestServer();
  const lamp = new FlashlightProcess([`127.0.0.1:${server.port}`, "--verbose"]);
  try {
    const conn = await server.accept();
    await conn.write(FRAMES);
    await lamp.waitForLine((line) => line.includes("event") || line.includes("malformed"));
    await lamp.waitForLine((line) => line.includes("reason=malformed"));
    const [ending, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGTERM")]);
    assertEquals(ending, "eof");
    assertEquals(result.code, 0);
    const out = result.stdout.join("\n");
    assertFalse(out.includes("\x1b"), "no escape bytes, not even the ones the server sent");
    assertStringIncludes(out, "command address=127.0.0.1:");
    assertStringIncludes(out, "command=COLOR value=#ff0000 on=false color=#ff0000");
    assertStringIncludes(out, 'reason=unknown type=119 length=2 hex="1b 5b"');
    assert(result.stdout.at(-1)?.includes(" shutdown "));
  } finally {
    server.close();
  }
});

Deno.test("--log json writes one parseable record per event with the stable fields", async () => {
  const server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json"]);
  try {
    const conn = await server.accept();
    await conn.write(FRAMES);
    await lamp.waitForLine((line) => line.includes('"command":"ON"'));
    const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGINT")]);
    assertEquals(result.code, 0);
    const records = result.stdout.map((line) => JSON.parse(line));
    assertEquals(records.map((r) => r.event), [
      "connecting",
      "connected",
      "command",
      "command",
      "shutdown",
    ]);
    const on = records[3];
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
  } finally {
    server.close();
  }
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
    await lamp.waitForLine((line) => line.includes("connection refused"));
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

Deno.test("bad command lines exit 2 with one clear line; --help and --version exit 0", async () => {
  const bogus = await runFlashlight(["--bogus"]);
  assertEquals(bogus.code, 2);
  assertStringIncludes(bogus.stderr, 'unknown flag "--bogus"');
  const badAddress = await runFlashlight(["host:70000"]);
  assertEquals(badAddress.code, 2);
  assertStringIncludes(badAddress.stderr, "port must be a number 1-65535");
  const badEnv = await runFlashlight([], { FLASHLIGHT_ADDRESS: "a b" });
  assertEquals(badEnv.code, 2);
  assertStringIncludes(badEnv.stderr, "FLASHLIGHT_ADDRESS");
  const help = await runFlashlight(["--help"]);
  assertEquals(help.code, 0);
  for (
    const word of ["--log", "--retry-max", "FLASHLIGHT_ADDRESS", "NO_COLOR", "Exit codes", "130"]
  ) {
    assertStringIncludes(help.stdout, word);
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

Deno.test("under a pseudo-terminal: 24-bit color, in-place redraw, cursor restored after Ctrl-C", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  const server = new TestServer();
  const command = [Deno.execPath(), ...RUN_FLAGS, "main.ts", `:${server.port}`];
  const lamp = new FlashlightProcess(scriptArgs(command), {
    command: "script",
    clearEnv: true,
    env: terminalEnv({ COLORTERM: "truecolor", TERM: "xterm-256color" }),
  });
  try {
    const conn = await server.accept();
    await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
    await lamp.waitForLine((line) => line.includes("\x1b[48;2;255;0;0m"));
    await lamp.waitForLine((line) => line.includes("\x1b[6A"));
    const writer = lamp.child.stdin.getWriter();
    await writer.write(Uint8Array.of(0x03));
    writer.releaseLock();
    const [ending, result] = await Promise.all([readUntilEnd(conn), lamp.stop()]);
    assertEquals(result.code, 0);
    assertEquals(ending, "eof");
    const screen = result.stdout.join("\n");
    assert(screen.startsWith("\x1b[?25l"), "cursor hidden while running");
    assert(screen.trimEnd().endsWith("\x1b[0m\x1b[?25h"), "cursor shown and colors reset at exit");
    assertStringIncludes(screen, "stopped");
  } finally {
    server.close();
  }
});

Deno.test("a second Ctrl-C during shutdown exits at once with 130; the same press delivered twice does not", async () => {
  const server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json"]);
  try {
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
  } finally {
    server.close();
  }
});
