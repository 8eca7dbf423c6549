/**
 * Part 5: reconnect storm. Many `LampClient`s lose their stand (SIGTERM) and a new stand takes
 * the same port: how long until all are back, and the most connection attempts in any 100 ms
 * window — with the real backoff (full jitter) against the same backoff without jitter.
 *
 * @module
 */
import { LampClient } from "../../src/client/lamp_client.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../../src/net/backoff.ts";
import { benchStand, ratio, type Row } from "./measure.ts";
import { restartablePort } from "../support/restartable_port.ts";
import { startServeProcess } from "../support/serve_process.ts";

interface StormResult {
  backMs: number;
  peakPer100ms: number;
}

async function storm(count: number, random: () => number): Promise<StormResult> {
  const port = restartablePort(); // the second stand takes the same port
  let { stand } = await startServeProcess({ ...benchStand(), lampPort: port });
  const attempts: number[] = [];
  let connected = 0;
  let everyoneBack: (() => void) | null = null;
  const lamps = Array.from({ length: count }, () =>
    new LampClient({
      addresses: [{ hostname: "127.0.0.1", port }],
      backoff: (attempt) => backoffDelay(attempt, random, DEFAULT_BACKOFF),
      onEvent: (event) => {
        if (event.event === "connecting") attempts.push(performance.now());
        if (event.event === "connected" && ++connected === count) everyoneBack?.();
        if (event.event === "disconnected") connected = Math.max(0, connected - 1);
      },
    }));
  await new Promise<void>((resolve) => connected === count ? resolve() : everyoneBack = resolve);
  attempts.length = 0;
  connected = 0;
  const killedAt = performance.now();
  await stand.stop("SIGTERM");
  ({ stand } = await startServeProcess({ ...benchStand(), lampPort: port }));
  const back = new Promise<void>((resolve) =>
    connected === count ? resolve() : everyoneBack = resolve
  );
  await back;
  const backMs = performance.now() - killedAt;
  const windows = new Map<number, number>();
  for (const at of attempts) {
    const window = Math.floor((at - killedAt) / 100);
    windows.set(window, (windows.get(window) ?? 0) + 1);
  }
  await Promise.all(lamps.map((lamp) => lamp.close()));
  await stand.stop("SIGTERM");
  return { backMs, peakPer100ms: Math.max(...windows.values()) };
}

/**
 * Runs part 5.
 * @param count How many lamps.
 * @returns The rows.
 */
export async function reconnectStorm(count: number): Promise<Row[]> {
  const jittered = await storm(count, Math.random);
  const unjittered = await storm(count, () => 1);
  return [
    {
      name: `reconnect storm, ${count} lamps, stand restarted: all back after`,
      value: `${(jittered.backMs / 1000).toFixed(2)} s`,
      baseline: `${(unjittered.backMs / 1000).toFixed(2)} s (same backoff, no jitter)`,
      ratio: ratio(jittered.backMs, unjittered.backMs),
    },
    {
      name: `reconnect storm: most connection attempts in any 100 ms`,
      value: String(jittered.peakPer100ms),
      baseline: `${unjittered.peakPer100ms} (no jitter)`,
      ratio: ratio(jittered.peakPer100ms, unjittered.peakPer100ms),
    },
  ];
}
