/**
 * Each port's connection budget, fixed at start: the plan (pure), how the free descriptors are
 * found, the port events' log lines at a bounded rate, and floods on real stand processes under a
 * real `ulimit -n`: a flood on one port, of any size, never takes another port's places, drops no
 * connected lamp, and leaves nothing behind.
 */
import { assert, assertEquals } from "@std/assert";
import type { LogRecord } from "../src/log/log_line.ts";
import { DEFAULT_BUDGETS, limitsRecord, planBudgets } from "../src/stand/budgets.ts";
import { PortEvents } from "../src/stand/port_events.ts";
import type { FreeDescriptors } from "../src/stand/server/free_descriptors.ts";
import { freeDescriptors, parseProcLimits } from "../src/stand/server/free_descriptors.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { postCommand, startServeProcess } from "../scripts/support/serve_process.ts";
import { createTestPki, writeTestPki } from "../scripts/support/test_pki.ts";
import { RawClient } from "./support/raw_http.ts";
import { openRawWebSocket } from "./support/raw_websocket.ts";
import { isCommand, startTestLamp, type TestLamp } from "./support/test_lamp.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";
import { startTestStand } from "./support/test_stand.ts";

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("parseProcLimits reads the soft limit of Max open files, unlimited included, and nothing else", () => {
  assertEquals(parseProcLimits(PROC_LIMITS), 1024);
  assertEquals(
    parseProcLimits("Max open files            unlimited            unlimited            files\n"),
    Infinity,
  );
  assertEquals(parseProcLimits("Max cpu time unlimited unlimited seconds\n"), null);
  assertEquals(parseProcLimits("Max open files lots\n"), null);
});

Deno.test("freeDescriptors reads the limit less the descriptors open where /proc is readable (the test runs with -A)", () => {
  if (Deno.build.os !== "linux") return;
  const found = freeDescriptors(64);
  const limit = parseProcLimits(Deno.readTextFileSync("/proc/self/limits"))!;
  const open = [...Deno.readDirSync("/proc/self/fd")].length;
  assertEquals(found.source, "limit");
  assertEquals(found.limit, limit);
  assert(
    Math.abs(found.free - (limit - open)) <= 2,
    `${found.free} free, ${limit - open} expected`,
  );
});

/** A measurement that found `free` descriptors by counting, and records what it was asked for. */
function counted(free: number, asked: number[] = []): (wanted: number) => FreeDescriptors {
  return (wanted) => {
    asked.push(wanted);
    return { free: Math.min(free, wanted), source: "count" };
  };
}

Deno.test("the plan: a reserve of 48, workers at most a quarter, the API and the page 1/16 each (8 to 256), lamps the rest (at most 16,384)", () => {
  const plan = (asked: number, free: number) => {
    const { workers, lamps, api, web, shortfall } = planBudgets({ workers: asked }, counted(free));
    return { workers, lamps, api, web, shortfall };
  };
  assertEquals(plan(1, 234), { workers: 1, lamps: 164, api: 11, web: 11, shortfall: 0 });
  assertEquals(plan(2, 234), { workers: 2, lamps: 150, api: 10, web: 10, shortfall: 0 });
  assertEquals(plan(64, 234), { workers: 7, lamps: 114, api: 8, web: 8, shortfall: 0 });
  assertEquals(plan(2, 1002), { workers: 2, lamps: 822, api: 58, web: 58, shortfall: 0 });
  assertEquals(plan(2, 19_970), { workers: 2, ...DEFAULT_BUDGETS, shortfall: 0 });
  assertEquals(plan(1, 30), { workers: 1, lamps: 1, api: 8, web: 8, shortfall: 17 });
  for (const free of [100, 234, 1002, 5000, 19_970]) {
    const { lamps, api, web, workers } = planBudgets({ workers: 2 }, counted(free));
    const reserve = free - lamps - api - web - (workers > 1 ? 8 * workers : 0);
    assert(reserve >= 48, `${free} free: a reserve of ${reserve}`);
  }
});

Deno.test("the plan keeps budgets given by flags, counts only as far as they need, and says when they do not fit", () => {
  const asked: number[] = [];
  const plan = planBudgets({ workers: 1, lamps: 100_000, api: 2 }, counted(1002, asked));
  assertEquals(asked, [48 + 100_000 + 2 + 256]);
  assertEquals([plan.lamps, plan.api, plan.web], [100_000, 2, 59]);
  assertEquals(plan.shortfall, 100_000 + 2 + 59 - (1002 - 48));
  const record = limitsRecord(plan);
  assertEquals([record.source, record.free_descriptors, record.shortfall], ["count", 1002, 99_107]);
  assert(String(record.reason).includes("--max-lamps"), String(record.reason));
  planBudgets({ workers: 64 }, counted(Infinity, asked));
  assertEquals(asked.at(-1), 48 + 64 * 8 + 16_384 + 512);
});

