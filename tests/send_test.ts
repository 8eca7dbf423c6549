/**
 * `flashlight send` as people type it: the API as host:port or from the environment, the wrong
 * port said as such, a redirect refused, a value the shell took as a comment.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseApiUrl, parseSendArgs } from "../src/cli/send_args.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { VERSION } from "../src/version.ts";
import { runFlashlight } from "../scripts/support/flashlight_process.ts";
import { startTestStand } from "./support/test_stand.ts";

Deno.test("--api takes host:port and :port as curl does (http assumed), and a URL as it is", () => {
  assertEquals(parseApiUrl("localhost:9000", "--api").href, "http://localhost:9000/");
  assertEquals(parseApiUrl(":9000", "--api").href, "http://127.0.0.1:9000/");
  assertEquals(parseApiUrl("[::1]:9000", "--api").href, "http://[::1]:9000/");
  assertEquals(parseApiUrl("https://stand.example", "--api").href, "https://stand.example/");
  assertEquals(parseSendArgs(["--api", "127.0.0.1:9100", "ON"]).api.href, "http://127.0.0.1:9100/");
});

Deno.test("--api with a port out of range says the port is wrong; another scheme names it", () => {
  for (const text of ["http://127.0.0.1:70000", "127.0.0.1:0", "http://x:99999/p"]) {
    const error = assertThrows(() => parseApiUrl(text, "--api"), UsageError);
    assertStringIncludes(error.message, "a port is 1-65535", text);
  }
  assertStringIncludes(
    assertThrows(() => parseApiUrl("ftp://x", "--api"), UsageError).message,
    "not ftp://",
  );
});

Deno.test("FLASHLIGHT_API gives the default API; --api beats it", () => {
  const env = (name: string) => name === "FLASHLIGHT_API" ? "stand.example:9100" : undefined;
  assertEquals(parseSendArgs(["ON"], env).api.href, "http://stand.example:9100/");
  assertEquals(parseSendArgs(["--api", ":9200", "ON"], env).api.href, "http://127.0.0.1:9200/");
  const bad = (name: string) => name === "FLASHLIGHT_API" ? "http://x:70000" : undefined;
  assertStringIncludes(
    assertThrows(() => parseSendArgs(["ON"], bad), UsageError).message,
    "FLASHLIGHT_API has port 70000",
  );
});

Deno.test("a command whose value is missing hints that an unquoted # starts a shell comment", () => {
  // `flashlight send COLOR #ff0000` unquoted: the shell passes only COLOR.
  const error = assertThrows(() => parseSendArgs(["COLOR"]), UsageError);
  assertStringIncludes(error.message, "# starts a comment");
  assertEquals(error.command, "send");
});

Deno.test("send reaches the API by host:port and by FLASHLIGHT_API", async () => {
  await using stand = await startTestStand();
  const hostPort = new URL(stand.api).host;
  const byFlag = await runFlashlight(["send", "--api", hostPort, "ON"]);
  assertEquals(byFlag.code, 0, byFlag.stderr);
  const byEnv = await runFlashlight(["send", "OFF"], { FLASHLIGHT_API: hostPort });
  assertEquals(byEnv.code, 0, byEnv.stderr);
  assertEquals(JSON.parse(byEnv.stdout).command, "OFF");
});

Deno.test("send at the page port or the lamp port says which port it reached and exits 3", async () => {
  await using stand = await startTestStand();
  const page = await runFlashlight(["send", "--api", stand.web, "ON"]);
  assertEquals(page.code, 3, page.stderr);
  assertStringIncludes(page.stderr, "405");
  assertStringIncludes(page.stderr, "not the stand's API");
  assertStringIncludes(page.stderr, new URL(stand.web).host);
  const lampPort = `127.0.0.1:${stand.stand.ports.lamp}`;
  const lamp = await runFlashlight(["send", "--api", lampPort, "ON"]);
  assertEquals(lamp.code, 3, lamp.stderr);
  assertStringIncludes(lamp.stderr, "does not speak HTTP (a lamp port?");
  assertStringIncludes(lamp.stderr, lampPort);
});

Deno.test("a redirect is a refusal that names its location: the command is not posted there", async () => {
  let reposted = 0;
  await using elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    reposted++;
    return Response.json({ ok: true, command: "ON", lamps: 1 });
  });
  const target = `http://127.0.0.1:${elsewhere.addr.port}/`;
  await using redirecting = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(null, { status: 307, headers: { location: target } }),
  );
  const result = await runFlashlight([
    "send",
    "--api",
    `127.0.0.1:${redirecting.addr.port}`,
    "ON",
  ]);
  assertEquals(result.code, 4, result.stderr);
  assertStringIncludes(result.stderr, `307 Temporary Redirect, a redirect to ${target}`);
  assertStringIncludes(result.stderr, "not followed");
  assertEquals(reposted, 0);
  assertEquals(result.stdout, "");
});

Deno.test("--version works on serve and send too", async () => {
  for (const args of [["serve", "--version"], ["send", "--version"], ["send", "-V"]]) {
    const result = await runFlashlight(args);
    assertEquals([result.code, result.stdout], [0, `flashlight ${VERSION}\n`], args.join(" "));
  }
  assert(true);
});
