/**
 * `flashlight serve` and `flashlight send` as real processes.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { runFlashlight } from "./support/flashlight_process.ts";
import { startServeProcess, startTestStand } from "./support/test_stand.ts";
import { readUntilEnd } from "./support/test_server.ts";

Deno.test("SIGTERM to the stand gives its lamps a clean EOF and exits 0", async () => {
  const { stand, ports } = await startServeProcess();
  const lamp = await Deno.connect({ hostname: "127.0.0.1", port: ports.lamps });
  await stand.waitForLine((line) => line.includes('"event":"lamp_connected"'));
  const [ending, result] = await Promise.all([readUntilEnd(lamp), stand.stop("SIGTERM")]);
  assertEquals(ending, "eof");
  assertEquals(result.code, 0);
  const events = result.stdout.map((line) => JSON.parse(line).event);
  assertEquals(events.at(-1), "shutdown");
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
    assertStringIncludes(result.stderr, `lamp port ${taken.addr.port} is already in use`);
  } finally {
    taken.close();
  }
  const bad = await runFlashlight(["serve", "--api-port", "http"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--api-port must be a whole number from 0 to 65535");
  const help = await runFlashlight(["serve", "--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "--no-sync");
});

Deno.test("send posts to the API: 0 on success, 4 on an error answer, 3 when unreachable, 2 on usage", async () => {
  const { stand, api } = await startTestStand();
  try {
    const ok = await runFlashlight(["send", "--api", api, "COLOR", "#ff0000"]);
    assertEquals(ok.code, 0);
    assertEquals(JSON.parse(ok.stdout).frame, "20 00 03 ff 00 00");
    const frame = await runFlashlight(["send", `--api=${api}`, "FRAME", "33", "0a0b"]);
    assertEquals(JSON.parse(frame.stdout).frame, "21 00 02 0a 0b");
    const rejected = await runFlashlight(["send", "--api", api, "COLOR", "red"]);
    assertEquals(rejected.code, 4);
    assertStringIncludes(rejected.stderr, "422 Invalid color");
  } finally {
    await stand.close();
  }
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = closed.addr.port;
  closed.close();
  const unreachable = await runFlashlight(["send", "--api", `http://127.0.0.1:${deadPort}`, "ON"]);
  assertEquals(unreachable.code, 3);
  assertStringIncludes(unreachable.stderr, "stand unreachable");
  assertEquals((await runFlashlight(["send"])).code, 2);
  assertEquals((await runFlashlight(["send", "--api", "ftp://x", "ON"])).code, 2);
  assertEquals((await runFlashlight(["send", "FRAME", "x"])).code, 2);
});
