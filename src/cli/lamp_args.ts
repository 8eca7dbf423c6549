/**
 * The lamp command's flags and environment, parsed into a config. Pure.
 *
 * @module
 */
import { type Address, parseAddressList } from "../net/address.ts";
import { DEFAULT_BACKOFF } from "../net/backoff.ts";
import type { LogFormat } from "../log/log_line.ts";
import type { Level } from "../log/log_writer.ts";
import { numberIn, oneOf, parseStrictArgs } from "./strict_args.ts";
import { UsageError } from "./usage_error.ts";

/** What the lamp command was asked to do. */
export interface LampConfig {
  /** Print usage and exit. */
  readonly help: boolean;
  /** Print the version and exit. */
  readonly version: boolean;
  /** The servers, from the argument or `FLASHLIGHT_ADDRESS`; absent when neither is given. */
  readonly addresses?: readonly Address[];
  /** Log lines instead of the terminal view, in this format (`--log`). */
  readonly log?: LogFormat;
  /** The least severe level logged (`--quiet`: error, `--verbose`: debug). */
  readonly level: Level;
  /** The backoff cap in ms (`--retry-max`, in seconds on the command line). */
  readonly retryMaxMs: number;
}

function addressesFrom(text: string, source: string): Address[] {
  try {
    return parseAddressList(text);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
}

/**
 * Parses the lamp command line.
 *
 * @param args The arguments after the program name.
 * @param env Reads an environment variable (`FLASHLIGHT_ADDRESS`).
 * @returns The config.
 * @throws {UsageError} On an unknown flag, a bad value or a bad address.
 * @example
 * ```ts
 * import { parseLampArgs } from "./lamp_args.ts";
 * parseLampArgs(["--log", "json", ":7000"], () => undefined).addresses;
 * // [{ hostname: "127.0.0.1", port: 7000 }]
 * ```
 */
export function parseLampArgs(
  args: string[],
  env: (name: string) => string | undefined,
): LampConfig {
  const flags = parseStrictArgs(args, {
    boolean: ["help", "version", "quiet", "verbose"],
    string: ["log", "retry-max"],
    alias: { h: "help", V: "version", q: "quiet", v: "verbose" },
  });
  if (flags.quiet && flags.verbose) {
    throw new UsageError("--quiet and --verbose exclude each other");
  }
  const positionals = flags._.map(String);
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one ADDRESS, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const fromEnv = env("FLASHLIGHT_ADDRESS");
  const addresses = positionals.length === 1
    ? addressesFrom(positionals[0], "ADDRESS")
    : fromEnv
    ? addressesFrom(fromEnv, "FLASHLIGHT_ADDRESS")
    : undefined;
  return {
    help: flags.help === true,
    version: flags.version === true,
    addresses,
    log: flags.log === undefined ? undefined : oneOf(flags.log, "log", ["text", "json"] as const),
    level: flags.quiet ? "error" : flags.verbose ? "debug" : "info",
    retryMaxMs: flags["retry-max"] === undefined
      ? DEFAULT_BACKOFF.maxMs
      : Math.round(numberIn(flags["retry-max"], "retry-max", 0.1, 3600) * 1000),
  };
}
