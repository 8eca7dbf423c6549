/**
 * Open-file limits and the connection caps derived from them; the guard that logs refusals at a
 * bounded rate and lowers the caps when the process runs out of descriptors.
 */
import { assert, assertEquals } from "@std/assert";
import type { LogRecord } from "../src/log/log_line.ts";
import { ConnectionGuard } from "../src/stand/connection_guard.ts";
import {
  capsAfterExhaustion,
  capsForBudget,
  defaultConnectionCaps,
  UNKNOWN_LIMIT_CAPS,
} from "../src/stand/server/connection_caps.ts";
import { parseProcLimits, readFdLimits } from "../src/stand/server/fd_limits.ts";

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("parseProcLimits reads Max open files, unlimited included, and nothing else", () => {
  assertEquals(parseProcLimits(PROC_LIMITS), { soft: 1024, hard: 524288 });
  assertEquals(
    parseProcLimits("Max open files            unlimited            unlimited            files\n"),
    { soft: Infinity, hard: Infinity },
  );
  assertEquals(parseProcLimits("Max cpu time unlimited unlimited seconds\n"), null);
  assertEquals(parseProcLimits("Max open files lots\n"), null);
});

Deno.test("readFdLimits reads this process's limits on Linux (the test runs with -A)", () => {
  const limits = readFdLimits();
  if (Deno.build.os !== "linux") return assertEquals(limits, null);
  const text = Deno.readTextFileSync("/proc/self/limits");
  assertEquals(limits, parseProcLimits(text));
  assert(
    limits !== null && limits.soft === limits.hard,
    "Deno raised the soft limit to the hard one",
  );
});

Deno.test("default caps: lamps high, API and page low, a reserve of at least 48 kept free", () => {
  const cases: [number, { lamps: number; api: number; web: number }][] = [
    [256, { lamps: 182, api: 13, web: 13 }],
    [1024, { lamps: 853, api: 60, web: 60 }],
    [20_000, { lamps: 16626, api: 1187, web: 1187 }],
    [1 << 20, { lamps: 987_956, api: 4096, web: 4096 }],
  ];
  for (const [soft, caps] of cases) {
    assertEquals(defaultConnectionCaps({ soft, hard: soft }), caps, String(soft));
    const reserve = soft - caps.lamps - caps.api - caps.web;
    assert(reserve >= 48 && reserve >= soft * 0.05 - 1, `reserve ${reserve} of ${soft}`);
  }
  assertEquals(defaultConnectionCaps(null), UNKNOWN_LIMIT_CAPS);
  assertEquals(defaultConnectionCaps({ soft: Infinity, hard: Infinity }), UNKNOWN_LIMIT_CAPS);
  assertEquals(capsForBudget(0), { lamps: 0, api: 8, web: 8 });
});

Deno.test("caps after running out of descriptors: what fit, less a margin, never raised", () => {
  const open = (lamps: number, http: number) => ({ lamps, api: http, web: http });
  assertEquals(capsAfterExhaustion(open(100, 58), UNKNOWN_LIMIT_CAPS), {
    lamps: 171,
    api: 12,
    web: 12,
  });
  const low = { lamps: 50, api: 4, web: 4 };
  assertEquals(capsAfterExhaustion(open(9_000, 500), low), low);
  // a later exhaustion, the HTTP ports at their lowered caps, left 92 for 100
  // lamps (4 dropped, new lamps refused while the API's flood held the descriptors)
  assertEquals(capsAfterExhaustion(open(100, 12), { lamps: 171, api: 12, web: 12 }), {
    lamps: 100,
    api: 8,
    web: 8,
  });
});

/** A guard over two fake ports whose caps it may change. */
function guarded() {
  const records: LogRecord[] = [];
  const guard = new ConnectionGuard(null, UNKNOWN_LIMIT_CAPS, (record) => records.push(record));
  const lamps = { connections: 100, maxConnections: UNKNOWN_LIMIT_CAPS.lamps };
  const api = { connections: 216 - 100, maxConnections: UNKNOWN_LIMIT_CAPS.api };
  guard.watch("lamps", lamps);
  guard.watch("api", api);
  return { guard, records, lamps, api };
}

Deno.test("the guard logs the limits, then refusals at most once a second with their count", () => {
  const { guard, records } = guarded();
  guard.logLimits();
  const refused = guard.refused("api");
  for (let total = 1; total <= 500; total++) refused(total);
  assertEquals(records.length, 2, "one line at once, the rest counted");
  guard.close();
  assertEquals(records.map((r) => [r.event, r.count ?? "-", r.total ?? "-"]), [
    ["limits", "-", "-"],
    ["connections_refused", 1, 1],
    ["connections_refused", 499, 500],
  ]);
  assertEquals(records[0], {
    event: "limits",
    open_files_soft: "unknown",
    open_files_hard: "unknown",
    max_lamps: 16384,
    max_api: 256,
    max_web: 256,
  });
});

Deno.test("EMFILE lowers the caps of every port to what fit and logs the new limits; a reset does not", () => {
  const { guard, records, lamps, api } = guarded();
  const onError = guard.acceptError("api");
  onError(new Deno.errors.ConnectionReset("reset"), "peer", 0);
  assertEquals([lamps.maxConnections, api.maxConnections], [16384, 256]);
  const emfile = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
  onError(emfile, "exhausted", 10);
  onError(emfile, "exhausted", 20);
  assertEquals([lamps.maxConnections, api.maxConnections], [171, 12]);
  assertEquals(guard.caps, { lamps: 171, api: 12, web: 12 });
  guard.close();
  const lowered = records.filter((r) => r.event === "limits");
  assertEquals(lowered, [{
    event: "limits",
    reason: "out of file descriptors",
    open_connections: 216,
    max_lamps: 171,
    max_api: 12,
    max_web: 12,
  }]);
});
