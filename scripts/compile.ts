/**
 * `deno task compile [--all | --target TRIPLE] [--dist DIR]`: builds the flashlight executable
 * for this platform, one target, or all five release targets, runs the one built for this machine
 * (`--version` must print flashlight's version: a wrong runtime yields a binary that is not
 * flashlight), writes the shell completions and the man page beside them (`DOC_FILES`), then
 * `SHA256SUMS` for all of it. The permissions baked in are
 * `deno.json`'s permission set (see `permission_flags.ts`). A failed build removes what it wrote,
 * so no wrong binary and no empty `dist/` stay behind.
 *
 * @module
 */
import { type FlagSpec, parseFlags } from "../src/cli/flags.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { VERSION } from "../src/version.ts";
import { PERMISSION_FLAGS } from "./permission_flags.ts";
import { completionScript } from "../src/cli/completions.ts";
import { manPage } from "../src/cli/manpage.ts";

/**
 * Modules started as workers (`new Worker(new URL(…))`): `deno compile` does not follow those,
 * so each is included by name. tests/architecture_test.ts walks the module graph from `main.ts`
 * and these, and fails on a module of `src/` neither reaches.
 */
export const WORKER_MODULES: readonly string[] = ["src/stand/lamp_worker.ts"];

/**
 * Flags for unstable APIs the stand uses: `Deno.listen({ reusePort: true })` for the lamp
 * workers. deno.json's `"unstable"` carries it for `deno run`, `test` and tasks; the binary gets
 * it here.
 */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-net"];

/** The release targets: `deno compile --target` triples. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const USAGE = `Usage: deno task compile [--all | --target TRIPLE] [--dist DIR]
  (no flag)        this machine's target
  --all            the five release targets
  --target TRIPLE  one of ${TARGETS.join(", ")}
  --dist DIR       where to write the executables and SHA256SUMS (default dist/)
Environment: DENORT_BIN=/path/to/denort uses a local runtime (Deno ${Deno.version.deno}, the
  target's) instead of downloading one.`;

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

/**
 * The executable's file name for a target.
 * @param target A `--target` triple.
 * @returns `flashlight-<target>`, with `.exe` for Windows.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { binaryName } from "./compile.ts";
 * assertEquals(binaryName("x86_64-pc-windows-msvc"), "flashlight-x86_64-pc-windows-msvc.exe");
 * ```
 */
