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

// ---- floods (failing-first drafts) ----
import { isCommand, startTestLamp, type TestLamp } from "./support/test_lamp.ts";
import { postCommand, startServeProcess } from "../scripts/support/serve_process.ts";
import { RawClient } from "./support/raw_http.ts";
import { openRawWebSocket } from "./support/raw_websocket.ts";
import { startTestStand } from "./support/test_stand.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";

async function idle(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}
function lamp(port: number): TestLamp {
  return startTestLamp(port, { policy: { backoff: () => 20 } });
}
async function statusOf(url: string): Promise<number> {
  const response = await fetch(url);
  await response.body?.cancel();
  return response.status;
}
const ON = { method: "message", params: { command: "ON" } };

for (const openFiles of [256, 1024]) {
  Deno.test(`under ulimit -n ${openFiles}, ${openFiles + 200} idle connections to the lamp port take only the lamps' budget`, async () => {
    const { stand, ports } = await startServeProcess({ openFiles, args: ["--workers=1"] });
    const lamps = Array.from({ length: 5 }, () => lamp(ports.lamps));
    const flood: Deno.Conn[] = [];
    try {
      for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
      flood.push(...await idle(ports.lamps, openFiles + 200));
      const first = JSON.parse(
        await stand.waitForLine((line) => /"event":"(connections_refused|accept_error)"/.test(line)),
      );
      assertEquals([first.event, first.service], ["connections_refused", "lamps"]);
      assertEquals(await statusOf(`http://127.0.0.1:${ports.api}/status`), 200);
      assertEquals(await statusOf(`http://127.0.0.1:${ports.web}/`), 200);
      assertEquals(await postCommand(ports.api, ON), 200);
      for (const { events } of lamps) await events.next(isCommand("ON"), 0);
      const late = await Deno.connect({ hostname: "127.0.0.1", port: ports.lamps });
      assertEquals(await readUntilEnd(late), "eof", "a lamp over the budget is refused at once");
      assert(!stand.lines.some((line) => line.includes('"accept_error"')), "no descriptor ran out");
    } finally {
      for (const conn of flood) closeQuietly(conn);
      await Promise.all(lamps.map(({ client }) => client.close()));
    }
    const { code, stderr } = await stand.stop("SIGTERM");
    assertEquals(code, 0, stderr);
  });
}

Deno.test("with two lamp workers under ulimit -n 256, floods on every port, twice, drop no lamp; then 20 new lamps are served", async () => {
  const { stand, ports } = await startServeProcess({ openFiles: 256, args: ["--workers=2"] });
  const lamps = Array.from({ length: 10 }, () => lamp(ports.lamps));
  const late: TestLamp[] = [];
  try {
    for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
    for (const command of ["ON", "OFF"]) {
      const flood = [
        ...await idle(ports.lamps, 456),
        ...await idle(ports.api, 300),
        ...await idle(ports.web, 300),
      ];
      const first = JSON.parse(
        await stand.waitForLine((line) => /"event":"(connections_refused|accept_error)"/.test(line)),
      );
      assertEquals(first.event, "connections_refused", "no descriptor ran out");
      assertEquals(await postCommand(ports.api, { method: "message", params: { command } }), 200);
      for (const { events } of lamps) await events.next(isCommand(command), 0);
      for (const conn of flood) closeQuietly(conn);
    }
    late.push(...Array.from({ length: 20 }, () => lamp(ports.lamps)));
    for (const { events } of late) await events.next(isCommand("OFF"), 0);
    for (const { events } of lamps) {
      assertEquals(events.events.filter((e) => e.event === "connected").length, 1, "never dropped");
    }
    assert(!stand.lines.some((line) => line.includes("lamp_dropped")), "no lamp dropped");
    assert(!stand.lines.some((line) => line.includes("out of file descriptors")));
  } finally {
    await Promise.all([...lamps, ...late].map(({ client }) => client.close()));
  }
  const { code, stderr } = await stand.stop("SIGTERM");
  assertEquals(code, 0, stderr);
});

/** `count` POSTs held open at once (each waits for its `100 Continue`), then finished: how many were answered 200. */
async function heldPosts(port: number, count: number): Promise<number> {
  const body = JSON.stringify(ON);
  const clients = await Promise.all(Array.from({ length: count }, () => RawClient.connect(port)));
  try {
    await Promise.all(clients.map((client) =>
      client.send(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nExpect: 100-continue\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      ).catch(() => {})
    ));
    const held = await Promise.all(clients.map(async (client) => {
      const text = await client.readUntil((text) => text.includes("100 Continue"));
      return text.includes("100 Continue");
    }));
    await Promise.all(clients.map((client, i) => held[i] ? client.send(body) : undefined));
    const answers = await Promise.all(clients.map((client, i) => held[i] ? client.readToEnd() : ""));
    return answers.filter((text) => /HTTP\/1\.1 200 /.test(text)).length;
  } finally {
    for (const client of clients) client.close();
  }
}

Deno.test("under ulimit -n 256, a flood on the API leaves its budget as it found it", async () => {
  const { stand, ports } = await startServeProcess({ openFiles: 256, args: ["--workers=1"] });
  try {
    const limits = JSON.parse(stand.lines.find((line) => line.includes('"limits"'))!);
    const held = Math.min(20, limits.max_api);
    assertEquals(await heldPosts(ports.api, held), held, "before the flood");
    const flood = await idle(ports.api, 300);
    await stand.waitForLine((line) =>
      line.includes('"service":"api"') && /connections_shed|accept_error/.test(line)
    );
    for (const conn of flood) closeQuietly(conn);
    assertEquals(await heldPosts(ports.api, held), held, "after the flood");
  } finally {
    const { code, stderr } = await stand.stop("SIGTERM");
    assertEquals(code, 0, stderr);
  }
});

Deno.test("a page port full of open WebSockets sheds the oldest for a page request", async () => {
  await using stand = await startTestStand({ maxWebConnections: 4 });
  const sockets: RawClient[] = [];
  try {
    for (let i = 0; i < 4; i++) sockets.push(await openRawWebSocket(stand.stand.ports.web, "/ws"));
    await stand.log.next((e) => e.event === "browsers" && e.browsers === 4, 0);
    const page = await RawClient.connect(stand.stand.ports.web);
    await page.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const answer = await page.readToEnd();
    page.close();
    assert(answer.startsWith("HTTP/1.1 200 "), JSON.stringify(answer.slice(0, 100)));
    await sockets[0].readToEnd();
    assert(sockets[0].ended, "the oldest WebSocket was closed");
    const shed = await stand.log.nextNamed("connections_shed", 0);
    assertEquals(shed.service, "web");
  } finally {
    for (const socket of sockets) socket.close();
  }
});
