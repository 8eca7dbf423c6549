/**
 * The fan-out spikes: prototypes for the stand's lamp side (in `scripts/bench/`, not wired into
 * `src/`), each measured against the C epoll server in the same runs, the servers taking turns
 * within every run, the lamps connecting in a burst:
 *
 * - `node-net`: the lamp side on `node:net` inside Deno;
 * - `reuse-port`: `Deno.listen({ reusePort: true })` in one worker per core, sharing the lamps
 *   (writes all at once, and one after another);
 * - `both`: `node:net` with `reusePort` in one worker per core;
 * - `batched`: the bare Deno server issuing its writes other ways (all at once and awaited
 *   together, not awaited, one by one, 256 at a time);
 * - `lanes`: one by one against 2, 4, 16 and 64 writes in flight, each lane awaiting its own
 *   (what the stand's write loop does, with 4).
 *
 * @module
 */
import { measureFanout } from "./fanout_measure.ts";
import {
  BARE_DENO,
  batchedWritesServer,
  cServer,
  DENO_NODE_NET,
  type FanoutServer,
  reusePortServer,
} from "./fanout_servers.ts";
import { lampSwarmFactory } from "./lamp_swarm.ts";
import { median, ratio, type Table } from "./measure.ts";

const CORES = navigator.hardwareConcurrency;

/** The spikes by name, each the servers it compares with C. */
const SPIKES: Record<string, () => FanoutServer[]> = {
  "node-net": () => [DENO_NODE_NET],
  "reuse-port": () => [
    reusePortServer("deno", CORES, "all"),
    reusePortServer("deno", CORES, "sequential"),
  ],
  "both": () => [reusePortServer("node", CORES)],
  "batched": () => [
    BARE_DENO,
    batchedWritesServer("nowait"),
    batchedWritesServer("sequential"),
    batchedWritesServer("chunks=256"),
  ],
  "lanes": () => [
    batchedWritesServer("sequential"),
    batchedWritesServer("lanes=2"),
    batchedWritesServer("lanes=4"),
    batchedWritesServer("lanes=16"),
    batchedWritesServer("lanes=64"),
  ],
};

/** How big and how often. */
export interface SpikeSizes {
  /** Lamps. */
  readonly count: number;
  /** Runs (each server once per run). */
  readonly runs: number;
  /** Commands timed per run. */
  readonly commands: number;
}

/**
 * Runs one spike.
 *
 * @param name `node-net`, `reuse-port`, `both`, `batched` or `lanes`.
 * @param sizes Lamps, runs and commands.
 * @returns Its rows of the spikes table.
 * @example
 * ```ts ignore
 * import { fanoutSpike } from "./fanout_spikes.ts";
 * const [table] = await fanoutSpike("node-net", { count: 1000, runs: 5, commands: 5 });
 * ```
 */
export async function fanoutSpike(name: string, sizes: SpikeSizes): Promise<Table[]> {
  const c = await cServer();
  if (!c) {
    console.error(`SKIPPED: fan-out spike ${name}: it is measured against the C server`);
    return [];
  }
  const servers = [c, ...SPIKES[name]()];
  const swarm = await lampSwarmFactory();
  const lastPerRun = servers.map((): number[] => []);
  const connect = servers.map((): number[] => []);
  const balance = servers.map(() => "");
  for (let run = 0; run < sizes.runs; run++) {
    for (const [i, server] of servers.entries()) {
      const result = await measureFanout(
        server,
        swarm.create(),
        sizes.count,
        "burst",
        sizes.commands,
      );
      lastPerRun[i].push(median(result.lastMs));
      connect[i].push(result.connectMs);
      balance[i] = result.connections.length > 1 ? result.connections.join(" / ") : "";
    }
  }
  const n = sizes.count.toLocaleString("en");
  return [{
    title:
      `Fan-out spikes (prototypes in scripts/bench/, not in src/): ${n} lamps, one command → ` +
      `last lamp, median of ${sizes.commands} commands per run, ${sizes.runs} runs, the C server ` +
      `in the same runs; lamps connect in a burst (${swarm.description})`,
    columns: [
      "spike",
      "server",
      "each run",
      "median",
      "ratio to C",
      `${n} accepted + synced (median)`,
      "lamps per worker (last run)",
    ],
    rows: servers.map((server, i) => [
      name,
      server.name,
      lastPerRun[i].map((value) => value.toFixed(0)).join(", ") + " ms",
      `${median(lastPerRun[i]).toFixed(0)} ms`,
      ratio(median(lastPerRun[i]), median(lastPerRun[0])),
      `${(median(connect[i]) / 1000).toFixed(2)} s`,
      balance[i],
    ]),
  }];
}
