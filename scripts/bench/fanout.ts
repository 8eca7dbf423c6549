/**
 * Part 4, fan-out: many raw lamps (default 10,000) on one server, `flashlight serve` (one lamp
 * worker per core, and with `--workers 1`) beside the C epoll server, Node's `net` and a bare
 * Deno `conn.write` server. The servers take turns within each of several runs (default 5), so
 * every ratio compares figures taken minutes apart at most; each server is measured twice per run,
 * once with the lamps connecting in a burst and once paced (see `lamp_swarm.ts`). Memory per lamp
 * connection is beside the bare Deno server's, which only accepts and keeps one read pending.
 * The same harness compares the stand's WebSocket lamps (`ws://…/lamp` on its web port) with its
 * TCP lamps: {@linkcode fanoutWebSocket}.
 *
 * @module
 */
import { type FanoutRun, measureFanout } from "./fanout_measure.ts";
import { BARE_DENO, cServer, type FanoutServer, NODE_NET, standServer } from "./fanout_servers.ts";
import { lampSwarmFactory } from "./lamp_swarm.ts";
import { median, type Table } from "./measure.ts";

/** What one server did in one run. */
interface RunFigures {
  /** Median over the run's commands (burst and paced), ms. */
  readonly lastMs: number;
  readonly p99Ms: number;
  readonly cpuMs: number;
  readonly burstMs: number;
  readonly pacedMs: number;
  readonly bytesPerLamp: number;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const seconds = (value: number) => `${value.toFixed(2)} s`;
const kb = (value: number) => `${value.toFixed(1)} KB`;
/** The median of the runs, then each run in order (`75 ms; 52, 60, 75, 80, 125`). */
const spread = (values: readonly number[], format: (value: number) => string, digits = 0) =>
  values.length < 2
    ? format(values[0])
    : `${format(median(values))}; ${values.map((value) => value.toFixed(digits)).join(", ")}`;
/** The same-run ratios: their median, then each run's. */
const ratios = (values: readonly number[], baselines: readonly number[]) =>
  spread(values.map((value, i) => value / baselines[i]), (r) => `${r.toFixed(2)}x`, 2);

function figures(burst: FanoutRun, paced: FanoutRun): RunFigures {
  return {
    lastMs: median([...burst.lastMs, ...paced.lastMs]),
    p99Ms: median([...burst.p99Ms, ...paced.p99Ms]),
    cpuMs: (burst.cpuPerCommandMs + paced.cpuPerCommandMs) / 2,
    burstMs: burst.connectMs,
    pacedMs: paced.connectMs,
    bytesPerLamp: paced.bytesPerConnection,
  };
}

/**
 * Runs part 4.
 *
 * @param count How many lamps.
 * @param commands How many commands to time per connection mode (two modes per run).
 * @param runs How many runs (every server once per run).
 * @returns The table.
 * @example
 * ```ts ignore
 * import { fanout } from "./fanout.ts";
 * const [table] = await fanout(1000, 5, 3);
 * ```
 */
export async function fanout(count: number, commands: number, runs: number): Promise<Table[]> {
  const c = await cServer();
  return [
    await fanoutTable(c, [NODE_NET, BARE_DENO, standServer(), standServer(1)], {
      count,
      commands,
      runs,
    }),
  ];
}

/**
 * Measures servers against the C server and the bare Deno server, taking turns in every run.
 *
 * @param c The C server (`null`: none, no ratios to it).
 * @param others The other servers; the bare Deno server among them is the memory baseline.
 * @param sizes Lamps, commands per connection mode, runs.
 * @returns The table.
 * @example
 * ```ts ignore
 * import { fanoutTable } from "./fanout.ts";
 * import { BARE_DENO, cServer } from "./fanout_servers.ts";
 * const table = await fanoutTable(await cServer(), [BARE_DENO], { count: 1000, commands: 3, runs: 3 });
 * ```
 */
export async function fanoutTable(
  c: FanoutServer | null,
  others: readonly FanoutServer[],
  sizes: FanoutSizes,
): Promise<Table> {
  const { count, commands, runs } = sizes;
  const servers = [...(c ? [c] : []), ...others];
  const bare = others.includes(BARE_DENO) ? BARE_DENO : undefined;
  const { results, description } = await measureRuns(servers, sizes);
  const of = (server: FanoutServer, key: keyof RunFigures) =>
    results.get(server)!.map((figures) => figures[key]);
  const n = count.toLocaleString("en");
  return {
    title: `Fan-out: ${n} lamps on one server, one 6-byte command at a time; ${runs} runs, the ` +
      `servers taking turns in each; per run the median of ${2 * commands} commands over a ` +
      `burst-connected and a paced connection of the lamps; the median of the runs, then each ` +
      `run in order (` +
      `${description})`,
    columns: [
      "server",
      "command → last lamp",
      "ratio to C, same run",
      "→ 99% of lamps",
      "server CPU per command",
      `${n} accepted + synced, burst`,
      "paced",
      "RSS per lamp connection",
      "ratio to bare accept-and-read Deno, same run",
    ],
    rows: servers.map((server) => [
      server.name,
      spread(of(server, "lastMs"), ms),
      !c ? "–" : server === c ? "1.00x" : ratios(of(server, "lastMs"), of(c, "lastMs")),
      ms(median(of(server, "p99Ms"))),
      ms(median(of(server, "cpuMs"))),
      spread(of(server, "burstMs").map((value) => value / 1000), seconds, 2),
      spread(of(server, "pacedMs").map((value) => value / 1000), seconds, 2),
      spread(of(server, "bytesPerLamp").map((value) => value / 1024), kb, 1),
      bare && server !== bare
        ? ratios(of(server, "bytesPerLamp"), of(bare, "bytesPerLamp"))
        : bare
        ? "1.00x"
        : "–",
    ]),
  };
}

/** Lamps, commands per connection mode, runs. */
interface FanoutSizes {
  readonly count: number;
  readonly commands: number;
  readonly runs: number;
}

/** Every server once per run, burst then paced, the servers taking turns; the figures by server. */
async function measureRuns(
  servers: readonly FanoutServer[],
  { count, commands, runs }: FanoutSizes,
): Promise<{ results: Map<FanoutServer, RunFigures[]>; description: string }> {
  const swarm = await lampSwarmFactory();
  const results = new Map<FanoutServer, RunFigures[]>(servers.map((server) => [server, []]));
  for (let run = 0; run < runs; run++) {
    for (const server of servers) {
      const burst = await measureFanout(server, swarm.create(), count, "burst", commands);
      const paced = await measureFanout(server, swarm.create(), count, "paced", commands);
      results.get(server)!.push(figures(burst, paced));
    }
  }
  return { results, description: swarm.description };
}

/**
 * WebSocket lamps against TCP lamps: `flashlight serve` with its lamps on the web port's `/lamp`
 * beside the same stand with its lamps on the lamp port, with its default lamp workers and with
 * `--workers 1` (where the TCP lamps share the main thread with the WebSocket lamps), the C
 * server as a reference; every ratio is to the TCP lamps of the same stand in the same run.
 *
 * @param sizes Lamps, commands per connection mode, runs.
 * @returns The table, or none without a C compiler (only the C swarm speaks WebSocket).
 * @example
 * ```ts ignore
 * import { fanoutWebSocket } from "./fanout.ts";
 * const [table] = await fanoutWebSocket({ count: 1000, commands: 5, runs: 3 });
 * ```
 */
export async function fanoutWebSocket(sizes: FanoutSizes): Promise<Table[]> {
  const c = await cServer();
  if (!c) {
    console.error("SKIPPED: fanout-ws: WebSocket lamps need the C swarm (no C compiler)");
    return [];
  }
  const pairs = [undefined, 1].map((workers) => ({
    tcp: standServer(workers),
    websocket: standServer(workers, "websocket"),
  }));
  const servers = [c, ...pairs.flatMap(({ tcp, websocket }) => [tcp, websocket])];
  const { results, description } = await measureRuns(servers, sizes);
  const of = (server: FanoutServer, key: keyof RunFigures) =>
    results.get(server)!.map((figures) => figures[key]);
  const baseline = (server: FanoutServer) => pairs.find((pair) => pair.websocket === server)?.tcp;
  const beside = (server: FanoutServer, key: keyof RunFigures) => {
    const tcp = baseline(server);
    return tcp ? ratios(of(server, key), of(tcp, key)) : server === c ? "–" : "1.00x";
  };
  const n = sizes.count.toLocaleString("en");
  return [{
    title: `Fan-out to WebSocket lamps against TCP lamps: ${n} lamps on one stand (WebSocket: ` +
      `ws://…/lamp on its web port; TCP: its lamp port), one 6-byte command at a time; ` +
      `${sizes.runs} runs, the servers taking turns in each; per run the median of ` +
      `${2 * sizes.commands} commands over a burst-connected and a paced connection of the ` +
      `lamps; the median of the runs, then each run in order; ratios to the TCP lamps of the ` +
      `same stand, same run (${description})`,
    columns: [
      "server",
      "command → last lamp",
      "ratio to TCP lamps",
      "→ 99% of lamps",
      "server CPU per command",
      `${n} accepted + synced, burst`,
      "paced",
      "RSS per lamp connection",
      "ratio to TCP lamps",
    ],
    rows: servers.map((server) => [
      server.name,
      spread(of(server, "lastMs"), ms),
      beside(server, "lastMs"),
      ms(median(of(server, "p99Ms"))),
      ms(median(of(server, "cpuMs"))),
      spread(of(server, "burstMs").map((value) => value / 1000), seconds, 2),
      spread(of(server, "pacedMs").map((value) => value / 1000), seconds, 2),
      spread(of(server, "bytesPerLamp").map((value) => value / 1024), kb, 1),
      beside(server, "bytesPerLamp"),
    ]),
  }];
}
