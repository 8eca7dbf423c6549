/**
 * The reconnect delay: exponential growth, a cap, and full jitter. Pure.
 *
 * @module
 */

/** Tuning of {@linkcode backoffDelay}. */
export interface BackoffPolicy {
  /** Upper bound of the first delay, in ms. */
  readonly initialMs: number;
  /** The cap on every delay, in ms. */
  readonly maxMs: number;
  /** The least delay, in ms, so a server that accepts and closes at once cannot cause a tight loop. */
  readonly minMs: number;
}

/** Defaults: first retry within 0.5 s, doubling, capped at 5 s, never sooner than 50 ms. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 5000, minMs: 50 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): a uniformly random time
 * between `minMs` and `min(maxMs, initialMs * 2^attempt)` ("full jitter", so many lamps that
 * lost the same server spread out).
 *
 * @param attempt How many retries came before this one since the last good connection.
 * @param random A source of numbers in [0, 1), e.g. `Math.random`.
 * @param policy The bounds.
 * @returns The delay in whole ms.
 * @example
 * ```ts
 * import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
 * backoffDelay(0, () => 0.999, DEFAULT_BACKOFF); // 500
 * backoffDelay(10, () => 0.999, DEFAULT_BACKOFF); // 4995 (capped at 5000)
 * ```
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(policy.minMs, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}
