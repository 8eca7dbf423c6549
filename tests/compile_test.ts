/**
 * `deno task compile` as a process: what it refuses, what it says when it cannot build, and that
 * it never passes off a binary that is not flashlight. Each case builds into its own temporary
 * `--dist` directory.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { binaryName, compileArgs, WORKER_MODULES, writeBinaryLock } from "../scripts/compile.ts";
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

Deno.test("every npm package in the import map is one the program runs (the binary's lockfile is cut to them)", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}deno.json`));
  const used = new Set<string>();
  for (const root of ["main.ts", ...WORKER_MODULES]) {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      cwd: REPO_ROOT,
    }).output();
    const graph = JSON.parse(new TextDecoder().decode(stdout));
    for (const module of graph.modules as { dependencies?: { specifier: string }[] }[]) {
      for (const dependency of module.dependencies ?? []) used.add(dependency.specifier);
    }
  }
  const npm = Object.entries(config.imports as Record<string, string>)
    .filter(([, target]) => target.startsWith("npm:")).map(([name]) => name);
  assertEquals(npm.filter((name) => !used.has(name)), [], "deno compile embeds these: all of them");
});

Deno.test("the binary embeds only what it runs: the payload (binary minus runtime) is under 10 MB, without the test tools", async () => {
  // The deno CLI as a stand-in runtime: what compile appends to it is the payload.
  await using dir = await tempDir();
  await writeBinaryLock(`${dir.path}/binary.lock`);
  const args = compileArgs(Deno.build.target, `${dir.path}/`, `${dir.path}/binary.lock`)
    .filter((arg) => arg !== "-q");
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const listing = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, listing);
  const payload = (await Deno.stat(`${dir.path}/${binaryName(Deno.build.target)}`)).size -
    (await Deno.stat(Deno.execPath())).size;
  assert(payload < 10_000_000, `payload ${payload} bytes:\n${listing}`);
  assertStringIncludes(listing, "@redis", "the broker's client is the one package it runs");
  assertFalse(listing.includes("playwright-core"), listing);
  assertFalse(/\byaml\b/.test(listing), listing);
});
