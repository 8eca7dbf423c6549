/**
 * Command-line flags from one table per command: the table drives the parser, the help text and
 * the README's flag tables, so a flag, its default and its description are written once.
 *
 * The parser is `@std/cli`'s `parseArgs`, configured from the table, behind a strict wrapper: an
 * undeclared flag, a missing value and a value given to a boolean are refused (parseArgs would
 * take them), and every value and positional argument is kept exactly as typed (`000000` stays
 * `000000`; nothing is turned into a number before the command reads it).
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { closestName } from "./closest_name.ts";
import { UsageError } from "./usage_error.ts";

/** One flag. */
export interface FlagSpec {
  /** The long name, without dashes (`lamp-port`): letters, digits and dashes, not `no-…`. */
  readonly name: string;
  /** A one-letter alias (`q` for `-q`). */
  readonly short?: string;
  /** `boolean` takes no value; `value` one; `list` one per use, repeatable. */
  readonly kind: "boolean" | "value" | "list";
  /** The value's placeholder in help (`N`, `HOST`). */
  readonly value?: string;
  /** What it does, one line. */
  readonly help: string;
  /** The default, as shown in help. */
  readonly default?: string;
  /** An environment variable read when the flag is absent. */
  readonly env?: string;
  /** A boolean that also has a `--no-<name>` form. */
  readonly negatable?: boolean;
}

/** What {@linkcode parseFlags} found. */
export interface ParsedFlags {
  /**
   * The flags given, by long name: `true`/`false`, the text given, or every text given (`list`).
   * A flag not given has no entry.
   */
  readonly values: ReadonlyMap<string, boolean | string | readonly string[]>;
  /** The arguments that are not flags, as typed. */
  readonly positionals: readonly string[];
}

