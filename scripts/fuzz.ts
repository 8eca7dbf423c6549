/**
 * `deno task fuzz`: seeded fuzzing of the decoder + command table against the reference model
 * (random valid, malformed, unknown and junk frames, cut at random points). Bounded by a case
 * count and/or seconds; a failing seed is printed so it can be replayed (`--seed N --cases 1`)
 * and kept as a test. The long run: `deno task fuzz --cases 1000000`.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { runFuzzCase } from "../tests/support/fuzz_case.ts";

const flags = parseArgs(Deno.args, {
  string: ["cases", "seconds", "seed"],
  default: { cases: "100000", seed: "1" },
});
const cases = Number(flags.cases);
const deadline = flags.seconds === undefined
  ? Infinity
  : performance.now() + Number(flags.seconds) * 1000;
const first = Number(flags.seed);
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
