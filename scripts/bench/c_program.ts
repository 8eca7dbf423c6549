/**
 * The C comparators (`scripts/bench/*.c`), compiled on first use with the system `cc -O2` into a
 * temporary directory that is removed when the benchmark exits. Without a compiler they are
 * skipped with one loud line, and every C column reads "skipped".
 *
 * @module
 */

const SOURCES = new URL("./", import.meta.url).pathname;
const built = new Map<string, Promise<string | null>>();
let directory: Promise<string> | null = null;

async function makeDirectory(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flashlight-bench-c-" });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  return dir;
}
let warned = false;

async function compile(name: string): Promise<string | null> {
  const binary = `${await (directory ??= makeDirectory())}/${name}`;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("cc", {
      args: ["-O2", "-Wall", "-o", binary, `${SOURCES}${name}.c`],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    if (!warned) {
      console.error("SKIPPED: no C compiler (`cc`) on PATH: the C baselines are left out");
      warned = true;
    }
    return null;
  }
  if (!output.success) {
    throw new Error(`cc failed on ${name}.c:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return binary;
}

/**
 * The path of a compiled C comparator, or `null` when there is no C compiler.
 *
 * @param name The source's name without `.c`, e.g. `c_lamp`.
 * @returns The executable's path, or `null`.
 * @example
 * ```ts ignore
 * import { cProgram } from "./c_program.ts";
 * const lamp = await cProgram("c_lamp");
 * if (lamp) new Deno.Command(lamp, { args: ["9999"] }).spawn();
 * ```
 */
export function cProgram(name: string): Promise<string | null> {
  let binary = built.get(name);
  if (!binary) built.set(name, binary = compile(name));
  return binary;
}
