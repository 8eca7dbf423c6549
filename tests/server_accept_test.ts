/**
 * The accept loop every stand port uses: the budget (shared by loops, shed oldest-first),
 * exhaustion with a real `ulimit -n`, and resets that must not slow real lamps down.
 */
import { assert, assertEquals } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import { LampClient } from "../src/client/lamp_client.ts";
import { type AcceptErrorKind, classifyAcceptError } from "../src/stand/server/accept_error.ts";
import {
  AcceptLoop,
  type ConnectionSlot,
  exhaustionBackoff,
} from "../src/stand/server/accept_loop.ts";
import { PortBudget } from "../src/stand/server/port_budget.ts";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { REPO_ROOT, requireProgram } from "../scripts/support/flashlight_process.ts";
import { until } from "./support/fleet.ts";
import { RawClient } from "./support/raw_http.ts";
import { startTestStand } from "./support/test_stand.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

Deno.test("classifyAcceptError: exhaustion waits, peer faults do not, a closed listener ends", () => {
  const cases: [unknown, AcceptErrorKind][] = [
    [withCode("Too many open files (os error 24)", "EMFILE"), "exhausted"],
    [withCode("Too many open files in system (os error 23)", "ENFILE"), "exhausted"],
    [withCode("No buffer space available (os error 105)", "ENOBUFS"), "exhausted"],
    [withCode("Cannot allocate memory (os error 12)", "ENOMEM"), "exhausted"],
    // Without a code (a runtime that sets none), each message the text fallback knows:
    [new Error("Too many open files (os error 24)"), "exhausted"],
    [new Error("No buffer space available (os error 105)"), "exhausted"],
    [new Error("Cannot allocate memory (os error 12)"), "exhausted"],
    [new Error("out of memory"), "exhausted"],
    [new Deno.errors.NotConnected("Transport endpoint is not connected (os error 107)"), "peer"],
    [new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"), "peer"],
    [new Deno.errors.ConnectionAborted("Software caused connection abort"), "peer"],
    [new Deno.errors.InvalidData("received corrupt message"), "peer"],
    [withCode("Protocol error (os error 71)", "EPROTO"), "peer"],
    [new Deno.errors.BadResource("Bad resource ID"), "closed"],
    [new Deno.errors.Interrupted("operation canceled"), "closed"],
    [new Error("something new"), "unexpected"],
    ["not an error", "unexpected"],
  ];
  for (const [error, kind] of cases) assertEquals(classifyAcceptError(error), kind, String(error));
});

Deno.test("exhaustionBackoff grows from 10 ms and stops at 1 s", () => {
  assertEquals([0, 1, 2, 3, 6, 7, 8, 100].map(exhaustionBackoff), [
    10,
    20,
    40,
    80,
    640,
    1000,
    1000,
    1000,
  ]);
});

/** Holds a connection until the peer closes it or the loop aborts it, then frees its slot. */
async function hold(conn: Deno.Conn, slot: ConnectionSlot): Promise<void> {
  const close = () => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  slot.onAbort = close;
  try {
    while (await conn.read(new Uint8Array(16)) !== null) { /* nothing to read */ }
  } catch {
    // closed under us
  }
  close();
  slot.release();
}

/** Reads until the server ends the connection (EOF or reset). */
async function ended(conn: Deno.Conn): Promise<void> {
  try {
    while (await conn.read(new Uint8Array(16)) !== null) { /* wait */ }
  } catch {
    // reset: ended too
  }
}

Deno.test("the accept loop closes connections over its budget at once, counts them, and admits again when one leaves", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refusals: number[] = [];
  const left = Promise.withResolvers<void>();
  const loop = new AcceptLoop(listener, {
    maxConnections: 2,
    onConnection: async (conn, slot) => {
      await hold(conn, slot);
      left.resolve();
    },
    onRefused: (total) => refusals.push(total),
  });
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const clients = [await connect(), await connect()];
  try {
    const third = await connect();
    await ended(third);
    third.close();
    assertEquals([loop.open, loop.refused, refusals], [2, 1, [1]]);

    clients.shift()!.close();
    await left.promise;
    assertEquals(loop.open, 1);
    clients.push(await connect());
    await clients[1].write(new Uint8Array([1]));
    const fourth = await connect();
    await ended(fourth);
    fourth.close();
    assertEquals([loop.open, loop.refused], [2, 2]);
  } finally {
    for (const client of clients) client.close();
    await loop.close();
    loop.abortConnections(new Error("test over"));
  }
});

