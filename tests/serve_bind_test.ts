/**
 * How `serve` says where it listens and what it risks: one port for two services is a usage error
 * naming both flags; bound to every interface, its `listening` URLs are ones a browser can open
 * here; without a token beyond loopback it warns; `/status?fleet=` takes 1 or true and refuses what
 * it does not know.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseServeArgs } from "../src/cli/serve_args.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { startTestStand } from "./support/test_stand.ts";

Deno.test("one port given to two services is a usage error naming both flags", () => {
  const cases: [string[], string][] = [
    [["--api-port", "9999"], "--lamp-port and --api-port are both 9999"],
    [["--web-port", "9000"], "--api-port and --web-port are both 9000"],
    [["--lamp-port", "7000", "--web-port", "7000"], "--lamp-port and --web-port are both 7000"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseServeArgs(args), UsageError, message);
  }
  // 0 asks the system for a free port: any number of services may ask.
  assertEquals(
    parseServeArgs(["--lamp-port", "0", "--api-port", "0", "--web-port", "0"]).apiPort,
    0,
  );
});

Deno.test("bound to every interface without a token, the stand warns, and its URLs can be opened here", async () => {
  await using stand = await startTestStand({ hostname: "0.0.0.0" });
  const listening = stand.log.events.filter((record) => record.event === "listening");
  const urls = listening.flatMap((record) => record.url ? [String(record.url)] : []);
  assertEquals(urls.length, 2);
  for (const url of urls) {
    assert(url.startsWith("http://127.0.0.1:"), url);
    const answer = await fetch(url); // reached: an answer, whatever it says
    await answer.body?.cancel();
    assert(answer.status < 500, `${url}: ${answer.status}`);
  }
  assertEquals(listening.map((record) => record.host), ["0.0.0.0", "0.0.0.0", "0.0.0.0"]);
  const warning = stand.log.events.find((record) => record.event === "no_token");
  assert(warning, "a warning that anyone who reaches the ports controls the lamps");
  assertStringIncludes(String(warning.reason), "0.0.0.0");
});

Deno.test("on loopback, or with a token, there is no such warning", async () => {
  await using local = await startTestStand();
  await using guarded = await startTestStand({ hostname: "0.0.0.0", token: "x".repeat(32) });
  for (const stand of [local, guarded]) {
    assertEquals(stand.log.events.filter((record) => record.event === "no_token"), []);
  }
});

Deno.test("/status?fleet= takes 1 or true (and 0 or false), and refuses other values", async () => {
  await using stand = await startTestStand();
  for (const value of ["1", "true"]) {
    const status = await (await fetch(`${stand.api}/status?fleet=${value}`)).json();
    assertEquals(status.fleet?.instances, 1, value);
  }
  for (const value of ["0", "false"]) {
    const status = await (await fetch(`${stand.api}/status?fleet=${value}`)).json();
    assertEquals(status.fleet, undefined, value);
  }
  const refused = await fetch(`${stand.api}/status?fleet=yes please`);
  assertEquals(refused.status, 400);
  assertStringIncludes((await refused.json()).error, "fleet");
});

Deno.test("GET / on a running stand's API names its page's real port", async () => {
  await using stand = await startTestStand();
  const help = await (await fetch(`${stand.api}/`)).json();
  assertEquals(help.page, `${stand.web}/`);
});