Deno.test("with nothing known (no /proc, no /dev/null), the defaults apply and the limits line says so", () => {
  const plan = planBudgets({ workers: 4 }, () => ({ free: Infinity, source: "default" }));
  assertEquals([plan.workers, plan.lamps, plan.api, plan.web], [4, 16_384, 256, 256]);
  assertEquals(limitsRecord(plan), {
    event: "limits",
    source: "default",
    open_files: "unknown",
    free_descriptors: "unknown",
    max_lamps: 16_384,
    max_api: 256,
    max_web: 256,
  });
});

Deno.test("the port events log refusals at most once a second with their count, and each line names the port's budget", () => {
  const records: LogRecord[] = [];
  const events = new PortEvents(DEFAULT_BUDGETS, (record) => records.push(record));
  const refused = events.refused("api");
  for (let total = 1; total <= 500; total++) refused(total);
  assertEquals(records.length, 1, "one line at once, the rest counted");
  events.acceptError("lamps")(
    Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" }),
    "exhausted",
    10,
  );
  events.close();
  assertEquals(records.map((r) => [r.event, r.count ?? "-", r.total ?? "-", r.max ?? "-"]), [
    ["connections_refused", 1, 1, 256],
    ["accept_error", 1, "-", "-"],
    ["connections_refused", 499, 500, 256],
  ]);
});

Deno.test("a stand in process logs where its budgets came from and what they are", async () => {
  await using stand = await startTestStand({ maxApiConnections: 3 });
  const record = stand.log.events.find((e) => e.event === "limits")!;
  assertEquals(record.source, Deno.build.os === "linux" ? "limit" : "count");
  assertEquals([record.max_lamps, record.max_api, record.max_web], [16_384, 3, 256]);
});

/** Opens `count` idle connections to a port (they send nothing). */
async function idle(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}

/** Idle connections to one port (they send nothing), and how many the stand has not closed. */
class Flood {
  readonly conns: Deno.Conn[] = [];
  #open = new Set<Deno.Conn>();
  #changed: (() => void)[] = [];

