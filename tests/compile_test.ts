/**
 * `deno task compile` as a process: what it refuses, what it says when it cannot build, and that
 * it never passes off a binary that is not flashlight. Each case builds into its own temporary
 * `--dist` directory.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { binaryName } from "../scripts/compile.ts";
import { VERSION } from "../src/version.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";
import { tempDir } from "./support/temp_dir.ts";

async function compile(
  args: string[],
  denortBin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  if (denortBin !== undefined) env.DENORT_BIN = denortBin;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "compile", ...args],
    cwd: REPO_ROOT,
    clearEnv: true,
    env,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr).trim() };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("compile refuses unknown flags, stray arguments and conflicting flags with exit 2, creating nothing", async () => {
  await using dir = await tempDir();
  const dist = `${dir.path}/dist`;
  for (
    const args of [["--bogus"], ["--dist", dist, "--bogus"], ["extra"], ["--all", "--target", "x"]]
  ) {
    const { code, stderr } = await compile(["--dist", dist, ...args]);
    assertEquals(code, 2, `${args.join(" ")}: ${stderr}`);
    assertStringIncludes(stderr, "compile: ");
    assertStringIncludes(stderr, "Usage: deno task compile");
    assertFalse(await exists(dist), "no dist/ created");
  }
  const { code, stderr } = await compile(["--dist", dist, "--target", "sparc-sun-solaris"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, 'unknown target "sparc-sun-solaris"');
});

Deno.test("DENORT_BIN naming a missing file says the file does not exist (not an unreachable download host)", async () => {
  await using dir = await tempDir();
  const dist = `${dir.path}/dist`;
  const { code, stderr } = await compile(["--dist", dist], "/nonexistent");
  assertEquals(code, 1, stderr);
  assertStringIncludes(stderr, "DENORT_BIN=/nonexistent: the file does not exist");
  assertStringIncludes(stderr, `Deno ${Deno.version.deno}`);
  assertFalse(stderr.includes("unreachable"), stderr);
  assertEquals(stderr.split("\n").length, 1, `one line, got:\n${stderr}`);
  assertFalse(await exists(dist), "a failed build leaves no dist/");
});

Deno.test("DENORT_BIN pointing at the deno CLI fails loudly: the built file does not print flashlight's version", async () => {
  await using dir = await tempDir();
  const dist = `${dir.path}/dist`;
  const { code, stdout, stderr } = await compile(["--dist", dist], Deno.execPath());
  assertEquals(code, 1, `${stdout}\n${stderr}`);
  assertStringIncludes(stderr, `is not flashlight: --version printed "deno ${Deno.version.deno}`);
  assertStringIncludes(stderr, `instead of "flashlight ${VERSION}"`);
  assertStringIncludes(
    stderr,
    `DENORT_BIN must be the denort runtime of Deno ${Deno.version.deno} for ${Deno.build.target}`,
  );
  assertFalse(stdout.includes("SHA256SUMS"), stdout);
  assertFalse(await exists(dist), "neither the wrong binary nor an empty dist/ is left");
});

Deno.test("without a runtime compile builds a binary that prints flashlight's version, or says in one line why it cannot", async () => {
  await using dir = await tempDir();
  const dist = `${dir.path}/dist`;
  const { code, stdout, stderr } = await compile(["--dist", dist]);
  if (code === 0) {
    const binary = `${dist}/${binaryName(Deno.build.target)}`;
    const version = await new Deno.Command(binary, { args: ["--version"] }).output();
    assertEquals(new TextDecoder().decode(version.stdout), `flashlight ${VERSION}\n`);
    assertStringIncludes(stdout, "SHA256SUMS");
    assert(await exists(`${dist}/SHA256SUMS`));
  } else {
    assertEquals(code, 1);
    assertEquals(stderr.split("\n").length, 1, `one line, got:\n${stderr}`);
    assertStringIncludes(stderr, "DENORT_BIN");
    assertFalse(await exists(dist), "a failed build leaves no empty dist/");
  }
});
