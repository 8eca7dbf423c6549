/**
 * `deno task bench:e2e`: the end-to-end benchmarks (parts 2–7 of the performance issue, and the
 * Redis broker against the in-process stand), each
 * bounded in time, printed as one table with the baseline measured in the same run beside every
 * figure. Sizes are flags; `--only` picks parts.
 *
 * Usage: deno task bench:e2e [--only throughput,latency,fanout,storm,flood,idle,broker,http,wsflood]
 *        [--frames 1000000] [--commands 1000] [--fanout 10000] [--storm 1000]
 *        [--flood 100000] [--idle 10] [--requests 5000]
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { brokerBench } from "./bench/broker.ts";
import { fanout } from "./bench/fanout.ts";
import { flood } from "./bench/flood.ts";
import { httpLatency } from "./bench/http_latency.ts";
import { wsFlood } from "./bench/ws_flood.ts";
import { idle } from "./bench/idle.ts";
import { latency } from "./bench/latency.ts";
import { printTable, type Row } from "./bench/measure.ts";
import { reconnectStorm } from "./bench/storm.ts";
import { throughput } from "./bench/throughput.ts";

const flags = parseArgs(Deno.args, {
  string: ["only", "frames", "commands", "fanout", "storm", "flood", "idle", "requests"],
  default: {
    frames: "1000000",
    commands: "1000",
    fanout: "10000",
    storm: "1000",
    flood: "100000",
    idle: "10",
    requests: "5000",
  },
});
const only = new Set(
  String(flags.only ?? "throughput,latency,fanout,storm,flood,idle,broker,http,wsflood").split(
    ",",
  ),
);
const number = (name: string) => Number(flags[name]);

const parts: [string, () => Promise<Row[]>][] = [
  ["throughput", () => throughput(number("frames"))],
  ["latency", () => latency(number("commands"), [1, 100, 1000])],
  ["fanout", () => fanout(number("fanout"), 20)],
  ["storm", () => reconnectStorm(number("storm"))],
  ["flood", () => flood(number("flood"))],
  ["idle", () => idle(number("idle"))],
  ["broker", () => brokerBench(50, Math.min(number("commands"), 500))],
  ["http", () => httpLatency(number("requests"))],
  ["wsflood", () => wsFlood(16)],
];
const rows: Row[] = [];
for (const [name, run] of parts) {
  if (!only.has(name)) continue;
  const started = performance.now();
  rows.push(...await run());
  console.error(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(
  `\n${
    new Date().toISOString().slice(0, 10)
  }, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}\n`,
);
printTable(rows);
