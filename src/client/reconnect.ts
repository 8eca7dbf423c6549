/**
 * The reconnect wrapper: turns one-connection sessions into a lamp that keeps trying, with the
 * backoff policy and the address list (failover). It knows nothing of sockets: give it any
 * `attempt` function, a clock and a sleep, and it can be tested without a network.
 *
 * @module
 */
import { abortableSleep } from "../net/abortable_sleep.ts";
import { type Address, formatAddress } from "../net/address.ts";
import type { LampEvent } from "./lamp_event.ts";
import type { SessionEnd } from "./lamp_session.ts";

/** When to retry, and what counts as a good connection. */
export interface ReconnectPolicy {
  /** The delay before retry `attempt` (0-based since the last healthy connection). */
  readonly backoff: (attempt: number) => number;
  /**
   * A connection is healthy once it applied a frame and stayed up this long; only then does the
   * backoff start again from 0 on the same address. Anything less moves on to the next address.
   */
  readonly healthyAfterMs: number;
  /**
   * `unreachable` is reported once every address has failed in a row (since the last healthy
   * connection), then again after this long while no connection is healthy.
   */
  readonly unreachableEveryMs: number;
}

/** One connection attempt: dial `address`, call `connected` once up, resolve when it ended. */
export type Attempt = (address: Address, connected: () => void) => Promise<SessionEnd>;

/** What {@linkcode reconnecting} needs. */
export interface ReconnectOptions {
  /** The servers, tried in order. */
  readonly addresses: readonly Address[];
  /** The policy. */
  readonly policy: ReconnectPolicy;
  /** Stops the loop (a pending wait ends at once). */
  readonly signal: AbortSignal;
  /** Receives every lifecycle event, in order. */
  readonly onEvent: (event: LampEvent) => void;
  /** The clock in ms (default `performance.now`). */
  readonly now?: () => number;
  /** Waits, or less when the signal aborts (default: a timer). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt` again and again until the signal aborts: after a healthy connection the same
 * address with a fresh backoff, after anything else the next address with a growing delay.
 *
 * @param attempt Runs one session.
 * @param options Addresses, policy, events, clock.
 * @returns Resolves once stopped; rejects when an attempt throws (a bug, not a network failure).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { reconnecting } from "./reconnect.ts";
 * const stop = new AbortController();
 * const tried: number[] = [];
 * await reconnecting((address) => {
 *   tried.push(address.port);
 *   if (tried.length === 3) stop.abort();
 *   return Promise.resolve({ connected: false, applied: 0, upMs: 0, reason: "connection refused" });
 * }, {
 *   addresses: [{ hostname: "a", port: 1 }, { hostname: "b", port: 2 }],
 *   policy: { backoff: () => 0, healthyAfterMs: 1000, unreachableEveryMs: 60_000 },
 *   signal: stop.signal,
 *   onEvent: () => {},
 * });
 * assertEquals(tried, [1, 2, 1]);
 * ```
 */
export async function reconnecting(attempt: Attempt, options: ReconnectOptions): Promise<void> {
  const { addresses, policy, signal, onEvent } = options;
  if (addresses.length === 0) throw new RangeError("reconnecting needs at least one address");
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  let retry = 0;
  let index = 0;
  let failures = 0;
  let failingSince = 0;
  let reportedAt = -Infinity;
  while (!signal.aborted) {
    const address = formatAddress(addresses[index % addresses.length]);
    onEvent({ event: "connecting", address });
    const end = await attempt(
      addresses[index % addresses.length],
      () => onEvent({ event: "connected", address }),
    );
    if (signal.aborted) break;
    onEvent({
      event: end.connected ? "disconnected" : "connect_failed",
      address,
      reason: end.reason,
    });
    if (end.connected && end.applied > 0 && end.upMs >= policy.healthyAfterMs) {
      retry = 0;
      failures = 0;
    } else {
      index++;
      if (failures++ === 0) failingSince = now();
      // One address failed over to the next is no outage: only a whole round of failures is.
      const everyAddressFailed = failures >= addresses.length;
      if (
        everyAddressFailed &&
        (failures === addresses.length || now() - reportedAt >= policy.unreachableEveryMs)
      ) {
        reportedAt = now();
        const since_s = Math.round((reportedAt - failingSince) / 1000);
        onEvent({ event: "unreachable", address, reason: end.reason, attempts: failures, since_s });
      }
    }
    const delay = policy.backoff(retry++);
    const next = formatAddress(addresses[index % addresses.length]);
    onEvent({ event: "retry", address, next, delay_ms: delay, attempt: retry });
    await sleep(delay, signal);
  }
}
