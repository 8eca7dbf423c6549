/**
 * Local stand-in for `jsr:@std/cli/parse-args` (JSR is unreachable here).
 *
 * Implements the subset flashlight uses, with the real module's names and semantics:
 * `boolean`, `string`, `alias`, `default`, `negatable`, `unknown` and `"--"`. Declared booleans
 * default to `false`; numeric-looking positionals and undeclared values become numbers.
 *
 * @module
 */

/** Options accepted by {@linkcode parseArgs} (the subset of `@std/cli` this module supports). */
export interface ParseOptions {
  /** Keys treated as booleans. */
  boolean?: string[];
  /** Keys whose value is always kept as a string. */
  string?: string[];
  /** Alternative names: `{ h: "help" }` sets both `h` and `help`. */
  alias?: Record<string, string | string[]>;
  /** Values used when a key is absent. */
  default?: Record<string, unknown>;
  /** Boolean or string keys that also accept `--no-<key>` (sets `false`). */
  negatable?: string[];
  /** Called for each argument that is not declared; returning `false` drops it. */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
  /** When true, arguments after `--` go to `result["--"]` instead of `result._`. */
  "--"?: boolean;
}

/** The parsed arguments: declared keys plus `_` for positionals. */
export interface Args {
  /** Positional arguments. */
  _: Array<string | number>;
  /** Arguments after `--`, when the `"--"` option is set. */
  "--"?: string[];
  /** Every parsed flag by name. */
  [key: string]: unknown;
}

const NUMBER = /^(?:0x[0-9a-f]+|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$/i;

function toValue(text: string): string | number {
  return NUMBER.test(text) ? Number(text) : text;
}

/**
 * Parses command line arguments the way `@std/cli/parse-args` does.
 *
 * @param args The raw arguments, usually `Deno.args`.
 * @param options Which keys are booleans, strings, aliases and defaults.
 * @returns The parsed flags plus `_` for positionals.
 * @example
 * ```ts
 * import { parseArgs } from "@std/cli/parse-args";
 * const args = parseArgs(["--quiet", "-p", "9000", "host"], {
 *   boolean: ["quiet"],
 *   string: ["port"],
 *   alias: { p: "port" },
 * });
 * // args: { _: ["host"], quiet: true, port: "9000", p: "9000" }
 * ```
 */
export function parseArgs(args: string[], options: ParseOptions = {}): Args {
  const aliases = new Map<string, string[]>();
  for (const [key, value] of Object.entries(options.alias ?? {})) {
    const names = [key, ...(Array.isArray(value) ? value : [value])];
    for (const name of names) aliases.set(name, names.filter((other) => other !== name));
  }
  const withAliases = (keys: string[] = []) =>
    new Set(keys.flatMap((key) => [key, ...(aliases.get(key) ?? [])]));
  const booleans = withAliases(options.boolean);
  const strings = withAliases(options.string);
  const negatable = withAliases(options.negatable);
  const result: Args = { _: [] };

  const set = (key: string, value: unknown) => {
    for (const name of [key, ...(aliases.get(key) ?? [])]) result[name] = value;
  };
  const known = (key: string) => booleans.has(key) || strings.has(key) || aliases.has(key);
  const accept = (arg: string, key: string, value: unknown) => {
    if (!known(key) && options.unknown?.(arg, key, value) === false) return;
    set(key, value);
  };

  for (const key of booleans) if (!aliases.has(key) || !(key in result)) set(key, false);
  for (const [key, value] of Object.entries(options.default ?? {})) set(key, value);

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      const rest = args.slice(i + 1);
      if (options["--"]) result["--"] = rest;
      else result._.push(...rest.map(toValue));
      break;
    }
    const long = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    const short = long ? null : /^-([^-\d].*)$/.exec(arg);
    if (long) {
      const [, name, inline] = long;
      if (inline === undefined && name.startsWith("no-") && negatable.has(name.slice(3))) {
        set(name.slice(3), false);
      } else if (booleans.has(name)) {
        accept(arg, name, inline === undefined ? true : inline !== "false");
      } else if (inline !== undefined) {
        accept(arg, name, strings.has(name) ? inline : toValue(inline));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
        const next = args[++i];
        accept(arg, name, strings.has(name) ? next : toValue(next));
      } else {
        accept(arg, name, strings.has(name) ? "" : true);
      }
    } else if (short) {
      const letters = short[1];
      for (let j = 0; j < letters.length; j++) {
        const key = letters[j];
        const rest = letters.slice(j + 1);
        const next = args[i + 1];
        const nextIsValue = next !== undefined && !next.startsWith("-");
        if (rest.startsWith("=")) {
          accept(arg, key, strings.has(key) ? rest.slice(1) : toValue(rest.slice(1)));
          break;
        }
        if (strings.has(key)) {
          accept(arg, key, rest !== "" ? rest : nextIsValue ? args[++i] : "");
          break;
        }
        if (rest === "" && !booleans.has(key) && nextIsValue) {
          accept(arg, key, toValue(args[++i]));
        } else {
          accept(arg, key, true);
        }
      }
    } else if (options.unknown?.(arg) !== false) {
      result._.push(toValue(arg));
    }
  }
  return result;
}
