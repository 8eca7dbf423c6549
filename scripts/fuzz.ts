/**
 * `deno task fuzz`: seeded fuzzing of the decoder + command table against the reference model
 * (random valid, malformed, unknown and junk frames, cut at random points). Bounded by a case
 * count and/or seconds; a failing seed is printed so it can be replayed (`--seed N --cases 1`)
 * and kept as a test. The long run: `deno task fuzz --cases 1000000`.
 *
 * @module
 */
import { type FlagSpec, integerFlag, parseFlags, renderFlagHelp } from "../src/cli/flags.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { runFuzzCase } from "./fuzz/fuzz_case.ts";

const FLAGS: readonly FlagSpec[] = [
  { name: "cases", kind: "value", value: "N", help: "how many cases", default: "100000" },
  { name: "seconds", kind: "value", value: "S", help: "stop after S seconds" },
  { name: "seed", kind: "value", value: "N", help: "the first seed", default: "1" },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
];

const USAGE = `deno task fuzz — the decoder and command table against the reference model

Usage: deno task fuzz [flags]

A failing seed is printed; replay it with --seed N --cases 1.

Flags:
${renderFlagHelp(FLAGS)}`;

/** Says what was wrong with the command line, with the usage, and exits 2. */
function refuse(error: unknown): never {
  console.error(`fuzz: ${(error as Error).message}\n\n${wrapHelp(USAGE, PIPED_HELP_WIDTH)}`);
  Deno.exit(2);
}

const { values } = (() => {
  try {
    return parseFlags(Deno.args, FLAGS, "fuzz");
  } catch (error) {
    refuse(error);
  }
})();
if (values.get("help")) {
  console.log(wrapHelp(USAGE, helpWidth()));
  Deno.exit(0);
}
const number = (name: string, fallback: string, max: number) => {
  try {
    return integerFlag((values.get(name) as string | undefined) ?? fallback, name, 0, max, "fuzz");
  } catch (error) {
    refuse(error);
  }
};
const cases = number("cases", "100000", 1e12);
const deadline = values.has("seconds")
  ? performance.now() + number("seconds", "0", 1e9) * 1000
  : Infinity;
const first = number("seed", "1", 2 ** 32 - 1);
const totals = { cases: 0, applied: 0, unknown: 0, malformed: 0 };
const started = performance.now();
for (let seed = first; seed < first + cases && performance.now() < deadline; seed++) {
  try {
    const result = runFuzzCase(seed);
    totals.cases++;
    totals.applied += result.applied;
    totals.unknown += result.unknown;
    totals.malformed += result.malformed;
  } catch (error) {
    console.error(`FAILED at seed ${seed}: ${(error as Error).message}`);
    console.error(`replay: deno task fuzz --seed ${seed} --cases 1`);
    Deno.exit(1);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${totals.cases} cases (seeds ${first}..${first + totals.cases - 1}) in ${
    seconds.toFixed(1)
  } s: ` +
    `${totals.applied} frames applied, ${totals.unknown} unknown, ${totals.malformed} malformed; ` +
    "0 disagreements with the model",
);
