/**
 * The fleet view from the instances' heartbeat entries: live ones summed, malformed ones left
 * out and named. Pure.
 *
 * @module
 */
import type { FleetCounts } from "./broker.ts";
import { quoteWireText } from "./wire_text.ts";

const MOST_NAMED = 20;

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Sums heartbeat entries: each value is `{"lamps": N, "browsers": N}`; an expired one (`null`)
 * is not counted, a malformed one is skipped and named.
 *
 * @param entries Instance id and heartbeat value (`null` when it expired meanwhile).
 * @returns Instances, lamps and browsers over the well-formed entries, and the skipped ids.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sumHeartbeats } from "./fleet_counts.ts";
 * const fleet = sumHeartbeats([["a", '{"lamps":2,"browsers":1}'], ["b", "garbage"], ["c", null]]);
 * assertEquals(fleet, { instances: 1, lamps: 2, browsers: 1, skipped: ['"b"'] });
 * ```
 */
export function sumHeartbeats(entries: readonly [string, unknown][]): FleetCounts {
  let instances = 0;
  let lamps = 0;
  let browsers = 0;
  const skipped: string[] = [];
  for (const [id, value] of entries) {
    if (value === null) continue;
    let parsed: { lamps?: unknown; browsers?: unknown } | undefined;
    try {
      parsed = typeof value === "string" && value.length <= 200 ? JSON.parse(value) : undefined;
    } catch {
      parsed = undefined;
    }
    const counts = typeof parsed === "object" && parsed !== null
      ? [count(parsed.lamps), count(parsed.browsers)]
      : [];
    if (counts[0] === undefined || counts[1] === undefined) {
      if (skipped.length < MOST_NAMED) skipped.push(quoteWireText(id, 40));
      continue;
    }
    instances++;
    lamps += counts[0];
    browsers += counts[1];
  }
  return { instances, lamps, browsers, skipped };
}
