/**
 * When a lamp run from a script ends by itself, as mosquitto_sub's `-C` and `-W`: after N applied
 * commands, or after SEC seconds in which no command arrived.
 *
 * @module
 */
import type { DispatchListener } from "../commands/dispatcher.ts";
import { abortableSleep } from "../net/abortable_sleep.ts";

/** Why the lamp ended by itself. */
export type StopReason = "count" | "timeout";

/** What {@linkcode stopConditions} needs. */
export interface StopConditionOptions {
  /** End after this many applied commands (`-C`); none when absent. */
  readonly count?: number;
  /** End when no command was applied for this long, in ms (`-W`); none when absent. */
  readonly timeoutMs?: number;
  /** The per-frame callbacks of the output, which are wrapped. */
  readonly listener: DispatchListener;
  /** The clock in ms (default `performance.now`). */
  readonly now?: () => number;
  /** Waits, or less when the signal aborts (default: a timer). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The wrapped listener, and a promise that says when and why to stop. */
export interface StopConditions {
  /** The output's callbacks, counting commands; past the count nothing more is shown. */
  readonly listener: DispatchListener;
  /** Resolves with the reason once a condition is met; never when none is set. */
  readonly reached: Promise<StopReason>;
  /** Stops the timer. */
  cancel(): void;
}

/**
 * Watches the commands a lamp applies for `-C` and `-W`. With neither, the listener is returned
 * as it is and nothing is watched (a lamp that logs nothing per frame pays nothing per frame).
 *
 * @param options The count, the timeout, the output's listener, a clock and a sleep.
 * @returns The listener to give the client, and when to stop.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stopConditions } from "./stop_conditions.ts";
 * import { COLOR } from "../commands/color.ts";
 * const shown: unknown[] = [];
 * const stop = stopConditions({ count: 2, listener: { onApplied: (_, args) => shown.push(args) } });
 * for (const color of [1, 2, 3]) stop.listener.onApplied!(COLOR, color, []);
 * assertEquals([await stop.reached, shown], ["count", [1, 2]]);
 * ```
 */
export function stopConditions(options: StopConditionOptions): StopConditions {
  const { count, timeoutMs, listener } = options;
  if (count === undefined && timeoutMs === undefined) {
    return { listener, reached: new Promise(() => {}), cancel: () => {} };
  }
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const { promise: reached, resolve } = Promise.withResolvers<StopReason>();
  const stop = new AbortController();
  let applied = 0;
  let lastAt = now();
  const shown = listener.onApplied;
  const onApplied: DispatchListener["onApplied"] = (command, args, values) => {
    if (count !== undefined && applied >= count) return; // past the count: not shown
    applied++;
    lastAt = now();
    shown?.(command, args, values);
    if (applied === count) resolve("count");
  };
  if (timeoutMs !== undefined) {
    (async () => {
      while (!stop.signal.aborted) {
        const left = lastAt + timeoutMs - now();
        if (left <= 0) return resolve("timeout");
        await sleep(left, stop.signal);
      }
    })();
  }
  return {
    listener: { ...listener, onApplied },
    reached,
    cancel: () => stop.abort(),
  };
}
