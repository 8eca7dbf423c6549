/**
 * Decoder + dispatch before and after a change, in one run: `deno bench` of
 * `scripts/bench/dispatch_bench.ts` in an earlier checkout and in this one, taking turns (ABBA, so
 * a drift in the machine's load falls on both), each run with its own header walk. Prints, per
 * workload, ns per frame (the fastest iteration of each run: the figure load disturbs least; the
 * median over the runs and the lowest) and the ratio to the header walk of the same run, then
 * after/before.
 *
 * With `--callgrind`, instructions instead of time (valgrind's callgrind, which the machine's load
 * does not disturb): `dispatch_instructions.ts` per workload of small frames, both feeds, for the
 * header walk, before and after; instructions per frame from the difference between 5 and 205
 * runs after the warm-up (two identical valgrind runs differ by tens of millions of instructions:
 * V8's timers move its garbage collection and compilation, so the difference must span many
 * frames).
 *
 * Usage: deno run -A scripts/bench/dispatch_before_after.ts --before DIR [--rounds N] [--callgrind]
 * (DIR: e.g. `git worktree add /tmp/old COMMIT`; N rounds of both, default 10)
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { WORKLOADS } from "./decoder_workloads.ts";
import { median, printTables } from "./measure.ts";

const BENCH = "scripts/bench/dispatch_bench.ts";
const WALK = "header walk (limit)";
const AFTER = new URL("../../", import.meta.url).pathname;

/** One workload in one `deno bench` run: the fastest iteration of each, ns. */
interface Sample {
  readonly walk: number;
  readonly contender: number;
}

/** Per workload (the bench group), the samples of every run of one checkout. */
type Samples = Map<string, Sample[]>;

/** Runs the bench file once in `dir` and adds each group's minima to `samples`. */
async function benchOnce(dir: string, samples: Samples): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--json", BENCH],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`deno bench in ${dir} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  const minima = new Map<string, { walk?: number; contender?: number }>();
  for (const bench of report.benches) {
    const min = bench.results[0].ok.min as number;
    const entry = minima.get(bench.group) ?? {};
    if (bench.name === WALK) entry.walk = min;
    else entry.contender = min;
    minima.set(bench.group, entry);
  }
  for (const [group, { walk, contender }] of minima) {
    if (walk === undefined || contender === undefined) continue;
    samples.set(group, [...samples.get(group) ?? [], { walk, contender }]);
  }
}

const { before, rounds, callgrind } = parseArgs(Deno.args, {
  string: ["before", "rounds"],
  boolean: ["callgrind"],
});
if (!before) {
  console.error("usage: dispatch_before_after.ts --before DIR [--rounds N] [--callgrind]");
  Deno.exit(2);
}
if (callgrind) {
  await countInstructions(before);
  Deno.exit(0);
}
const count = Number(rounds ?? 10);
const loads: string[] = [];
const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
const runs = { before: new Map() as Samples, after: new Map() as Samples };
for (let round = 0; round < count; round++) {
  loads.push(loadAverage());
  const order = round % 2 === 0 ? ["before", "after"] as const : ["after", "before"] as const;
  for (const which of order) await benchOnce(which === "before" ? before : AFTER, runs[which]);
  console.error(`round ${round + 1} of ${count} (load ${loads.at(-1)})`);
}

const frames = (group: string) => Number(/(\d+) frames/.exec(group)?.[1] ?? NaN);
const ns = (value: number) => value < 100 ? value.toFixed(2) : value.toFixed(0);
const rows = [...runs.after.keys()].map((group) => {
  const perFrame = (samples: Sample[], key: keyof Sample) =>
    samples.map((sample) => sample[key] / frames(group));
  const ratios = (samples: Sample[]) => samples.map((s) => s.contender / s.walk);
  const old = runs.before.get(group) ?? [];
  const now = runs.after.get(group)!;
  const cells = (samples: Sample[]) => {
    const values = perFrame(samples, "contender");
    return [
      `${ns(median(values))} (${ns(Math.min(...values))})`,
      `${median(ratios(samples)).toFixed(2)}x (${Math.min(...ratios(samples)).toFixed(2)}x)`,
    ];
  };
  const change = median(perFrame(now, "contender")) / median(perFrame(old, "contender"));
  return [
    group,
    `${ns(median(perFrame(now, "walk")))} (${ns(Math.min(...perFrame(now, "walk")))})`,
    ...cells(old),
    ...cells(now),
    `${change.toFixed(2)}x`,
  ];
});
printTables([{
  title: `Decoder + dispatch before (${before}) and after (${AFTER}), ${count} rounds of ` +
    `\`deno bench ${BENCH}\` taking turns; per run the fastest iteration; median over the runs ` +
    `(lowest in parentheses); load average (1 min) at each round: ${loads.join(", ")}`,
  columns: [
    "workload",
    "header walk, ns/frame",
    "before, ns/frame",
    "before / walk",
    "after, ns/frame",
    "after / walk",
    "after / before (medians)",
  ],
  rows,
}]);

/** Instructions valgrind counts for `dispatch_instructions.ts` with these arguments. */
async function instructions(args: string[]): Promise<number> {
  const output = await new Deno.Command("valgrind", {
    args: [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      "--smc-check=all-non-file",
      Deno.execPath(),
      "run",
      // V8 compiles on a thread of its own; under valgrind's one-thread-at-a-time, the loop would
      // run long in an unoptimized tier waiting for it: compile on the main thread instead.
      "--v8-flags=--no-concurrent-recompilation",
      "-A",
      `${AFTER}scripts/bench/dispatch_instructions.ts`,
      ...args,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stderr);
  const collected = /Collected : (\d+)/.exec(text)?.[1];
  if (!output.success || collected === undefined) throw new Error(`valgrind failed: ${text}`);
  return Number(collected);
}

/** Per small-frame workload and feed: instructions per frame of the walk, before and after. */
async function countInstructions(old: string): Promise<void> {
  const [few, many] = [5, 205];
  const rows: string[][] = [];
  for (const [index, [label, , frames]] of WORKLOADS.entries()) {
    if (frames < 1000) continue; // the 64 KiB frames: too few for a figure per frame
    for (const feed of ["one", "1500"]) {
      const perFrame = async (tree: string) => {
        const args = [tree, String(index), feed];
        const [low, high] = [
          await instructions([...args, `${few}`]),
          await instructions([...args, `${many}`]),
        ];
        return (high - low) / ((many - few) * frames);
      };
      const [walk, was, now] = [await perFrame("walk"), await perFrame(old), await perFrame(AFTER)];
      console.error(
        `${label}, ${feed}: walk ${walk.toFixed(1)}, before ${was.toFixed(1)}, after ${
          now.toFixed(1)
        }`,
      );
      rows.push([
        `${label}, ${feed === "one" ? "one chunk" : "1500 B chunks"}`,
        walk.toFixed(1),
        `${was.toFixed(1)} (${(was / walk).toFixed(2)}x)`,
        `${now.toFixed(1)} (${(now / walk).toFixed(2)}x)`,
        `${(now / was).toFixed(2)}x`,
      ]);
    }
  }
  printTables([{
    title: `Decoder + dispatch before (${old}) and after (${AFTER}): instructions per frame ` +
      `(valgrind --tool=callgrind; the difference between ${few} and ${many} runs of one ` +
      `workload after a warm-up on all of them), ratio to the header walk`,
    columns: ["workload", "header walk", "before", "after", "after / before"],
    rows,
  }]);
}
