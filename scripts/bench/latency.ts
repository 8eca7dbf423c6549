/**
 * Part 3: API request → every lamp has applied the state, p50/p99 over many commands, with
 * 1, 100 and 1,000 real `LampClient`s connected to a stand process.
 *
 * @module
 */
import { LampClient } from "../../src/client/lamp_client.ts";
import { AppliedCount } from "./applied_count.ts";
import { postCommand, startServeProcess } from "../support/serve_process.ts";
import { benchStand, percentile, type Row } from "./measure.ts";

/**
 * Measures one lamp count.
 * @param lampCount How many lamps.
 * @param commands How many commands.
 * @returns Latencies in ms, one per command.
 */
async function measure(lampCount: number, commands: number): Promise<number[]> {
  const { stand, ports } = await startServeProcess(benchStand());
  const count = new AppliedCount();
  const lamps = Array.from(
    { length: lampCount },
    () =>
      new LampClient({
        addresses: [{ hostname: "127.0.0.1", port: ports.lamps }],
        onApplied: count.onApplied,
      }),
  );
  await count.more(lampCount * 2); // the sync frames: COLOR and OFF
  const latencies: number[] = [];
  for (let i = 0; i < commands; i++) {
    const value = (i * 2654435761 >>> 8).toString(16).padStart(6, "0").slice(-6);
    const started = performance.now();
    const done = count.more(lampCount);
    await postCommand(ports.api, { method: "message", params: { command: "COLOR", value } });
    await done;
    latencies.push(performance.now() - started);
  }
  await Promise.all(lamps.map((lamp) => lamp.close()));
  await stand.stop("SIGTERM");
  return latencies;
}

/**
 * Runs part 3.
 * @param commands Commands per lamp count.
 * @param counts Lamp counts.
 * @returns The rows (the 1-lamp figures are the baseline).
 */
export async function latency(commands: number, counts: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  let base: number[] | null = null;
  for (const count of counts) {
    const ms = await measure(count, commands);
    base ??= ms;
    for (const p of [50, 99]) {
      rows.push({
        name: `API → all ${count} lamp(s) applied, p${p} over ${commands} commands`,
        value: `${percentile(ms, p).toFixed(2)} ms`,
        baseline: `${percentile(base, p).toFixed(2)} ms (1 lamp)`,
        ratio: `${(percentile(ms, p) / percentile(base, p)).toFixed(2)}x`,
      });
    }
  }
  return rows;
}