  /**
   * Opens `count` connections to `port`.
   * @returns The flood.
   */
  static async open(port: number, count: number): Promise<Flood> {
    const flood = new Flood();
    for (const conn of await idle(port, count)) {
      flood.conns.push(conn);
      flood.#open.add(conn);
      conn.read(new Uint8Array(16)).catch(() => null).finally(() => {
        flood.#open.delete(conn);
        for (const wake of flood.#changed.splice(0)) wake();
      });
    }
    return flood;
  }

  /** How many the stand has not closed yet. */
  get left(): number {
    return this.#open.size;
  }

  /** Resolves once the stand has closed all but `left` of them (shed, refused or timed out). */
  async until(left: number): Promise<void> {
    while (this.#open.size > left) await new Promise<void>((wake) => this.#changed.push(wake));
  }

  close(): void {
    for (const conn of this.conns) closeQuietly(conn);
  }
}

/** A lamp client that records its events and retries quickly. */
function lamp(port: number): TestLamp {
  return startTestLamp(port, { backoff: () => 20 });
}

/** The status of a GET. */
async function statusOf(
  url: string,
  init?: RequestInit & { client?: Deno.HttpClient },
): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

const ON = { method: "message", params: { command: "ON" } };

type Serve = Awaited<ReturnType<typeof startServeProcess>>["stand"];

/** The first line that says a port refused a connection or accept failed, parsed. */
async function firstRefusalOrAcceptError(stand: Serve): Promise<LogRecord> {
  return JSON.parse(
    await stand.waitForLine((line) => /"event":"(connections_refused|accept_error)"/.test(line)),
  );
}

/**
 * Waits for an `event` line of a port whose `total` is over `above` and returns that total;
 * fails if an `accept_error` (descriptors ran out) comes first.
 */
async function totalOver(stand: Serve, event: string, service: string, above: number) {
  const record = JSON.parse(
    await stand.waitForLine((line) => {
      if (line.includes('"accept_error"')) return true;
      if (!line.includes(`"event":"${event}"`) || !line.includes(`"service":"${service}"`)) {
        return false;
      }
      return JSON.parse(line).total > above;
    }),
  );
  assertEquals([record.event, record.service], [event, service], "no descriptor ran out");
  return Number(record.total);
}

/** The stand's `accept_error` lines: none means its descriptors never ran out. */
function acceptErrors(stand: Serve): string[] {
  return stand.lines.filter((line) => line.includes('"accept_error"'));
}

Deno.test("under ulimit -n 256, idle floods on every port kill nothing: the budgets come from a count, the API answers at once and real lamps are accepted", async () => {
  const { stand, ports } = await startServeProcess({ openFiles: 256 });
  const floods: Flood[] = [];
  const lamps: TestLamp[] = [];
  try {
    const limits = JSON.parse(stand.lines.find((line) => line.includes('"limits"'))!);
    assertEquals(limits.source, "count", "Deno asks --allow-all for /proc/self/limits");
    assert(limits.free_descriptors < 256, `${limits.free_descriptors} free`);
    floods.push(await Flood.open(ports.lamps, 100));
    const [api, web] = [await Flood.open(ports.api, 300), await Flood.open(ports.web, 300)];
    floods.push(api, web);
    await api.until(limits.max_api); // the rest shed, one by one, for the next
    await web.until(limits.max_web);
    for (let i = 0; i < 5; i++) lamps.push(lamp(ports.lamps));
    for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
    assertEquals(await statusOf(`http://127.0.0.1:${ports.api}/status`), 200);
    assertEquals(await statusOf(`http://127.0.0.1:${ports.web}/`), 200);
    assertEquals(acceptErrors(stand), [], "no descriptor ran out");
  } finally {
    for (const flood of floods) flood.close();
    await Promise.all(lamps.map(({ client }) => client.close()));
  }
  const { code, stderr } = await stand.stop("SIGTERM");
  assertEquals(code, 0, stderr);
  assert(!stderr.includes("Uncaught"), stderr);
});

for (const openFiles of [256, 1024]) {
  Deno.test(`under ulimit -n ${openFiles}, ${openFiles + 200} idle connections to the lamp port take only the lamps' budget`, async () => {
    const { stand, ports } = await startServeProcess({ openFiles, args: ["--workers=1"] });
    const lamps = Array.from({ length: 5 }, () => lamp(ports.lamps));
    const flood: Deno.Conn[] = [];
    try {
      for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
      flood.push(...await idle(ports.lamps, openFiles + 200));
      const first = await firstRefusalOrAcceptError(stand);
      assertEquals([first.event, first.service], ["connections_refused", "lamps"]);
      assertEquals(await statusOf(`http://127.0.0.1:${ports.api}/status`), 200);
      assertEquals(await statusOf(`http://127.0.0.1:${ports.web}/`), 200);
      assertEquals(await postCommand(ports.api, ON), 200);
      for (const { events } of lamps) await events.next(isCommand("ON"), 0);
      const late = await Deno.connect({ hostname: "127.0.0.1", port: ports.lamps });
      assertEquals(await readUntilEnd(late), "eof", "a lamp over the budget is refused at once");
      assertEquals(acceptErrors(stand), [], "no descriptor ran out");
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
  const limits = JSON.parse(stand.lines.find((line) => line.includes('"limits"'))!);
  const lamps = Array.from({ length: 10 }, () => lamp(ports.lamps));
  const late: TestLamp[] = [];
  const floods: Flood[] = [];
  try {
    for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
    let refused = 0;
    for (const command of ["ON", "OFF"]) {
      floods.push(await Flood.open(ports.lamps, 456));
      const [api, web] = [await Flood.open(ports.api, 300), await Flood.open(ports.web, 300)];
      floods.push(api, web);
      refused = await totalOver(stand, "connections_refused", "lamps", refused);
      await api.until(limits.max_api);
      await web.until(limits.max_web);
      assertEquals(await postCommand(ports.api, { method: "message", params: { command } }), 200);
      for (const { events } of lamps) await events.next(isCommand(command), 0);
      for (const flood of floods.splice(0)) flood.close();
    }
    late.push(...Array.from({ length: 20 }, () => lamp(ports.lamps)));
    for (const { events } of late) await events.next(isCommand("OFF"), 0);
    for (const { events } of lamps) {
      assertEquals(events.events.filter((e) => e.event === "connected").length, 1, "never dropped");
    }
    assert(!stand.lines.some((line) => line.includes("lamp_dropped")), "no lamp dropped");
    assertEquals(acceptErrors(stand), [], "no descriptor ran out");
  } finally {
    for (const flood of floods) flood.close();
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
    const answers = await Promise.all(
      clients.map((client, i) => held[i] ? client.readToEnd() : ""),
    );
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
    assertEquals(acceptErrors(stand), [], "no descriptor ran out");
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

Deno.test("under ulimit -n 256, idle floods on every TLS port free their descriptors: the API answers over HTTPS", async () => {
  // With Deno.listenTls, a connection closed before its handshake kept its descriptor
  // (denoland/deno#14547): the stand stayed out of descriptors and the API never answered again.
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  await using files = await writeTestPki(pki);
  const { stand, ports } = await startServeProcess({
    openFiles: 256,
    args: [`--tls-cert=${files.server.cert}`, `--tls-key=${files.server.key}`],
  });
  const floods: Flood[] = [];
  const client = Deno.createHttpClient({ caCerts: [pki.ca] });
  try {
    const limits = JSON.parse(stand.lines.find((line) => line.includes('"limits"'))!);
    floods.push(await Flood.open(ports.lamps, 100));
    const [api, web] = [await Flood.open(ports.api, 300), await Flood.open(ports.web, 300)];
    floods.push(api, web);
    await api.until(limits.max_api); // the rest shed: nothing is left to arrive after the request
    await web.until(limits.max_web);
    assertEquals(await statusOf(`https://localhost:${ports.api}/healthz`, { client }), 200);
    const held = [...Deno.readDirSync(`/proc/${stand.child.pid}/fd`)].length;
    const open = floods.reduce((sum, flood) => sum + flood.left, 0);
    assert(held <= open + 64, `serve holds ${held} descriptors for ${open} connections`);
    assertEquals(acceptErrors(stand), [], "no descriptor ran out");
  } finally {
    client.close();
    for (const flood of floods) flood.close();
  }
  const { code, stderr } = await stand.stop("SIGTERM");
  assertEquals(code, 0, stderr);
  assert(!stderr.includes("Uncaught"), stderr);
});

Deno.test("serve --workers 64 under ulimit -n 256 starts with the lamp workers that fit, says so, and serves lamps", async () => {
  // Each worker takes ~7 descriptors; Deno panicked ("Too many open files" in ext/io) while
  // creating them, exit 1 before the first listening line.
  const { stand, ports } = await startServeProcess({ openFiles: 256, args: ["--workers=64"] });
  let client: TestLamp | null = null;
  try {
    const reduced = JSON.parse(stand.lines.find((line) => line.includes("lamp_workers_reduced"))!);
    assertEquals([reduced.level, reduced.requested], ["warn", 64]);
    assert(reduced.workers >= 1 && reduced.workers < 64, `${reduced.workers} workers`);
    const listening = JSON.parse(stand.lines.find((line) => line.includes('"service":"lamps"'))!);
    assertEquals(listening.workers, reduced.workers);
    client = lamp(ports.lamps);
    await client.events.next(isCommand("OFF"), 0);
  } finally {
    await client?.client.close();
  }
  const { code, stderr } = await stand.stop("SIGTERM");
  assertEquals(code, 0, stderr);
});

Deno.test("serve --max-lamps 2 --max-api 3 --max-page 4: the budgets as given, a third lamp refused at once", async () => {
  const { stand, ports } = await startServeProcess({
    args: ["--max-lamps=2", "--max-api=3", "--max-page=4"],
  });
  const lamps = [lamp(ports.lamps), lamp(ports.lamps)];
  try {
    const limits = JSON.parse(stand.lines.find((line) => line.includes('"limits"'))!);
    assertEquals([limits.max_lamps, limits.max_api, limits.max_web], [2, 3, 4]);
    for (const { events } of lamps) await events.next(isCommand("OFF"), 0);
    const third = await Deno.connect({ hostname: "127.0.0.1", port: ports.lamps });
    assertEquals(await readUntilEnd(third), "eof");
    const refused = JSON.parse(
      await stand.waitForLine((line) => line.includes("connections_refused")),
    );
    assertEquals([refused.service, refused.max], ["lamps", 2]);
  } finally {
    await Promise.all(lamps.map(({ client }) => client.close()));
  }
  const { code, stderr } = await stand.stop("SIGTERM");
  assertEquals(code, 0, stderr);
});
