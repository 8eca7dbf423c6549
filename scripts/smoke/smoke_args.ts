/**
 * The smoke test's command line, parsed. Pure.
 *
 * @module
 */
import { decimalFlag, type FlagSpec, parseFlags, renderFlagHelp } from "../../src/cli/flags.ts";
import { UsageError } from "../../src/cli/usage_error.ts";

/** What the smoke test runs and expects. */
export interface SmokeConfig {
  /** Print usage and exit. */
  readonly help: boolean;
  /** The program and its first arguments: `[exe]` or `deno run … main.ts`. */
  readonly command: readonly string[];
  /** The version `--version` must print. */
  readonly version: string;
  /** The target the running Deno must be built for (proves a native runner), if given. */
  readonly target?: string;
  /** The bound on each wait, in milliseconds. */
  readonly timeoutMs: number;
}

const FLAGS: readonly FlagSpec[] = [
  {
    name: "exe",
    kind: "value",
    value: "PATH",
    help: "the executable to test",
    default: "deno run with the binary's permission flags on main.ts",
  },
  {
    name: "version",
    kind: "value",
    value: "V",
    help: "the version --version must print",
    default: "deno.json's",
  },
  {
    name: "target",
    kind: "value",
    value: "TRIPLE",
    help: "fail unless this Deno is built for TRIPLE (a native runner)",
  },
  { name: "timeout", kind: "value", value: "SEC", help: "bound on each wait", default: "30" },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
];

/** `scripts/smoke.ts --help`. */
export const SMOKE_USAGE: string = `Usage: deno run -A scripts/smoke.ts [flags]

Runs flashlight end to end: --version, serve on free ports, a lamp (--log json), send COLOR,
the lamp applies it, both stop on the platform's signal (SIGTERM; Ctrl-Break on Windows) and exit 0,
the stand logs a clean lamp close.

Flags:
${renderFlagHelp(FLAGS)}`;

/**
 * Parses the smoke test's flags.
 *
 * @param args The arguments.
 * @param defaults The default command (deno run … main.ts) and version (deno.json's).
 * @returns The config.
 * @throws {UsageError} On an unknown flag, a stray argument or a bad value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSmokeArgs } from "./smoke_args.ts";
 * const config = parseSmokeArgs(["--exe", "./flashlight", "--version", "1.2.0"], {
 *   command: ["deno", "run", "main.ts"],
 *   version: "0.1.0",
 * });
 * assertEquals(config.command, ["./flashlight"]);
 * assertEquals(config.version, "1.2.0");
 * ```
 */
export function parseSmokeArgs(
  args: string[],
  defaults: { command: readonly string[]; version: string },
): SmokeConfig {
  const { values, positionals } = parseFlags(args, FLAGS, "smoke");
  const text = (name: string) => values.get(name) as string | undefined;
  if (positionals.length > 0) {
    throw new UsageError(
      `smoke takes no arguments, got ${JSON.stringify(positionals[0])}`,
      "smoke",
    );
  }
  const version = text("version") ?? defaults.version;
  if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new UsageError(
      `--version must be a version like 1.2.3, got ${JSON.stringify(version)}`,
      "smoke",
    );
  }
  const timeout = text("timeout");
  return {
    help: values.get("help") === true,
    command: text("exe") === undefined ? defaults.command : [text("exe")!],
    version,
    target: text("target"),
    timeoutMs: 1000 *
      (timeout === undefined ? 30 : decimalFlag(timeout, "timeout", 1, 600, "smoke")),
  };
}