Deno.test("attack: an HTTP port full of connections that never finish a head still serves a real request: the longest idle one makes room", async () => {
  // 1,300 such connections (re-opened as the 5 s head deadline closed them) kept 91% of real
  // requests out of a stand's API.
  const release = Promise.withResolvers<void>();
  const shed: number[] = [];
  let handling = 0;
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (request) => {
    if (new URL(request.url).pathname === "/slow") {
      handling++;
      await release.promise;
    }
    return new Response("ok");
  }, { maxConnections: 3, onShed: (total) => shed.push(total) });
  const connect = () => RawClient.connect(server.addr.port);
  const clients: RawClient[] = [];
  const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
  try {
    for (let i = 0; i < 3; i++) {
      const slow = await connect();
      await slow.send("GET / HTTP/1.1\r\nHost:");
      clients.push(slow);
      await until(() => server.connections === i + 1);
    }
    const real = await connect();
    clients.push(real);
    await real.send(request("/"));
    assert((await real.readToEnd()).endsWith("\r\n\r\nok"), "a real request is served");
    await clients[0].readToEnd();
    assert(clients[0].ended, "the longest idle connection made room");
    assertEquals(shed, [1]);

    // Connections whose requests are being handled are never shed: a newcomer is refused.
    for (const client of clients.splice(0)) client.close();
    await until(() => server.connections === 0);
    for (let i = 0; i < 3; i++) {
      const busy = await connect();
      await busy.send(request("/slow"));
      clients.push(busy);
    }
    await until(() => handling === 3);
    const late = await connect();
    await late.send(request("/")).catch(() => {}); // it may be closed already
    assertEquals(await late.readToEnd(), "", "refused: nothing idle to shed");
    late.close();
    release.resolve();
    for (const busy of clients) assert((await busy.readToEnd()).endsWith("ok"), "never shed");
    assertEquals(shed, [1]);
  } finally {
    release.resolve();
    for (const client of clients) client.close();
    await server.close();
  }
});

Deno.test("attack: a full HTTP port sheds a connection whose client stopped reading its answers", async () => {
  // 1,300 clients that pipelined requests for /app.js and never read kept 2 of 3 real page
  // loads out (their writes waited up to the 30 s write deadline, never idle).
  const writing = Promise.withResolvers<void>();
  const shed: number[] = [];
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), (request) => {
    if (new URL(request.url).pathname !== "/big") return new Response("ok");
    writing.resolve();
    return new Response(new Uint8Array(64 << 20)); // more than the socket buffers take
  }, { maxConnections: 1, onShed: (total) => shed.push(total) });
  const stalled = await RawClient.connect(server.addr.port);
  try {
    await stalled.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"); // and never read
    await writing.promise;
    const client = await RawClient.connect(server.addr.port);
    try {
      await client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      const answer = await client.readToEnd();
      assert(answer.endsWith("\r\n\r\nok"), `a real request is served: ${answer.slice(0, 60)}`);
    } finally {
      client.close();
    }
    assertEquals(shed, [1]);
  } finally {
    stalled.close();
    await server.close();
  }
});

