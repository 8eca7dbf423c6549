/**
 * `deno task bench:e2e`: the end-to-end benchmarks of the performance issues, each part bounded
 * in time, every figure printed beside its baselines measured in the same run (the C, Node,
 * minimal Deno and Python asyncio comparators in `scripts/bench/`). Sizes are flags; `--only`
 * picks parts by name or by group (`--only lamp,spike` runs every `lamp:` and `spike:` part).
 *
 * Usage: deno task bench:e2e [flags] (`--help` lists them)
 *
 * @module
 */
import { type FlagSpec, integerFlag, parseFlags, renderFlagHelp } from "../src/cli/flags.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { brokerBench } from "./bench/broker.ts";
import { emfileSpike } from "./bench/emfile_spike.ts";
import { fanout, fanoutWebSocket } from "./bench/fanout.ts";
import { fanoutSpike } from "./bench/fanout_spikes.ts";
import { flood } from "./bench/flood.ts";
import { STREAM_KINDS, type StreamKind } from "./bench/frame_streams.ts";
import { httpLatency } from "./bench/http_latency.ts";
import { wsFlood } from "./bench/ws_flood.ts";
import { idle } from "./bench/idle.ts";
import { lampOverWebSocket, lampThroughput } from "./bench/lamp_throughput.ts";
import { latency } from "./bench/latency.ts";
import { logLines } from "./bench/log_lines.ts";
import { printTables, type Row, rowTable, type Table } from "./bench/measure.ts";
import { startup } from "./bench/startup.ts";
import { reconnectStorm } from "./bench/storm.ts";

/** Each size: its default and what it counts. */
const SIZES = {
  "frames": ["5000000", "frames per lamp run (every frame kind)"],
  "big-frames": ["2000", "frames per lamp run of 64 KiB frames"],
  "runs": ["3", "runs of each lamp and logging part"],
  "log-frames": ["1000000", "frames per logged-lines run"],
  "starts": ["10", "start-ups timed"],
  "commands": ["1000", "commands timed for latency (at most 500 for the broker)"],
  "fanout": ["10000", "lamps in the fan-out and its spikes"],
  "fanout-commands": ["5", "commands per fan-out run"],
  "fanout-runs": ["5", "fan-out runs, the servers taking turns"],
  "spike-runs": ["5", "runs of each fan-out spike"],
  "spike-commands": ["5", "commands per spike run"],
  "storm": ["1000", "lamps reconnecting at once"],
  "flood": ["100000", "COLOR frames in the terminal flood"],
  "idle": ["10", "seconds an idle lamp is watched"],
  "requests": ["5000", "HTTP requests timed"],
} as const;
const FLAGS: readonly FlagSpec[] = [
  {
    name: "only",
    kind: "value",
    value: "PART,…",
    help: "parts by name or group (lamp, lamp-ws, logging, startup, fanout, fanout-ws, spike, " +
      "latency, storm, flood, idle, broker, http, wsflood); all of them by default",
  },
  ...Object.entries(SIZES).map(([name, [value, help]]): FlagSpec => ({
    name,
    kind: "value",
    value: "N",
    help,
    default: value,
  })),
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
];
const USAGE = `Usage: deno task bench:e2e [flags]

Flags:
${renderFlagHelp(FLAGS)}`;

/** Says what was wrong with the command line, with the usage, and exits 2. */
function refuse(message: string): never {
  console.error(`bench:e2e: ${message}\n\n${wrapHelp(USAGE, PIPED_HELP_WIDTH)}`);
  Deno.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseFlags(Deno.args, FLAGS, "bench:e2e");
  } catch (error) {
    refuse((error as Error).message);
  }
})();
if (values.get("help")) {
  console.log(wrapHelp(USAGE, helpWidth()));
  Deno.exit(0);
}
if (positionals.length > 0) refuse(`unknown argument ${JSON.stringify(positionals[0])}`);
const size = (name: keyof typeof SIZES) => {
  try {
    return integerFlag(
      (values.get(name) as string | undefined) ?? SIZES[name][0],
      name,
      1,
      1e12,
      "bench:e2e",
    );
  } catch (error) {
    refuse((error as Error).message);
  }
};

