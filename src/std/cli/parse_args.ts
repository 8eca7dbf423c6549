/**
 * Local stand-in for `jsr:@std/cli/parse-args` (JSR is unreachable here): the minimist-style
 * parser with the real module's options and results, quirks included, so code written against it
 * runs the same on the real module. `tests/std_compat_test.ts` holds it to the documented
 * behaviour.
 *
 * @module
 */

/** The value returned from {@linkcode parseArgs}: flags by name, and the arguments that are not. */
export type Args =
  // deno-lint-ignore no-explicit-any -- as the real module types an untyped result
  & Record<string, any>
  & {
    /** The arguments that are neither flags nor their values. */
    _: Array<string | number>;
    /** With the `"--"` option: the arguments after `--`. */
    "--"?: Array<string>;
  };

/** Options for {@linkcode parseArgs}. */
export interface ParseOptions {
  /**
   * When `true`, the arguments after `--` go to the result's `"--"` instead of `_`.
   * @default {false}
   */
  "--"?: boolean;
  /**
   * Other names for a flag: `{ h: "help" }` sets both `h` and `help`.
   * @default {{}}
   */
  alias?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Flags that take no value (absent: `false`); `true` makes every `--name` without `=` one.
   * @default {false}
   */
  boolean?: boolean | string | readonly string[];
  /**
   * Values for flags not given.
   * @default {{}}
   */
  default?: Readonly<Record<string, unknown>>;
  /**
   * When `true`, everything after the first non-flag goes to `_` unparsed.
   * @default {false}
   */
  stopEarly?: boolean;
  /**
   * Flags whose values stay strings (never numbers); `"_"` keeps the positionals as typed.
   * @default {[]}
   */
  string?: string | readonly string[];
  /**
   * Flags collected into an array, one element per use (absent: `[]`).
   * @default {[]}
   */
  collect?: string | readonly string[];
  /**
   * Flags that also take a `--no-name` form, which sets `false`.
   * @default {[]}
   */
  negatable?: string | readonly string[];
  /**
   * Called with each argument no option declares (a positional, or a flag with its key and
   * value); returning `false` leaves it out of the result.
   */
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}

/** `--name`, `--no-name`, `--name=value` (a value has at least one character). */
const LONG = /^--(no-)?(.+?)(?:=(.+))?$/s;
/** A flag's value that looks like a number (anywhere at the end of the rest of a short group). */
const NUMBER_AT_END = /-?\d+(\.\d*)?(e-?\d+)?$/;
/** An argument the short form does not take as its value: `-x…` or `--x…`. */
const FLAG_LIKE = /^(-|--)[^-]/;

function isNumber(text: string): boolean {
  return /\S/.test(text) && Number.isFinite(Number(text));
}

function namesOf(option: string | readonly string[] | boolean | undefined): string[] {
  if (typeof option === "string") return option ? [option] : [];
  return Array.isArray(option) ? option.filter(Boolean) : [];
}

type Nested = Record<string, unknown>;

/** Sets `object.a.b.c` for `["a", "b", "c"]`, as own properties (no prototype is ever reached). */
function setNested(object: Nested, keys: readonly string[], value: unknown, collect: boolean) {
  let at = object;
  for (const key of keys.slice(0, -1)) {
    if (!Object.hasOwn(at, key) || at[key] === undefined || at[key] === null) define(at, key, {});
    at = at[key] as Nested;
  }
  const last = keys[keys.length - 1];
  const before = Object.hasOwn(at, last) ? at[last] : undefined;
  if (collect && Array.isArray(before)) before.push(value);
  else define(at, last, collect ? (before ? [before, value] : [value]) : value);
}

function define(object: Nested, key: string, value: unknown) {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function hasNested(object: Nested, keys: readonly string[]): boolean {
  let at: unknown = object;
  for (const key of keys) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return false;
    at = (at as Nested)[key];
  }
  return true;
}

/** The options resolved into sets, every alias included. */
class Declared {
  readonly aliases = new Map<string, Set<string>>();
  readonly booleans = new Set<string>();
  readonly strings = new Set<string>();
  readonly collects = new Set<string>();
  readonly negatables = new Set<string>();
  readonly allBooleans: boolean;

  constructor(options: ParseOptions) {
    for (const [key, value] of Object.entries(options.alias ?? {})) {
      if (value === undefined) throw new TypeError("Alias value must be defined");
      const names = typeof value === "string" ? [value] : [...value];
      this.aliases.set(key, new Set(names));
      for (const name of names) {
        this.aliases.set(name, new Set([key, ...names.filter((other) => other !== name)]));
      }
    }
    this.allBooleans = options.boolean === true;
    this.#fill(this.booleans, options.boolean);
    this.#fill(this.strings, options.string);
    this.#fill(this.collects, options.collect);
    this.#fill(this.negatables, options.negatable);
  }

  #fill(set: Set<string>, option: string | readonly string[] | boolean | undefined) {
    for (const name of namesOf(option)) {
      set.add(name);
      for (const alias of this.aliases.get(name) ?? []) set.add(alias);
    }
  }

  /** Whether the flag, or one of its aliases, takes no value. */
  isBoolean(key: string): boolean {
    return this.booleans.has(key) ||
      [...this.aliases.get(key) ?? []].some((alias) => this.booleans.has(alias));
  }
}

