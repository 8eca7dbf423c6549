/**
 * `deno task compile [--all | --target TRIPLE]`: builds the flashlight executable into `dist/`
 * for this platform, one target, or all five release targets, then writes `dist/SHA256SUMS`.
 * The permissions baked in are `deno.json`'s permission set (see `permission_flags.ts`).
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { PERMISSION_FLAGS } from "./permission_flags.ts";

/** The release targets: `deno compile --target` triples. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const DIST = new URL("../dist/", import.meta.url);

/**
 * The executable's file name for a target.
 * @param target A `--target` triple.
 * @returns `flashlight-<target>`, with `.exe` for Windows.
 */
export function binaryName(target: string): string {
  return `flashlight-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The `deno compile` arguments for one target.
 * @param target A `--target` triple.
 * @returns The arguments after `deno`.
 */
export function compileArgs(target: string): string[] {
  return [
    "compile",
    "-q",
    ...PERMISSION_FLAGS,
    "--target",
    target,
    "--output",
    new URL(binaryName(target), DIST).pathname,
    new URL("../main.ts", import.meta.url).pathname,
  ];
}

async function sha256(path: URL): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function explain(target: string, stderr: string): string {
  if (/denort|Setting up base binary|error sending request/i.test(stderr)) {
    return `compile: cannot get the Deno runtime (denort) for ${target}: its download host is unreachable from here. ` +
      `Set DENORT_BIN=/path/to/denort (a runtime for ${target}, same Deno version) and run again.`;
  }
  const lines = stderr.split("\n").map((line) => line.trim()).filter((line) =>
    line && !line.startsWith("Stack backtrace") && !/^\d+: <unknown>$/.test(line)
  );
  return `compile: deno compile failed for ${target}: ${
    lines.find((line) => line.startsWith("error")) ?? lines.at(-1) ?? "no output"
  }`;
}

async function main(args: string[]): Promise<number> {
  const flags = parseArgs(args, { boolean: ["all", "help"], string: ["target"] });
  if (flags.help) {
    console.log(
      "Usage: deno task compile [--all | --target TRIPLE]\nTargets: " + TARGETS.join(", "),
    );
    return 0;
  }
  const targets = flags.all ? TARGETS : [String(flags.target ?? Deno.build.target)];
  const unknown = targets.find((target) => !TARGETS.includes(target));
  if (unknown) {
    console.error(
      `compile: unknown target ${JSON.stringify(unknown)} (one of ${TARGETS.join(", ")})`,
    );
    return 2;
  }
  await Deno.mkdir(DIST, { recursive: true });
  for (const target of targets) {
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target),
      stdout: "inherit",
    }).output();
    if (!success) {
      console.error(explain(target, new TextDecoder().decode(stderr)));
      return 1;
    }
    console.log(`built dist/${binaryName(target)}`);
  }
  const sums = [];
  for await (const entry of Deno.readDir(DIST)) {
    if (entry.isFile && entry.name.startsWith("flashlight-")) {
      sums.push(`${await sha256(new URL(entry.name, DIST))}  ${entry.name}`);
    }
  }
  await Deno.writeTextFile(new URL("SHA256SUMS", DIST), sums.sort().join("\n") + "\n");
  console.log("wrote dist/SHA256SUMS");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
