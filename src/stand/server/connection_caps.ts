/**
 * How many connections each stand port may hold, derived from the descriptors there are: lamps
 * get most, the API and the page a few, and a reserve stays free so the API and the page can
 * always accept. Pure; every default is here.
 *
 * @module
 */
import type { FdLimits } from "./fd_limits.ts";

/** Connection caps per port. */
export interface ConnectionCaps {
  /** Lamps connected at once. */
  readonly lamps: number;
  /** API connections open at once. */
  readonly api: number;
  /** Page connections (WebSockets included) open at once. */
  readonly web: number;
}

/** Caps when the limit cannot be read: room for a large fleet, a modest API and page. */
export const UNKNOWN_LIMIT_CAPS: ConnectionCaps = { lamps: 16_384, api: 256, web: 256 };

/** Descriptors a stand uses besides connections (runtime, stdio, listeners, broker), at least. */
const BASELINE = 48;

/**
 * Caps for a number of descriptors free for connections: the API and the page get 1/16 each
 * (8 to 4,096), lamps the rest.
 *
 * @param budget Descriptors connections may use.
 * @returns The caps.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { capsForBudget } from "./connection_caps.ts";
 * assertEquals(capsForBudget(800), { lamps: 700, api: 50, web: 50 });
 * ```
 */
export function capsForBudget(budget: number): ConnectionCaps {
  const http = Math.max(8, Math.min(4096, Math.floor(budget / 16)));
  return { lamps: Math.max(0, Math.floor(budget) - 2 * http), api: http, web: http };
}

/**
 * The default caps for an open-file limit: a reserve of 5% (at least 48 descriptors) is kept
 * free, and the rest shared out by {@linkcode capsForBudget}. With no limit known, the caps of
 * {@linkcode UNKNOWN_LIMIT_CAPS}.
 *
 * @param limits The effective limits, or `null` when unknown.
 * @returns The caps.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defaultConnectionCaps } from "./connection_caps.ts";
 * assertEquals(defaultConnectionCaps({ soft: 1024, hard: 4096 }), { lamps: 853, api: 60, web: 60 });
 * ```
 */
export function defaultConnectionCaps(limits: FdLimits | null): ConnectionCaps {
  if (limits === null || !Number.isFinite(limits.soft)) return UNKNOWN_LIMIT_CAPS;
  const reserve = Math.max(BASELINE, Math.floor(limits.soft * 0.05));
  return capsForBudget(Math.max(0, limits.soft - reserve));
}

/**
 * Caps after the process ran out of descriptors with `open` connections open on each port:
 * their sum fits, less a margin for the descriptors a refusal or the broker needs meanwhile.
 * Never higher than `current`, and the lamp cap never below the lamps connected: a flood on
 * the API or the page must not cost working lamps their connection.
 *
 * @param open Connections open on each port when accepting failed.
 * @param current The caps in force.
 * @returns The lowered caps.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { capsAfterExhaustion } from "./connection_caps.ts";
 * const caps = capsAfterExhaustion(
 *   { lamps: 100, api: 58, web: 58 },
 *   { lamps: 16384, api: 256, web: 256 },
 * );
 * assertEquals(caps, { lamps: 171, api: 12, web: 12 });
 * ```
 */
export function capsAfterExhaustion(open: ConnectionCaps, current: ConnectionCaps): ConnectionCaps {
  const total = open.lamps + open.api + open.web;
  const margin = Math.max(16, Math.floor(total * 0.1));
  const learned = capsForBudget(Math.max(0, total - margin));
  return {
    lamps: Math.min(current.lamps, Math.max(learned.lamps, open.lamps)),
    api: Math.min(current.api, learned.api),
    web: Math.min(current.web, learned.web),
  };
}
