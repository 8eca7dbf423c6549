/**
 * Part 4, fan-out: many raw lamps (default 10,000) on one server, `flashlight serve` beside the C
 * epoll server, Node's `net` and a bare Deno `conn.write` server, in the same run. Each server is
 * run twice, once with the lamps connecting in a burst and once paced (see `lamp_swarm.ts`); the
 * commands of both runs give the median time until the last lamp has one command. Memory per lamp
 * connection is beside the bare Deno server's, which only accepts and keeps one read pending.
 *
 * @module
 */
import { type FanoutRun, measureFanout } from "./fanout_measure.ts";
import { BARE_DENO, cServer, type FanoutServer, NODE_NET, standServer } from "./fanout_servers.ts";
import { lampSwarmFactory } from "./lamp_swarm.ts";
import { median, ratio, type Table } from "./measure.ts";

const ms = (value: number) => `${value.toFixed(0)} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Runs part 4.
 *
 * @param count How many lamps.
 * @param commands How many commands to time per run (two runs per server).
 * @returns The table.
 * @example
 * ```ts ignore
 * import { fanout } from "./fanout.ts";
 * const [table] = await fanout(1000, 5);
 * ```
 */
export async function fanout(count: number, commands: number): Promise<Table[]> {
  const c = await cServer();
  const servers: FanoutServer[] = [...(c ? [c] : []), NODE_NET, BARE_DENO, standServer()];
  const swarm = await lampSwarmFactory();
  const runs = new Map<FanoutServer, { burst: FanoutRun; paced: FanoutRun }>();
  for (const server of servers) {
    const burst = await measureFanout(server, swarm.create(), count, "burst", commands);
    const paced = await measureFanout(server, swarm.create(), count, "paced", commands);
    runs.set(server, { burst, paced });
  }
  const last = (server: FanoutServer) => {
    const { burst, paced } = runs.get(server)!;
    return median([...burst.lastMs, ...paced.lastMs]);
  };
  const bare = runs.get(BARE_DENO)!.paced.bytesPerConnection;
  const n = count.toLocaleString("en");
  return [{
    title: `Fan-out: ${n} lamps on one server, one 6-byte command at a time (median of ${
      2 * commands
    } commands over a burst-connected and a paced run; ${swarm.description})`,
    columns: [
      "server",
      "command → last lamp",
      "ratio to C",
      "→ 99% of lamps",
      "server CPU per command",
      `${n} accepted + synced, burst`,
      "paced",
      "RSS per lamp connection",
      "ratio to bare accept-and-read Deno",
    ],
    rows: servers.map((server) => {
      const { burst, paced } = runs.get(server)!;
      return [
        server.name,
        ms(last(server)),
        c ? ratio(last(server), last(c)) : "–",
        ms(median([...burst.p99Ms, ...paced.p99Ms])),
        ms((burst.cpuPerCommandMs + paced.cpuPerCommandMs) / 2),
        seconds(burst.connectMs),
        seconds(paced.connectMs),
        kb(paced.bytesPerConnection),
        ratio(paced.bytesPerConnection, bare),
      ];
    }),
  }];
}
