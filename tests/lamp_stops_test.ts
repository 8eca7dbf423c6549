/**
 * A lamp in a script ends by itself, as mosquitto_sub does: `-C N` after N commands (exit 0),
 * `-W SEC` when no command arrived for SEC seconds (its own exit code).
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { COLOR } from "../src/commands/color.ts";
import { EXIT, EXIT_CODES } from "../src/cli/exit_codes.ts";
import { parseLampArgs } from "../src/cli/lamp_args.ts";
import { stopConditions } from "../src/cli/stop_conditions.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { FlashlightProcess } from "../scripts/support/flashlight_process.ts";
import { readUntilEnd, TestServer } from "./support/test_server.ts";

Deno.test("-C and -W parse as --count N and --timeout SEC", () => {
  const config = parseLampArgs(["-C", "3", "-W", "1.5", ":7000"], () => undefined);
  assertEquals([config.count, config.timeoutMs], [3, 1500]);
  const none = parseLampArgs([":7000"], () => undefined);
  assertEquals([none.count, none.timeoutMs], [undefined, undefined]);
});

Deno.test("the timeout exit code is in the table, for the lamp only", () => {
  const row = EXIT_CODES.find((row) => row.code === EXIT.timeout);
  assertEquals(row?.commands, ["lamp"]);
  assertEquals(EXIT_CODES.filter((other) => other.code === EXIT.timeout).length, 1);
});

Deno.test("-W counts from the last command: each command starts the wait again", async () => {
  let clock = 0;
  const sleeps: number[] = [];
  const woke: (() => void)[] = [];
  const stop = stopConditions({
    timeoutMs: 1000,
    listener: {},
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => woke.push(resolve));
    },
  });
  let reason: string | undefined;
  stop.reached.then((why) => reason = why);
  assertEquals(sleeps, [1000]);
  clock = 600;
  stop.listener.onApplied!(COLOR, 1, []); // a command at 600 ms
  clock = 1000;
  woke.shift()!();
  await Promise.resolve();
  await Promise.resolve();
  assertEquals([sleeps, reason], [[1000, 600], undefined]);
  clock = 1600;
  woke.shift()!();
  assertEquals(await stop.reached, "timeout");
});

Deno.test("-C N shows exactly N commands and exits 0, however many came in one read", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json", "-C", "2"]);
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00 12 00 00 13 00 00 12 00 00"));
  const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop()]);
  assertEquals(result.code, 0, result.stderr);
  const records = result.stdout.map((line) => JSON.parse(line));
  assertEquals(records.filter((record) => record.event === "command").map((r) => r.command), [
    "COLOR",
    "ON",
  ]);
  assertEquals([records.at(-1).event, records.at(-1).code], ["stopped", 0]);
  assertEquals(records.at(-1).reason, "2 commands (--count)");
});

Deno.test("-W SEC with no command coming (keep-alives only) exits with the timeout code", async () => {
  using server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json", "-W", "0.5"]);
  const conn = await server.accept();
  await conn.write(parseHex("00 00 00")); // a keep-alive is not a command
  const [, result] = await Promise.all([readUntilEnd(conn), lamp.stop()]);
  assertEquals(result.code, EXIT.timeout, result.stderr);
  assertStringIncludes(result.stderr, "no command for 0.5 s (--timeout)");
  const last = JSON.parse(result.stdout.at(-1)!);
  assertEquals([last.event, last.code], ["stopped", EXIT.timeout]);
});