const OTHER = "Stand and lamp behaviour (each figure beside its baseline, same run)";
const rows =
  (title: string, run: () => Promise<Row[]>) => async () => [rowTable(title, await run())];
const sizes = () => ({ frames: size("frames"), bigFrames: size("big-frames"), runs: size("runs") });
const lamp = (kind: StreamKind) => () => lampThroughput(kind, sizes());
const spike = (name: string) => () =>
  fanoutSpike(name, {
    count: size("fanout"),
    runs: size("spike-runs"),
    commands: size("spike-commands"),
  });

const parts: [string, () => Promise<Table[]>][] = [
  ...Object.entries(STREAM_KINDS).map(([name, kind]): [string, () => Promise<Table[]>] => [
    `lamp:${name}`,
    lamp(kind),
  ]),
  ...Object.entries(STREAM_KINDS).map(([name, kind]): [string, () => Promise<Table[]>] => [
    `lamp-ws:${name}`,
    () => lampOverWebSocket(kind, sizes()),
  ]),
  ["logging", () => logLines(size("log-frames"), size("runs"))],
  ["startup", rows("Start-up", () => startup(size("starts")))],
  ["fanout", () => fanout(size("fanout"), size("fanout-commands"), size("fanout-runs"))],
  ["fanout-ws", () =>
    fanoutWebSocket({
      count: size("fanout"),
      commands: size("fanout-commands"),
      runs: size("fanout-runs"),
    })],
  ["spike:node-net", spike("node-net")],
  ["spike:reuse-port", spike("reuse-port")],
  ["spike:both", spike("both")],
  ["spike:batched", spike("batched")],
  ["spike:lanes", spike("lanes")],
  ["spike:emfile", emfileSpike],
  ["latency", rows(OTHER, () => latency(size("commands"), [1, 100, 1000]))],
  ["storm", rows(OTHER, () => reconnectStorm(size("storm")))],
  ["flood", rows(OTHER, () => flood(size("flood")))],
  ["idle", rows(OTHER, () => idle(size("idle")))],
  ["broker", rows(OTHER, () => brokerBench(50, Math.min(size("commands"), 500)))],
  ["http", rows(OTHER, () => httpLatency(size("requests")))],
  ["wsflood", rows(OTHER, () => wsFlood(16))],
];
const only = (values.get("only") as string | undefined)?.split(",");
/** Whether `--only NAME` picks a part: its whole name, or its group (the name before `:`). */
const picks = (name: string, part: string) => part === name || part.split(":")[0] === name;
const unknown = only?.filter((name) => !parts.some(([part]) => picks(name, part)));
if (unknown?.length) {
  throw new RangeError(
    `--only: no part named ${unknown.join(", ")} (parts: ${parts.map(([n]) => n).join(", ")})`,
  );
}

const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const loadBefore = loadAverage();
const tables: Table[] = [];
for (const [name, run] of parts) {
  if (only && !only.some((picked) => picks(picked, name))) continue;
  const started = performance.now();
  tables.push(...await run());
  console.error(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const memory = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
console.log(
  `\n${new Date().toISOString().slice(0, 10)}, ${navigator.hardwareConcurrency} cores, ` +
    `${memory} GiB, Deno ${Deno.version.deno}, Node ${await nodeVersion()}, ${await ccVersion()}; ` +
    `load average before ${loadBefore}, after ${loadAverage()} (other work on the machine skews ` +
    `absolute figures more than same-run ratios)`,
);
printTables(tables);

async function nodeVersion(): Promise<string> {
  const output = await new Deno.Command("node", { args: ["--version"], stdout: "piped" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

async function ccVersion(): Promise<string> {
  try {
    const output = await new Deno.Command("cc", { args: ["--version"], stdout: "piped" }).output();
    return new TextDecoder().decode(output.stdout).split("\n")[0];
  } catch {
    return "no C compiler";
  }
}
