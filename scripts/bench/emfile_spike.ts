/**
 * The fan-out candidates after running out of file descriptors: each server runs with a low
 * open-file limit, more lamps connect than it can hold (its accept fails with `Too many open
 * files`), then all of them leave and new lamps come. A server that recovers accepts the new
 * lamps; one whose listener gave up after the error accepts none, ever. This is the trade beside
 * the spikes' speed: `node:net` in Deno writes faster but, in Deno 2.9.6, stops accepting for good
 * after one EMFILE.
 *
 * @module
 */
import { BARE_DENO, contractServer, type FanoutServer } from "./fanout_servers.ts";
import { pause, type Table } from "./measure.ts";

const OPEN_FILES = 256;
const FIRST = 400;
const LATER = 100;

const SERVERS: FanoutServer[] = [
  contractServer(BARE_DENO.name, [
    Deno.execPath(),
    "run",
    "-A",
    "scripts/bench/deno_fanout_server.ts",
  ], OPEN_FILES),
  contractServer("Deno node:net server", [
    Deno.execPath(),
    "run",
    "-A",
    "scripts/bench/node_fanout_server.mjs",
  ], OPEN_FILES),
  contractServer("Node net server", ["node", "scripts/bench/node_fanout_server.mjs"], OPEN_FILES),
];

async function connectAll(port: number, count: number): Promise<Deno.TcpConn[]> {
  return await Promise.all(
    Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
}

/**
 * Runs the EMFILE check on each candidate.
 *
 * @returns The table.
 * @example
 * ```ts ignore
 * import { emfileSpike } from "./emfile_spike.ts";
 * const [table] = await emfileSpike();
 * ```
 */
export async function emfileSpike(): Promise<Table[]> {
  const rows: string[][] = [];
  for (const server of SERVERS) {
    const target = await server.start();
    try {
      await pause(1000); // past start-up: Deno 2.9.6 panics if EMFILE hits while it initializes
      const first = await connectAll(target.port, FIRST);
      await pause(1000);
      const [atLimit] = await target.connections();
      for (const conn of first) conn.close();
      await pause(1000);
      const [afterLeaving] = await target.connections();
      const later = await connectAll(target.port, LATER);
      await pause(1000);
      const [accepted] = await target.connections();
      for (const conn of later) conn.close();
      rows.push([server.name, String(atLimit), String(afterLeaving), `${accepted} of ${LATER}`]);
    } finally {
      await target.stop();
    }
  }
  return [{
    title: `After EMFILE: each server with \`ulimit -n ${OPEN_FILES}\`, ${FIRST} lamps connect, ` +
      `all leave, then ${LATER} new lamps connect (1 s between steps)`,
    columns: ["server", "lamps held at the limit", "after all left", "new lamps accepted"],
    rows,
  }];
}
