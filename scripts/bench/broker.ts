/**
 * Part 8: commands through Redis to lamps on two stand instances against the in-process stand,
 * in the same run: latency (API → every lamp applied, p50/p99) and commands per second
 * (many requests in flight until every lamp applied every command).
 *
 * @module
 */
import { LampClient } from "../../src/client/lamp_client.ts";
import { AppliedCount } from "./applied_count.ts";
import { RedisServer } from "../support/redis_server.ts";
import { postCommand, type ServeProcess, startServeProcess } from "../support/serve_process.ts";
import { benchStand, percentile, ratio, type Row } from "./measure.ts";

interface FleetResult {
  latencies: number[];
  perSecond: number;
}

async function measure(
  stands: readonly ServeProcess[],
  lampsPerStand: number,
  commands: number,
): Promise<FleetResult> {
  const count = new AppliedCount();
  const lamps = stands.flatMap((stand) =>
    Array.from(
      { length: lampsPerStand },
      () =>
        new LampClient({
          addresses: [{ hostname: "127.0.0.1", port: stand.ports.lamps }],
          onApplied: count.onApplied,
        }),
    )
  );
  const total = lamps.length;
  await count.more(total * 2); // the sync frames: COLOR and OFF
  const color = (i: number) => ({
    method: "message",
    params: { command: "COLOR", value: (0x100000 + i).toString(16) },
  });
  const latencies: number[] = [];
  for (let i = 0; i < commands; i++) {
    const started = performance.now();
    const done = count.more(total);
    await postCommand(stands[0].ports.api, color(i));
    await done;
    latencies.push(performance.now() - started);
  }
  const burst = commands * 2;
  const started = performance.now();
  const done = count.more(total * burst);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < burst) await postCommand(stands[next % stands.length].ports.api, color(next++));
  }));
  await done;
  const perSecond = burst / ((performance.now() - started) / 1000);
  await Promise.all(lamps.map((lamp) => lamp.close()));
  return { latencies, perSecond };
}

/**
 * Runs part 8.
 * @param lampsPerStand Lamps on each instance.
 * @param commands Commands for the latency figures (twice as many for the rate).
 * @returns The rows.
 */
export async function brokerBench(lampsPerStand: number, commands: number): Promise<Row[]> {
  const single = await startServeProcess(benchStand());
  const local = await measure([single], lampsPerStand * 2, commands);
  await single.stand.stop("SIGTERM");

  const redis = await RedisServer.start();
  const fleet = await Promise.all(
    [0, 1].map(() => startServeProcess(benchStand(`--broker=${redis.url}`))),
  );
  const viaRedis = await measure(fleet, lampsPerStand, commands);
  await Promise.all(fleet.map(({ stand }) => stand.stop("SIGTERM")));
  await redis.stop();

  const lamps = lampsPerStand * 2;
  return [
    ...[50, 99].map((p) => ({
      name: `Redis, 2 instances × ${lampsPerStand} lamps: API → all ${lamps} applied, p${p}`,
      value: `${percentile(viaRedis.latencies, p).toFixed(2)} ms`,
      baseline: `${
        percentile(local.latencies, p).toFixed(2)
      } ms (in process, 1 instance × ${lamps})`,
      ratio: ratio(percentile(viaRedis.latencies, p), percentile(local.latencies, p)),
    })),
    {
      name: `Redis, 2 instances: commands/s applied by all ${lamps} lamps (16 requests in flight)`,
      value: Math.round(viaRedis.perSecond).toLocaleString("en"),
      baseline: `${Math.round(local.perSecond).toLocaleString("en")} (in process)`,
      ratio: ratio(viaRedis.perSecond, local.perSecond),
    },
  ];
}