/**
 * Parses command-line arguments into flags and positionals, as `@std/cli/parse-args` does:
 * `--name value`, `--name=value`, `-abc` (booleans), `-n5`, `--no-name` (negatable), `--` ends
 * the flags; values that look like numbers become numbers unless listed in `string` (`"_"` for
 * the positionals).
 *
 * @param args The arguments (`Deno.args`).
 * @param options Which flags are booleans, strings, collected, negatable; aliases; defaults.
 * @returns The flags by name, and the rest in `_`.
 * @example
 * ```ts
 * import { parseArgs } from "@std/cli/parse-args";
 * import { assertEquals } from "@std/assert";
 * assertEquals(parseArgs(["--foo", "--bar=baz", "./quux.txt"]), {
 *   foo: true,
 *   bar: "baz",
 *   _: ["./quux.txt"],
 * });
 * assertEquals(parseArgs(["COLOR", "0001234"], { string: ["_"] }), { _: ["COLOR", "0001234"] });
 * ```
 */
export function parseArgs(args: string[], options: ParseOptions = {}): Args {
  const declared = new Declared(options);
  const result: Args = { _: [] };
  const unknown = options.unknown ?? ((arg: string): unknown => arg);

  const set = (key: string, value: string | boolean, arg: string, collect = true) => {
    const known = declared.booleans.has(key) || declared.strings.has(key) ||
      declared.aliases.has(key) || (declared.allBooleans && /^--[^=]+$/.test(arg));
    if (!known && unknown(arg, key, value) === false) return;
    const typed = typeof value === "string" && !declared.strings.has(key) && isNumber(value)
      ? Number(value)
      : value;
    const collected = collect && declared.collects.has(key);
    for (const name of [key, ...declared.aliases.get(key) ?? []]) {
      setNested(result, name.split("."), typed, collected);
    }
  };
  /** Sets a flag from the argument after it, when that can be its value; returns whether it was. */
  const setFromNext = (
    key: string,
    arg: string,
    next: string | undefined,
    nextIsValue: boolean,
  ) => {
    if (next && nextIsValue) set(key, next, arg);
    else if (next === "true" || next === "false") set(key, next !== "false", arg);
    else {
      set(key, declared.strings.has(key) ? "" : true, arg);
      return false;
    }
    return true;
  };

  const end = args.indexOf("--");
  const flags = end === -1 ? args : args.slice(0, end);
  const afterDashes = end === -1 ? [] : args.slice(end + 1);

  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i];
    const next = flags[i + 1];
    const long = LONG.exec(arg);
    if (long) {
      const [, negated, name, inline] = long;
      if (inline !== undefined) {
        set(name, declared.booleans.has(name) ? inline !== "false" : inline, arg);
        continue;
      }
      if (negated && declared.negatables.has(name)) {
        set(name, false, arg, false);
        continue;
      }
      const key = negated ? `no-${name}` : name;
      const nextIsValue = !declared.isBoolean(key) && !declared.allBooleans &&
        !next?.startsWith("-");
      if (setFromNext(key, arg, next, nextIsValue)) i++;
      continue;
    }
    if (arg.length > 1 && arg.startsWith("-")) {
      if (shortGroup(arg, declared, set)) continue;
      const key = arg.slice(-1);
      if (key === "-") continue;
      if (setFromNext(key, arg, next, !FLAG_LIKE.test(next ?? "") && !declared.isBoolean(key))) i++;
      continue;
    }
    if (unknown(arg) !== false) {
      result._.push(declared.strings.has("_") || !isNumber(arg) ? arg : Number(arg));
    }
    if (options.stopEarly) {
      result._.push(...flags.slice(i + 1));
      break;
    }
  }

  for (const [key, value] of Object.entries(options.default ?? {})) {
    if (hasNested(result, key.split("."))) continue;
    for (const name of [key, ...declared.aliases.get(key) ?? []]) {
      setNested(result, name.split("."), value, false);
    }
  }
  for (const key of declared.booleans) {
    if (!hasNested(result, key.split("."))) {
      setNested(result, key.split("."), declared.collects.has(key) ? [] : false, false);
    }
  }
  for (const key of declared.strings) {
    if (declared.collects.has(key) && !hasNested(result, key.split("."))) {
      setNested(result, key.split("."), [], false);
    }
  }
  if (options["--"]) result["--"] = afterDashes;
  else result._.push(...afterDashes);
  return result;
}

/**
 * The letters of a short group but its last (`-abc`: `a`, `b`); a letter followed by `=value`, by
 * a number, or by a non-word character takes the rest of the argument as its value.
 *
 * @returns Whether the whole argument was used up (its last letter then needs no handling).
 */
function shortGroup(
  arg: string,
  declared: Declared,
  set: (key: string, value: string | boolean, arg: string) => void,
): boolean {
  const letters = arg.slice(1, -1).split("");
  for (const [j, letter] of letters.entries()) {
    const rest = arg.slice(j + 2);
    if (rest === "-") {
      set(letter, rest, arg);
      continue;
    }
    if (/[A-Za-z]/.test(letter)) {
      const inline = /=(.+)/s.exec(rest);
      if (inline) {
        set(letter, inline[1], arg);
        return true;
      }
      if (NUMBER_AT_END.test(rest)) {
        set(letter, rest, arg);
        return true;
      }
    }
    if (letters[j + 1] !== undefined && /\W/.test(letters[j + 1])) {
      set(letter, rest, arg);
      return true;
    }
    set(letter, declared.strings.has(letter) ? "" : true, arg);
  }
  return false;
}