Deno.test("two accept loops on one shared budget hold no more than it together, and admit again when a place is given back", async () => {
  const budget = PortBudget.shared(3, 2);
  const listeners = [0, 1].map(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const slots: ConnectionSlot[] = [];
  const admitted: (() => void)[] = [];
  const refusals: number[] = [];
  const refused: (() => void)[] = [];
  const loops = listeners.map((listener, holder) =>
    new AcceptLoop(listener, {
      maxConnections: new PortBudget(3, budget.counters, holder),
      onConnection: (conn, slot) => {
        slots.push(slot);
        hold(conn, slot);
        for (const wake of admitted.splice(0)) wake();
      },
      onRefused: (total) => {
        refusals.push(total);
        for (const wake of refused.splice(0)) wake();
      },
    })
  );
  const waitFor = (list: (() => void)[], done: () => boolean) =>
    (async () => {
      while (!done()) await new Promise<void>((resolve) => list.push(resolve));
    })();
  const clients: Deno.Conn[] = [];
  try {
    for (const port of [0, 1, 0]) {
      clients.push(await Deno.connect({ hostname: "127.0.0.1", port: listeners[port].addr.port }));
    }
    await waitFor(admitted, () => slots.length === 3);
    const over = await Deno.connect({ hostname: "127.0.0.1", port: listeners[1].addr.port });
    await ended(over);
    await waitFor(refused, () => refusals.length === 1);
    assertEquals([budget.taken, loops[0].open + loops[1].open], [3, 3]);
    slots[0].release();
    clients.push(await Deno.connect({ hostname: "127.0.0.1", port: listeners[1].addr.port }));
    await waitFor(admitted, () => slots.length === 4);
    assertEquals([budget.taken, refusals], [3, [1]]);
  } finally {
    for (const client of clients) client.close();
    for (const loop of loops) {
      await loop.close();
      loop.abortConnections(new Error("test over"));
    }
  }
});

Deno.test("a full port sheds its longest idle connection first, its oldest upgraded one only when none is idle, and refuses when it has neither", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const slots: ConnectionSlot[] = [];
  const arrived: (() => void)[] = [];
  let shed = 0;
  let refused = 0;
  const loop = new AcceptLoop(listener, {
    maxConnections: 3,
    onConnection: (conn, slot) => {
      slots.push(slot);
      hold(conn, slot);
      for (const wake of arrived.splice(0)) wake();
    },
    onShed: (total) => shed = total,
    onRefused: (total) => refused = total,
  });
  const clients: Deno.Conn[] = [];
  const connect = async () => {
    const count = slots.length;
    clients.push(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
    while (slots.length === count) await new Promise<void>((resolve) => arrived.push(resolve));
    return clients.at(-1)!;
  };
  try {
    const [upgradedOld, upgradedNew, busy] = [await connect(), await connect(), await connect()];
    slots[0].upgraded();
    slots[1].upgraded();
    const idle = await connect(); // takes the place of the oldest upgraded one
    await ended(upgradedOld);
    slots[3].idle(true);
    await connect(); // takes the place of the idle one
    await ended(idle);
    slots[4].idle(false);
    await connect(); // the other upgraded one
    await ended(upgradedNew);
    assertEquals(shed, 3);
    const over = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    await ended(over); // nothing idle or upgraded is left: refused
    clients.push(over);
    assertEquals([refused, loop.open], [1, 3]);
    await busy.write(new Uint8Array([1])); // the busy one was never touched
  } finally {
    for (const client of clients) client.close();
    await loop.close();
    loop.abortConnections(new Error("test over"));
  }
});

Deno.test("an accept loop out of descriptors (ulimit -n 64) waits 10 ms doubling to 1 s, then accepts again", async () => {
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n 64; exec "$0" run -q --allow-net tests/support/accept_probe.ts`,
      Deno.execPath(),
    ],
    cwd: REPO_ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream())
    .getReader();
  const input = child.stdin.getWriter();
  const next = async (event: string) => {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`probe ended before "${event}"`);
      const record = JSON.parse(value);
      if (record.event === event) return record;
    }
  };
  const clients: Deno.Conn[] = [];
  try {
    const { port } = await next("listening");
    for (let i = 0; i < 100; i++) clients.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    const delays: number[] = [];
    while (delays.length < 9) {
      const error = await next("accept_error");
      assertEquals([error.code, error.kind], ["EMFILE", "exhausted"]);
      delays.push(error.delayMs);
    }
    assertEquals(delays, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    await input.write(new TextEncoder().encode("10\n"));
    const { open } = await next("released");
    const after = await next("accepted");
    assert(after.open > open, "accepting again once descriptors are free");
  } finally {
    for (const client of clients) client.close();
    child.kill();
    await child.status;
    await input.close().catch(() => {});
    await lines.cancel();
  }
});

Deno.test("connections reset right after connecting (SO_LINGER 0) do not keep 5 real lamps out", async () => {
  if (!requireProgram("python3", "python3")) return;
  const { stand, log } = await startTestStand();
  const flood = new Deno.Command("python3", {
    args: [`${REPO_ROOT}tests/support/reset_flood.py`, String(stand.ports.lamp), "300", "60"],
    stdout: "piped",
  }).spawn();
  const progress = flood.stdout.pipeThrough(new TextDecoderStream())
    .pipeThrough(new TextLineStream()).getReader();
  const readUntil = async (wanted: string) => {
    for (;;) {
      const { value, done } = await progress.read();
      if (done || value === wanted) return;
    }
  };
  let floodDone: Promise<void> = Promise.resolve();
  let lamps: LampClient[] = [];
  try {
    await readUntil("sent 60"); // the resets have been going on for a second
    floodDone = readUntil("done");
    lamps = Array.from({ length: 5 }, () =>
      new LampClient({
        addresses: [{ hostname: "127.0.0.1", port: stand.ports.lamp }],
        onEvent: () => {},
      }));
    const connected = log.next((e) => e.event === "lamp_connected" && e.lamps === 5, 0);
    const first = await Promise.race([
      connected.then(() => "lamps"),
      floodDone.then(() => "flood"),
    ]);
    assertEquals(first, "lamps", "all 5 lamps were accepted while the resets went on");
    const errors = log.events.filter((e) => e.event === "accept_error");
    assert(errors.length > 0 && errors.every((e) => e.delay_ms === 0), "no wait after a reset");
  } finally {
    await Promise.all(lamps.map((lamp) => lamp.close()));
    try {
      flood.kill();
    } catch {
      // already done
    }
    await floodDone.catch(() => {});
    await flood.status;
    await stand.close();
  }
});
