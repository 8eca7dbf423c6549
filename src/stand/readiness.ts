/**
 * Whether a stand can take commands now, and if not, why, in current words (for `GET /readyz`).
 * Pure.
 *
 * @module
 */
import type { BrokerStatus } from "./broker/broker.ts";

/** Ready, or not with the reason. */
export type Readiness = { readonly ready: true } | {
  readonly ready: false;
  readonly reason: string;
};

/**
 * Reads readiness off the broker's status: connected, taking writes, and caught up.
 *
 * @param status The broker's status.
 * @returns Ready, or why not.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readiness } from "./readiness.ts";
 * const counters = {
 *   delivered: 0, skipped_messages: 0, skipped_state_entries: 0, gaps: 0, gap_entries: 0,
 *   state_restores: 0,
 * };
 * const down = {
 *   kind: "redis", connected: false, caught_up: false, lag: 0, url: "redis://r:6379/0",
 *   error: "connection refused", counters,
 * } as const;
 * assertEquals(readiness(down), {
 *   ready: false,
 *   reason: "broker redis://r:6379/0 not connected: connection refused",
 * });
 * assertEquals(readiness({ ...down, connected: true, caught_up: true, error: undefined }), {
 *   ready: true,
 * });
 * ```
 */
export function readiness(status: BrokerStatus): Readiness {
  const broker = `broker ${status.url ?? status.kind}`;
  if (!status.connected) {
    return { ready: false, reason: `${broker} not connected: ${status.error ?? "unknown"}` };
  }
  if (status.error) return { ready: false, reason: `${broker}: ${status.error}` };
  if (!status.caught_up) {
    return { ready: false, reason: `catching up: ${status.lag} commands not yet delivered` };
  }
  return { ready: true };
}