export function binaryName(target: string): string {
  return `flashlight-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The `deno compile` arguments for one target.
 * @param target A `--target` triple.
 * @param dist The output directory (ends with `/`).
 * @param lock The binary's lockfile ({@linkcode binaryLock}), used frozen.
 * @returns The arguments after `deno`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { compileArgs } from "./compile.ts";
 * assertEquals(compileArgs("aarch64-apple-darwin", "/tmp/dist/").slice(-4, -1), [
 *   "aarch64-apple-darwin", "--output", "/tmp/dist/flashlight-aarch64-apple-darwin",
 * ]);
 * ```
 */
export function compileArgs(target: string, dist: string, lock?: string): string[] {
  return [
    "compile",
    "-q",
    ...PERMISSION_FLAGS,
    ...UNSTABLE_FLAGS,
    ...(lock === undefined ? [] : [`--lock=${lock}`, "--frozen"]),
    ...WORKER_MODULES.flatMap((path) => ["--include", `${ROOT}${path}`]),
    "--target",
    target,
    "--output",
    `${dist}${binaryName(target)}`,
    `${ROOT}main.ts`,
  ];
}

/**
 * The files shipped beside the binaries, generated from the flag tables (what
 * `flashlight completions SHELL` and `flashlight manpage` print): name → text.
 */
export const DOC_FILES: ReadonlyMap<string, () => string> = new Map([
  ["flashlight.bash", () => completionScript("bash")],
  ["flashlight.zsh", () => completionScript("zsh")],
  ["flashlight.fish", () => completionScript("fish")],
  ["flashlight.1", manPage],
]);

/**
 * Writes {@linkcode DOC_FILES} into `dist`.
 * @param dist The output directory (ends with `/`).
 * @returns The names written.
 * @example
 * ```ts ignore
 * import { writeDocFiles } from "./compile.ts";
 * await writeDocFiles("dist/"); // ["flashlight.bash", "flashlight.zsh", "flashlight.fish", "flashlight.1"]
 * ```
 */
export async function writeDocFiles(dist: string): Promise<string[]> {
  for (const [name, text] of DOC_FILES) await Deno.writeTextFile(`${dist}${name}`, text());
  return [...DOC_FILES.keys()];
}

/** The parts of `deno.lock` that {@linkcode binaryLock} reads and writes. */
export interface Lockfile {
  readonly specifiers?: Readonly<Record<string, string>>;
  readonly npm?: Readonly<Record<string, { readonly dependencies?: readonly string[] }>>;
  readonly [key: string]: unknown;
}

/**
 * The lockfile the binary is compiled with: `deno.lock` cut down to the npm packages the import
 * map names and what they depend on. `deno compile` embeds every npm package of the lockfile it
 * uses, and `deno.lock` also pins the tests' tools (playwright-core, yaml): with it, the binary
 * would carry them too. The versions and integrity hashes stay the lock's.
 *
 * @param lock `deno.lock`, parsed.
 * @param imports `deno.json`'s import map.
 * @returns The binary's lockfile.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { binaryLock } from "./compile.ts";
 * const lock = {
 *   specifiers: { "npm:a@1.0.0": "1.0.0", "npm:test-tool@2.0.0": "2.0.0" },
 *   npm: { "a@1.0.0": { dependencies: ["b"] }, "b@3.0.0": {}, "test-tool@2.0.0": {} },
 * };
 * const cut = binaryLock(lock, { a: "npm:a@1.0.0", local: "./x.ts" });
 * assertEquals(Object.keys(cut.npm!), ["a@1.0.0", "b@3.0.0"]);
 * assertEquals(cut.workspace, { dependencies: ["npm:a@1.0.0"] });
 * ```
 */
export function binaryLock(lock: Lockfile, imports: Readonly<Record<string, string>>): Lockfile {
  const roots = Object.values(imports).filter((target) => target.startsWith("npm:"));
  const packages = Object.keys(lock.npm ?? {});
  const kept = new Set<string>();
  const pending = roots.map((root) => root.slice("npm:".length));
  while (pending.length > 0) {
    const name = pending.pop()!;
    for (const key of packages.filter((key) => key === name || key.startsWith(`${name}@`))) {
      if (kept.has(key)) continue;
      kept.add(key);
      pending.push(...lock.npm![key].dependencies ?? []);
    }
  }
  return {
    ...lock,
    specifiers: Object.fromEntries(
      Object.entries(lock.specifiers ?? {}).filter(([specifier]) => roots.includes(specifier)),
    ),
    npm: Object.fromEntries(
      packages.filter((key) => kept.has(key)).map((key) => [key, lock.npm![key]]),
    ),
    workspace: { dependencies: roots },
  };
}

/**
 * Writes {@linkcode binaryLock} of this repository's `deno.lock` and `deno.json` to `path`.
 * @param path Where.
 */
export async function writeBinaryLock(path: string): Promise<void> {
  const lock = JSON.parse(await Deno.readTextFile(`${ROOT}deno.lock`));
  const { imports } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  await Deno.writeTextFile(path, JSON.stringify(binaryLock(lock, imports), null, 2) + "\n");
}

/** A build that cannot go on; the message is the one line printed. */
class CompileError extends Error {}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function runtimeNeeded(target: string): string {
  return `the denort runtime of Deno ${Deno.version.deno} for ${target}`;
}

function explain(target: string, stderr: string, denortBin?: string): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter((line) =>
    line && !line.startsWith("Stack backtrace") && !/^\d+: <unknown>$/.test(line)
  );
  const error = lines.find((line) => line.startsWith("error")) ?? lines.at(-1) ?? "no output";
  if (
    denortBin === undefined && /denort|Setting up base binary|error sending request/i.test(stderr)
  ) {
    return `cannot get the Deno runtime (denort) for ${target}: its download host is unreachable from here. ` +
      `Set DENORT_BIN=/path/to/denort (${runtimeNeeded(target)}) and run again.`;
  }
  return `deno compile failed for ${target}${
    denortBin === undefined ? "" : ` with DENORT_BIN=${denortBin}`
  }: ${error}`;
}

/** Runs the binary built for this machine: it must say it is this flashlight. */
async function checkHostBinary(path: string, shown: string): Promise<void> {
  const expected = `flashlight ${VERSION}`;
  let printed: string;
  try {
    const { stdout } = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stderr: "null",
      signal: AbortSignal.timeout(30_000),
    }).output();
    printed = new TextDecoder().decode(stdout).trim();
  } catch (error) {
    printed = `nothing (${(error as Error).message})`;
  }
  if (printed === expected) return;
  throw new CompileError(
    `${shown} is not flashlight: --version printed ${JSON.stringify(printed.split("\n")[0])} ` +
      `instead of "${expected}". DENORT_BIN must be ${runtimeNeeded(Deno.build.target)} ` +
      "(the deno CLI is not one).",
  );
}