/** A flag name parseArgs reads as one key: no dots (nesting), no `no-` (negation). */
const PLAIN_NAME = /^(?!no-)[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * Parses arguments against a flag table: `--name value`, `--name=value`, `-x value`, `-xy` (for
 * booleans), `--no-name`, and `--` to end the flags.
 *
 * parseArgs is lenient by design: it takes an unknown flag as a new key, a value flag at the end
 * as `""`, `--quiet=yes` as `true`, and a value that starts with `-` as the next flag. So the
 * wrapper reads each argument's shape against the table first, refuses what parseArgs would let
 * through, and hands parseArgs the arguments in the one form it reads only one way: `--name`,
 * `--no-name`, `--name=value` (a bare `--name` for an empty value), then `--` and the positionals.
 *
 * @param args The raw arguments.
 * @param specs The flags the command declares.
 * @param command The command's name, for the message (`serve`).
 * @returns The flags and the positionals.
 * @throws {UsageError} On an undeclared flag (naming a declared one within two edits: "did you
 *   mean --log?"), a missing value or a value given to a boolean.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseFlags } from "./flags.ts";
 * const specs = [{ name: "api", kind: "value", help: "" }] as const;
 * const parsed = parseFlags(["COLOR", "000000", "--api=http://x"], specs, "send");
 * assertEquals(parsed.positionals, ["COLOR", "000000"]);
 * assertEquals(parsed.values.get("api"), "http://x");
 * ```
 */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
): ParsedFlags {
  for (const spec of specs) {
    if (!PLAIN_NAME.test(spec.name)) throw new TypeError(`Bad flag name: ${spec.name}`);
  }
  const { flags, positionals, given } = canonicalArgs(args, specs, command);
  const names = (keep: (spec: FlagSpec) => unknown) => specs.filter(keep).map((spec) => spec.name);
  const parsed = parseArgs([...flags, "--", ...positionals], {
    boolean: names((spec) => spec.kind === "boolean"),
    string: ["_", ...names((spec) => spec.kind !== "boolean")],
    collect: names((spec) => spec.kind === "list"),
    negatable: names((spec) => spec.negatable),
  });
  const values = new Map<string, boolean | string | readonly string[]>();
  for (const name of given) values.set(name, parsed[name] as boolean | string | string[]);
  return { values, positionals: parsed._.map(String) };
}

/**
 * The arguments checked against the table and rewritten for parseArgs: the flags in canonical
 * form, the positionals as typed, and the names of the flags given.
 *
 * @throws {UsageError} On an undeclared flag, a missing value or a value given to a boolean.
 */
function canonicalArgs(
  args: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
): { flags: string[]; positionals: string[]; given: Set<string> } {
  const flags: string[] = [];
  const positionals: string[] = [];
  const given = new Set<string>();
  const refuse = (message: string) => new UsageError(message, command);
  const byName = (name: string) => specs.find((spec) => spec.name === name);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [key, inline] = long ? splitOnce(arg.slice(2), "=") : [arg.slice(1), undefined];
    const keys = long ? [key] : [...key];
    for (const [index, name] of keys.entries()) {
      const spec = long ? byName(name) : specs.find((s) => s.short === name);
      const negated = long && !spec && name.startsWith("no-") ? byName(name.slice(3)) : undefined;
      if (negated?.negatable && inline === undefined) {
        flags.push(`--no-${negated.name}`);
        given.add(negated.name);
        continue;
      }
      const shown = long ? `--${name}` : `-${name}`;
      if (!spec) throw refuse(unknownFlag(shown, specs));
      given.add(spec.name);
      if (spec.kind === "boolean") {
        if (inline !== undefined) {
          throw refuse(`${shown} takes no value, got ${JSON.stringify(inline)}`);
        }
        flags.push(`--${spec.name}`);
        continue;
      }
      if (!long && index < keys.length - 1) {
        throw refuse(`-${name} needs a value: write it as a separate argument`);
      }
      const value = inline ?? args[++i];
      if (value === undefined) throw refuse(`${shown} needs a value (${spec.value ?? "VALUE"})`);
      flags.push(value === "" ? `--${spec.name}` : `--${spec.name}=${value}`);
    }
  }
  return { flags, positionals, given };
}

/** `unknown flag "--lgo"`, with `: did you mean --log?` when one declared flag is that close. */
function unknownFlag(shown: string, specs: readonly FlagSpec[]): string {
  const names = specs.flatMap((spec) =>
    spec.negatable ? [spec.name, `no-${spec.name}`] : [spec.name]
  );
  const guess = shown.startsWith("--") ? closestName(shown.slice(2), names) : undefined;
  return `unknown flag ${JSON.stringify(shown)}${guess ? `: did you mean --${guess}?` : ""}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The flags' part of a help text: one line each, placeholder, description, default and
 * environment variable.
 *
 * @param specs The flags.
 * @returns The lines, indented, without a trailing newline.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderFlagHelp } from "./flags.ts";
 * assertEquals(
 *   renderFlagHelp([{ name: "quiet", short: "q", kind: "boolean", help: "log errors only" }]),
 *   "  -q, --quiet          log errors only",
 * );
 * ```
 */
export function renderFlagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((spec) =>
    `${spec.short ? `-${spec.short}, ` : "    "}--${spec.negatable ? "[no-]" : ""}${spec.name}${
      spec.value ? ` ${spec.value}` : ""
    }`
  );
  const width = Math.max(19, ...left.map((text) => text.length)) + 2;
  return specs.map((spec, i) => `  ${left[i].padEnd(width)}${describe(spec)}`).join("\n");
}

/**
 * The flags as a Markdown table (the README's), from the same specs as the help.
 *
 * @param specs The flags.
 * @returns The table, without a trailing newline.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { renderFlagTable } from "./flags.ts";
 * assertEquals(
 *   renderFlagTable([{ name: "quiet", short: "q", kind: "boolean", help: "log errors only" }]),
 *   "| flag | meaning |\n| --- | --- |\n| `-q`, `--quiet` | log errors only |",
 * );
 * ```
 */
export function renderFlagTable(specs: readonly FlagSpec[]): string {
  const rows = specs.map((spec) => {
    const name = `\`--${spec.negatable ? "[no-]" : ""}${spec.name}${
      spec.value ? ` ${spec.value}` : ""
    }\``;
    const flag = spec.short ? `\`-${spec.short}\`, ${name}` : name;
    return `| ${flag.replaceAll("|", "\\|")} | ${describe(spec).replaceAll("|", "\\|")} |`;
  });
  return ["| flag | meaning |", "| --- | --- |", ...rows].join("\n");
}

function describe(spec: FlagSpec): string {
  const extras = [
    spec.default !== undefined ? `default ${spec.default}` : "",
    spec.env ? `env ${spec.env}` : "",
    spec.kind === "list" ? "repeatable" : "",
  ].filter(Boolean);
  return extras.length ? `${spec.help} (${extras.join("; ")})` : spec.help;
}

/**
 * Reads a number flag: `text` as typed, checked against `min` and `max`; `flag` and `command`
 * name it in the {@linkcode UsageError} thrown when it is not such a number within bounds.
 */
export type NumberFlag = (
  text: string,
  flag: string,
  min: number,
  max: number,
  command: string,
) => number;

/**
 * Reads a whole number written in decimal digits only (no `0x10`, no `1e3`, no sign).
 *
 * @example
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { integerFlag } from "./flags.ts";
 * assertEquals(integerFlag("9000", "api-port", 0, 65535, "serve"), 9000);
 * assertThrows(() => integerFlag("0x10", "api-port", 0, 65535, "serve"));
 * ```
 */
export const integerFlag: NumberFlag = numberFlag(/^\d{1,15}$/, "a whole number");

/**
 * Reads a decimal number (digits, an optional fraction: `5`, `0.2`; no exponent, no sign).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decimalFlag } from "./flags.ts";
 * assertEquals(decimalFlag("0.5", "retry-max", 0.1, 3600, "lamp"), 0.5);
 * ```
 */
export const decimalFlag: NumberFlag = numberFlag(/^\d{1,15}(\.\d{1,15})?$/, "a number");

/** A {@linkcode NumberFlag} taking what matches `pattern`, called `what` in its message. */
function numberFlag(pattern: RegExp, what: string): NumberFlag {
  return (text, flag, min, max, command) => {
    const number = pattern.test(text) ? Number(text) : NaN;
    if (!(number >= min && number <= max)) {
      throw new UsageError(
        `--${flag} must be ${what} from ${min} to ${max}, got ${JSON.stringify(text)}`,
        command,
      );
    }
    return number;
  };
}

/**
 * Reads a value that must be one of `choices`.
 *
 * @param text The value as typed.
 * @param flag The flag, for the message.
 * @param choices The allowed values.
 * @param command The command, for the message.
 * @returns The value, typed.
 * @throws {UsageError} When it is not allowed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { choiceFlag } from "./flags.ts";
 * assertEquals(choiceFlag("json", "log", ["text", "json"] as const, "lamp"), "json");
 * ```
 */
export function choiceFlag<T extends string>(
  text: string,
  flag: string,
  choices: readonly T[],
  command: string,
): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(
    `--${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}`,
    command,
  );
}
