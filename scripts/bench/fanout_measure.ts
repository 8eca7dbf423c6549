/**
 * One fan-out measurement: start a server, connect raw lamps until every one is synced, then send
 * commands one at a time and time each until the last lamp has it.
 *
 * @module
 */
import type { FanoutServer } from "./fanout_servers.ts";
import type { ConnectMode, LampSwarm } from "./lamp_swarm.ts";
import { cpuMs, pause, procStatusBytes } from "./measure.ts";

/** What one server did with the lamps. */
export interface FanoutRun {
  /** From the first connect until every lamp had its 9-byte sync, ms. */
  readonly connectMs: number;
  /** Per command: until the last lamp had it, ms. */
  readonly lastMs: readonly number[];
  /** Per command: the 99th percentile over lamps, ms. */
  readonly p99Ms: readonly number[];
  /** RSS growth per lamp connection, bytes. */
  readonly bytesPerConnection: number;
  /** RSS before any lamp and with all of them, bytes. */
  readonly rss: { readonly before: number; readonly after: number };
  /** The server's CPU time per command, ms. */
  readonly cpuPerCommandMs: number;
  /** Lamps per acceptor, as the server counted them (empty when it cannot say). */
  readonly connections: readonly number[];
  /**
   * The most bytes any lamp had beyond a command's goal when the last lamp reached it, over the
   * commands: 0 unless a lamp counted more than was sent (or the stand's keep-alive came between).
   */
  readonly excessBytes: number;
}

const SYNC_BYTES = 9;
const FRAME_BYTES = 6;

/**
 * Measures one server with `count` raw lamps and `commands` commands.
 *
 * @param server The server.
 * @param swarm The lamps (not yet connected; closed when done).
 * @param count How many lamps.
 * @param mode How they connect.
 * @param commands How many commands to time, one after another.
 * @returns The figures.
 * @example
 * ```ts ignore
 * import { measureFanout } from "./fanout_measure.ts";
 * import { BARE_DENO } from "./fanout_servers.ts";
 * import { lampSwarmFactory } from "./lamp_swarm.ts";
 * const { create } = await lampSwarmFactory();
 * const run = await measureFanout(BARE_DENO, create(), 1000, "paced", 5);
 * ```
 */
export async function measureFanout(
  server: FanoutServer,
  swarm: LampSwarm,
  count: number,
  mode: ConnectMode,
  commands: number,
): Promise<FanoutRun> {
  const target = await server.start();
  try {
    await pause(300);
    const before = procStatusBytes(target.pid, "VmRSS");
    const connectMs = await swarm.connect({
      port: target.port,
      count,
      syncBytes: SYNC_BYTES,
      mode,
      websocket: target.websocket,
    });
    await pause(300);
    const after = procStatusBytes(target.pid, "VmRSS");
    const connections = await target.connections();
    const lastMs: number[] = [];
    const p99Ms: number[] = [];
    let excessBytes = 0;
    const cpuBefore = cpuMs(target.pid);
    for (let i = 0; i < commands; i++) {
      const goal = SYNC_BYTES + FRAME_BYTES * (i + 1);
      const arrival = await swarm.time(goal, () => target.send(i));
      p99Ms.push(arrival.p99Ms);
      lastMs.push(arrival.lastMs);
      excessBytes = Math.max(excessBytes, arrival.mostBytes - goal);
    }
    return {
      connectMs,
      lastMs,
      p99Ms,
      bytesPerConnection: (after - before) / count,
      rss: { before, after },
      cpuPerCommandMs: (cpuMs(target.pid) - cpuBefore) / commands,
      connections,
      excessBytes,
    };
  } finally {
    await swarm.close();
    await target.stop();
  }
}
