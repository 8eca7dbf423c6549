/**
 * `parseArgs` from `@std/cli` with unknown flags refused instead of collected.
 *
 * @module
 */
import { type Args, parseArgs, type ParseOptions } from "@std/cli/parse-args";
import { UsageError } from "./usage_error.ts";

/**
 * Parses arguments like `@std/cli`'s `parseArgs`, but throws on any undeclared flag.
 *
 * @param args The raw arguments.
 * @param options The declared flags (as for `parseArgs`; `unknown` is set here).
 * @returns The parsed arguments.
 * @throws {UsageError} Naming the first unknown flag.
 * @example
 * ```ts
 * import { parseStrictArgs } from "./strict_args.ts";
 * parseStrictArgs(["--quiet"], { boolean: ["quiet"] }).quiet; // true
 * ```
 */
export function parseStrictArgs(args: string[], options: Omit<ParseOptions, "unknown">): Args {
  return parseArgs(args, {
    ...options,
    unknown: (arg, key) => {
      if (key !== undefined) throw new UsageError(`unknown flag ${JSON.stringify(arg)}`);
      return true;
    },
  });
}

/**
 * Reads a string flag that must be one of `choices`.
 * @param value The parsed value.
 * @param flag The flag's name, for the message.
 * @param choices The allowed values.
 * @returns The value, typed.
 * @throws {UsageError} When it is not allowed.
 * @example
 * ```ts
 * import { oneOf } from "./strict_args.ts";
 * oneOf("json", "log", ["text", "json"] as const); // "json"
 * ```
 */
export function oneOf<T extends string>(value: unknown, flag: string, choices: readonly T[]): T {
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new UsageError(
    `--${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(value)}`,
  );
}

/**
 * Reads a numeric flag within bounds.
 * @param value The parsed value.
 * @param flag The flag's name, for the message.
 * @param min The least allowed value.
 * @param max The largest allowed value.
 * @param integer Whether only whole numbers are allowed.
 * @returns The number.
 * @throws {UsageError} When it is not a number within bounds.
 * @example
 * ```ts
 * import { numberIn } from "./strict_args.ts";
 * numberIn("5", "retry-max", 0.1, 3600); // 5
 * ```
 */
export function numberIn(
  value: unknown,
  flag: string,
  min: number,
  max: number,
  integer = false,
): number {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (integer && !Number.isInteger(number)) {
    throw new UsageError(
      `--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  if (!(number >= min && number <= max)) {
    throw new UsageError(
      `--${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}