async function build(
  targets: string[],
  dist: string,
  denortBin: string | undefined,
  written: Set<string>,
): Promise<void> {
  const shown = (name: string) =>
    `${dist.startsWith(ROOT) ? dist.slice(ROOT.length) : dist}${name}`;
  if (denortBin !== undefined) {
    const info = await Deno.stat(denortBin).catch(() => undefined);
    if (!info?.isFile) {
      throw new CompileError(
        `DENORT_BIN=${denortBin}: the file does not exist${info ? " (it is a directory)" : ""}; ` +
          `point it at ${runtimeNeeded(targets[0])}.`,
      );
    }
  }
  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  if (denortBin !== undefined) env.DENORT_BIN = denortBin;
  const built: string[] = [];
  const lock = await Deno.makeTempFile({ prefix: "flashlight-binary-", suffix: ".lock" });
  try {
    await writeBinaryLock(lock);
    for (const target of targets) {
      written.add(binaryName(target));
      const { success, stderr } = await new Deno.Command(Deno.execPath(), {
        args: compileArgs(target, dist, lock),
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "inherit",
      }).output();
      if (!success) {
        throw new CompileError(explain(target, new TextDecoder().decode(stderr), denortBin));
      }
      built.push(binaryName(target));
      const name = shown(binaryName(target));
      if (target === Deno.build.target) {
        await checkHostBinary(`${dist}${binaryName(target)}`, name);
        console.log(`built ${name} (runs here: prints "flashlight ${VERSION}")`);
      } else {
        console.log(`built ${name} (not run: this machine is ${Deno.build.target})`);
      }
    }
  } finally {
    await Deno.remove(lock).catch(() => {});
  }
  for (const name of DOC_FILES.keys()) written.add(name);
  built.push(...await writeDocFiles(dist));
  console.log(`wrote ${[...DOC_FILES.keys()].map(shown).join(", ")}`);
  const sums = await Promise.all(
    built.map(async (name) => `${await sha256(`${dist}${name}`)}  ${name}`),
  );
  written.add("SHA256SUMS");
  await Deno.writeTextFile(`${dist}SHA256SUMS`, sums.sort().join("\n") + "\n");
  console.log(`wrote ${shown("SHA256SUMS")}`);
}

const FLAGS: readonly FlagSpec[] = [
  { name: "all", kind: "boolean", help: "all five release targets" },
  { name: "target", kind: "value", value: "TRIPLE", help: "one target" },
  { name: "dist", kind: "value", value: "DIR", help: "where to write", default: "dist/" },
  { name: "help", kind: "boolean", help: "show this help" },
];

async function main(args: string[]): Promise<number> {
  let flags: { all: boolean; help: boolean; target?: string; dist?: string };
  try {
    const { values, positionals } = parseFlags(args, FLAGS, "compile");
    if (positionals.length > 0) {
      throw new UsageError(`compile takes no arguments, got ${JSON.stringify(positionals[0])}`);
    }
    flags = {
      all: values.get("all") === true,
      help: values.get("help") === true,
      target: values.get("target") as string | undefined,
      dist: values.get("dist") as string | undefined,
    };
    if (flags.all && flags.target !== undefined) {
      throw new UsageError("--all and --target exclude each other");
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compile: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const targets = flags.all ? [...TARGETS] : [flags.target ?? Deno.build.target];
  const unknown = targets.find((target) => !TARGETS.includes(target));
  if (unknown) {
    console.error(
      `compile: unknown target ${JSON.stringify(unknown)} (one of ${TARGETS.join(", ")})`,
    );
    return 2;
  }
  const dist = flags.dist === undefined
    ? `${ROOT}dist/`
    : `${flags.dist.startsWith("/") ? "" : `${Deno.cwd()}/`}${flags.dist}`.replace(
      /\/?$/,
      "/",
    );
  const existed = await Deno.stat(dist).then(() => true, () => false);
  const written = new Set<string>();
  try {
    await Deno.mkdir(dist, { recursive: true });
    await build(targets, dist, Deno.env.get("DENORT_BIN") || undefined, written);
    return 0;
  } catch (error) {
    const known = error instanceof CompileError;
    console.error(`compile: ${known ? error.message : (error as Error).stack}`);
    // What this run wrote is not trustworthy, and an older SHA256SUMS no longer matches.
    for (const name of [...written, "SHA256SUMS"]) {
      await Deno.remove(`${dist}${name}`).catch(() => {});
    }
    if (!existed) await Deno.remove(dist).catch(() => {});
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
