/**
 * `scripts/smoke.ts`, the end-to-end check the release workflow runs with each binary on a native
 * runner, run here against `main.ts` (and against stand-ins that must fail it).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { VERSION } from "../src/version.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";
import { tempDir, writeScript } from "./support/temp_dir.ts";

async function smoke(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-A", "scripts/smoke.ts", ...args],
    cwd: REPO_ROOT,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("the smoke script passes against main.ts run with the binary's permission flags", async () => {
  const { code, stdout, stderr } = await smoke([]);
  assertEquals(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
  for (
    const line of [
      `ok   --version prints "flashlight ${VERSION}"`,
      "ok   the lamp connected (--log json)",
      "ok   send COLOR c0ffee exits 0",
      "ok   the lamp applied COLOR #c0ffee",
      'ok   the lamp stopped on SIGTERM: exit 0, last line "stopped"',
      'ok   the stand logged a clean lamp close ("lamp closed the connection")',
      'ok   the stand stopped on SIGTERM: exit 0, last line "stopped"',
      "smoke: every check passed",
    ]
  ) assertStringIncludes(stdout, line);
  assertEquals(stderr, "");
});

Deno.test("the smoke script fails on a wrong version, a wrong binary, a binary that cannot serve, a foreign target", async () => {
  await using dir = await tempDir();
  const cannotServe = `${dir.path}/flashlight`;
  await writeScript(
    cannotServe,
    `[ "$1" = --version ] && { echo "flashlight ${VERSION}"; exit 0; }\necho "no stand here" >&2; exit 1`,
  );
  const other = Deno.build.target.startsWith("x86_64")
    ? "aarch64-unknown-linux-gnu"
    : "x86_64-unknown-linux-gnu";
  const cases: [string[], string][] = [
    [
      ["--version", "9.9.9"],
      `--version prints "flashlight 9.9.9": exit 0, printed "flashlight ${VERSION}"`,
    ],
    [
      ["--exe", Deno.execPath()],
      `--version prints "flashlight ${VERSION}": exit 0, printed "deno `,
    ],
    [
      ["--exe", cannotServe, "--timeout", "5"],
      'the process ended before a "listening" line for lamps',
    ],
    [["--exe", `${dir.path}/missing`], "Failed to spawn"],
    [["--target", other], `this runner is ${Deno.build.target}, not ${other}: not native`],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await smoke(args);
    assertEquals(code, 1, args.join(" "));
    assertStringIncludes(stderr, "smoke: FAILED: ");
    assertStringIncludes(stderr, message);
  }
});

Deno.test("the smoke script refuses unknown flags, arguments and bad values with exit 2", async () => {
  for (const args of [["--bogus"], ["extra"], ["--version", "v1"], ["--timeout", "0"]]) {
    const { code, stderr } = await smoke(args);
    assertEquals(code, 2, args.join(" "));
    assert(stderr.startsWith("smoke: "), stderr);
    assertStringIncludes(stderr, "Usage: deno run -A scripts/smoke.ts");
  }
});
