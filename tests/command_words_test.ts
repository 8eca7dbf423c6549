/**
 * Commands as people type them: a mistyped or misplaced command is a usage error with a hint,
 * never a host name retried for ever; the task runner's `--` is harmless.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseLampArgs } from "../src/cli/lamp_args.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { VERSION } from "../src/version.ts";
import { REPO_ROOT, runFlashlight } from "../scripts/support/flashlight_process.ts";

const noEnv = () => undefined;

const MISTAKES: readonly [string[], string][] = [
  [["serv"], "did you mean serve?"],
  [["server"], "did you mean serve?"],
  [["sedn"], "did you mean send?"],
  [["version"], "did you mean --version?"],
  [["ON"], "ON is sent with: flashlight send ON"],
  [["on"], "ON is sent with: flashlight send ON"],
  [["COLOR", "ff0000"], "COLOR is sent with: flashlight send COLOR ff0000"],
  [["FRAME", "33", "0a"], "FRAME is sent with: flashlight send FRAME 33 0a"],
  [["--log", "json", "serve"], "serve is a command: write it first"],
];

Deno.test("a command word typed wrong or in the wrong place is a usage error with a hint, not a host", () => {
  for (const [args, hint] of MISTAKES) {
    const error = assertThrows(
      () => parseLampArgs(args, noEnv),
      UsageError,
      undefined,
      args.join(" "),
    );
    assertStringIncludes(error.message, hint, args.join(" "));
    const host = args.find((arg) => !arg.startsWith("-") && arg !== "json")!;
    assertStringIncludes(error.message, `give its port, ${host}:9999`, args.join(" "));
  }
});

Deno.test("a host with a command's name is still reached with its port; other bare words are hosts", () => {
  assertEquals(parseLampArgs(["serve:9999"], noEnv).addresses, [{ hostname: "serve", port: 9999 }]);
  assertEquals(parseLampArgs(["ON:7000"], noEnv).addresses, [{ hostname: "ON", port: 7000 }]);
  assertEquals(parseLampArgs(["lamps"], noEnv).addresses, [{ hostname: "lamps", port: 9999 }]);
  assertEquals(parseLampArgs(["localhost"], noEnv).addresses, [{
    hostname: "localhost",
    port: 9999,
  }]);
  assert(parseLampArgs(["help"], noEnv).help);
});

Deno.test("the process: flashlight serv exits 2 at once with the hint on stderr", async () => {
  const result = await runFlashlight(["serv"]);
  assertEquals(result.code, 2);
  assertEquals(result.stdout, "");
  assert(result.stderr.startsWith('flashlight: unknown command "serv": did you mean serve?'));
});

Deno.test("a leading -- from the task runner is harmless: deno task start -- --help, serve -- --version", async () => {
  const task = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", ...args],
      cwd: REPO_ROOT,
      stdin: "null",
    }).output();
    return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
  };
  const help = await task("start", "--", "--help");
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "Usage:");
  for (const name of ["serve", "send"]) {
    const version = await task(name, "--", "--version");
    assertEquals([version.code, version.stdout], [0, `flashlight ${VERSION}\n`], name);
  }
  const direct = await runFlashlight(["--", "--version"]);
  assertEquals(direct.stdout, `flashlight ${VERSION}\n`);
});
