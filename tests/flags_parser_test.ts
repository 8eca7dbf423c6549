/**
 * The strict parser over `@std/cli`'s `parseArgs`: what parseArgs alone would take (unknown flags,
 * missing values, values for booleans, values that start with a dash) is refused or kept exactly
 * as the flag table says.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { type FlagSpec, parseFlags } from "../src/cli/flags.ts";
import { UsageError } from "../src/cli/usage_error.ts";

const SPECS: readonly FlagSpec[] = [
  { name: "api", kind: "value", value: "URL", help: "" },
  { name: "port", short: "p", kind: "value", value: "N", help: "" },
  { name: "tls-cert", kind: "list", value: "FILE", help: "" },
  { name: "sync", kind: "boolean", negatable: true, help: "" },
  { name: "quiet", short: "q", kind: "boolean", help: "" },
  { name: "verbose", short: "v", kind: "boolean", help: "" },
  { name: "log", kind: "value", value: "FORMAT", help: "" },
];

const parse = (args: string[]) => parseFlags(args, SPECS, "test");

Deno.test("values reach the command exactly as typed, dashes, numbers and empty ones included", () => {
  for (
    const value of ["000000", "0x10", "1e3", "-1", "--", "-", "", "a=b", "=", "two\nlines", " 5 "]
  ) {
    assertEquals(parse(["--api", value]).values.get("api"), value, JSON.stringify(value));
    assertEquals(parse([`--api=${value}`]).values.get("api"), value, JSON.stringify(value));
    assertEquals(parse(["-p", value]).values.get("port"), value, JSON.stringify(value));
  }
  assertEquals(parse(["COLOR", "000000", "1e3"]).positionals, ["COLOR", "000000", "1e3"]);
});

Deno.test("only the flags given have entries; lists collect in order, the rest keep the last", () => {
  const parsed = parse([
    "--tls-cert",
    "a.pem",
    "-qv",
    "--api=x",
    "--tls-cert=",
    "--api",
    "y",
    "--no-sync",
    "--tls-cert=lamp=b.pem",
  ]);
  assertEquals(
    parsed.values,
    new Map<string, boolean | string | readonly string[]>([
      ["tls-cert", ["a.pem", "", "lamp=b.pem"]],
      ["quiet", true],
      ["verbose", true],
      ["api", "y"],
      ["sync", false],
    ]),
  );
  assertEquals(parse(["--no-sync", "--sync"]).values.get("sync"), true);
  assertEquals(parse([]).values, new Map());
});

Deno.test("`--` ends the flags: everything after it is a positional, as typed", () => {
  assertEquals(parse(["a", "--quiet", "--", "--api", "-q", "--", "007"]), {
    values: new Map([["quiet", true]]),
    positionals: ["a", "--api", "-q", "--", "007"],
  });
  assertEquals(parse(["-", "x"]).positionals, ["-", "x"]);
});

Deno.test("refused as the table says: unknown flags (with a guess), missing values, values for booleans", () => {
  const cases: [string[], string][] = [
    [["--lgo", "json"], 'unknown flag "--lgo": did you mean --log?'],
    [["--bogus"], 'unknown flag "--bogus"'],
    [["--no-quiet"], 'unknown flag "--no-quiet"'],
    [["--no-synk"], 'unknown flag "--no-synk": did you mean --no-sync?'],
    [["--no-sync=x"], 'unknown flag "--no-sync"'],
    [["-x"], 'unknown flag "-x"'],
    [["-q=1"], 'unknown flag "-="'],
    [["--toString"], 'unknown flag "--toString"'],
    [["--a.b", "1"], 'unknown flag "--a.b"'],
    [["--api"], "--api needs a value (URL)"],
    [["x", "-p"], "-p needs a value (N)"],
    [["-pq", "80"], "-p needs a value: write it as a separate argument"],
    [["--quiet=yes"], '--quiet takes no value, got "yes"'],
    [["--quiet=false"], '--quiet takes no value, got "false"'],
    [["--sync="], '--sync takes no value, got ""'],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parse(args), UsageError, message, args.join(" "));
    assertEquals(error.command, "test");
  }
});

Deno.test("a table whose flag name parseArgs would read otherwise is a programming error", () => {
  for (const name of ["a.b", "no-cache", "-x", ""]) {
    assertThrows(() => parseFlags([], [{ name, kind: "boolean", help: "" }], "x"), TypeError, name);
  }
});
