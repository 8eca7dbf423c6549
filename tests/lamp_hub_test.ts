/**
 * The stand's lamp side with real sockets: the shared write loop, lamps that stop reading (they
 * leave the loop and drain on their own, or are dropped at their queue limit), order per lamp.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { LampHub } from "../src/stand/lamp_hub.ts";
import type { LampEvents, LampSide, PeerEnd } from "../src/stand/lamp_side.ts";
import { LampWorkers } from "../src/stand/lamp_workers.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";

/** A frame of `size` bytes the lamps can number: unknown type 0x40, a 4-byte counter, padding. */
function numbered(n: number, size: number): Uint8Array {
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  frame[0] = 0x40;
  view.setUint16(1, size - 3);
  view.setUint32(3, n);
  return frame;
}

/** A raw lamp that records the numbers of the frames it reads; it can start paused. */
class NumberLamp {
  readonly numbers: number[] = [];
  readonly ended: Promise<void>;
  #conn: Deno.Conn;
  #resume = Promise.withResolvers<void>();
  #arrived = Promise.withResolvers<void>();

  constructor(conn: Deno.Conn, paused: boolean) {
    this.#conn = conn;
    if (!paused) this.#resume.resolve();
    this.ended = this.#read();
  }

  static async connect(port: number, paused = false): Promise<NumberLamp> {
    return new NumberLamp(await Deno.connect({ hostname: "127.0.0.1", port }), paused);
  }

  resume(): void {
    this.#resume.resolve();
  }

  /** Resolves once `count` frames have arrived. */
  async until(count: number): Promise<void> {
    while (this.numbers.length < count) await this.#arrived.promise;
  }

  async #read(): Promise<void> {
    await this.#resume.promise;
    const buffer = new Uint8Array(1 << 16);
    let pending = new Uint8Array(0);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        const bytes = new Uint8Array(pending.length + n);
        bytes.set(pending);
        bytes.set(buffer.subarray(0, n), pending.length);
        let at = 0;
        while (at + 3 <= bytes.length) {
          const end = at + 3 + ((bytes[at + 1] << 8) | bytes[at + 2]);
          if (end > bytes.length) break;
          this.numbers.push(new DataView(bytes.buffer, at + 3, 4).getUint32(0));
          at = end;
        }
        pending = bytes.slice(at);
        this.#arrived.resolve();
        this.#arrived = Promise.withResolvers();
      }
    } finally {
      this.#arrived.resolve();
      closeQuietly(this.#conn);
    }
  }
}

/** Where the lamp port is served: one hub on this thread, or two lamp workers sharing it. */
const SIDES = ["hub", "2 workers"] as const;

/** A lamp side on a free port that records how lamps ended; `await using` closes it. */
async function startSide(kind: typeof SIDES[number], queueLimit: number, maxConnections = 100) {
  const ends: PeerEnd[] = [];
  let refused = 0;
  const dropped = Promise.withResolvers<PeerEnd>();
  const connected: (() => void)[] = [];
  let count = 0;
  const events: LampEvents = {
    onConnect: () => {
      count++;
      for (const wake of connected.splice(0)) wake();
    },
    onDisconnect: (_, end) => {
      ends.push(end);
      if (end.dropped) dropped.resolve(end);
      for (const wake of connected.splice(0)) wake();
    },
    onAcceptError: () => {},
    onRefused: (total) => {
      refused = total;
      for (const wake of connected.splice(0)) wake();
    },
  };
  const options = { queueLimit, maxConnections, sync: () => [], events };
  let side: LampSide;
  if (kind === "hub") {
    side = new LampHub(Deno.listen({ hostname: "127.0.0.1", port: 0 }), options);
  } else {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    probe.close();
    side = await LampWorkers.start({
      ...options,
      hostname: "127.0.0.1",
      port: probe.addr.port,
      workers: 2,
      backlog: 128,
      onWorkerError: (_, message) => dropped.reject(new Error(message)),
    });
  }
  return {
    side,
    ends,
    dropped: dropped.promise,
    /** Resolves once `n` lamps have connected. */
    async connected(n: number) {
      while (count < n) await new Promise<void>((resolve) => connected.push(resolve));
    },
    /** Resolves once `n` lamps have been refused. */
    async refused(n: number) {
      while (refused < n) await new Promise<void>((resolve) => connected.push(resolve));
    },
    /** Resolves once `n` lamps have ended. */
    async ended(n: number) {
      while (ends.length < n) await new Promise<void>((resolve) => connected.push(resolve));
    },
    [Symbol.asyncDispose]: () => side.close(1000),
  };
}

for (const kind of SIDES) {
  Deno.test(`${kind}: a lamp that never reads among fast ones leaves the write loop and is dropped at its queue limit; the others get every frame in order`, async () => {
    await using stand = await startSide(kind, 4096);
    const port = stand.side.port;
    const fast = await Promise.all(Array.from({ length: 5 }, () => NumberLamp.connect(port)));
    const stuck = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await stand.connected(6);
      let sent = 0;
      let droppedYet = false;
      stand.dropped.then(() => droppedYet = true);
      while (!droppedYet && sent < 100_000) {
        stand.side.broadcast(numbered(sent++, 512));
        await Promise.all(fast.map((lamp) => lamp.until(sent)));
      }
      const end = await stand.dropped;
      assertStringIncludes(end.reason, "send queue over 4096 bytes");
      assertEquals(stand.side.count, 5);
      const expected = Array.from({ length: sent }, (_, i) => i);
      for (const lamp of fast) assertEquals(lamp.numbers, expected);
    } finally {
      closeQuietly(stuck);
    }
  });

  Deno.test(`${kind}: a lamp that stops reading for a while drains on its own and, reading again, gets every frame once and in order`, async () => {
    await using stand = await startSide(kind, 64 << 20);
    const fast = await NumberLamp.connect(stand.side.port);
    const slow = await NumberLamp.connect(stand.side.port, true);
    await stand.connected(2);
    let sent = 0;
    const send = async (count: number) => {
      for (const end = sent + count; sent < end;) {
        stand.side.broadcast(numbered(sent++, 16 * 1024));
        await fast.until(sent);
      }
    };
    await send(1000); // 16 MB: more than both sockets' buffers hold
    if (kind === "hub") assert(stand.side.queuedBytes > 0, "the paused lamp fell behind");
    slow.resume();
    await slow.until(sent);
    await send(20); // back in the shared loop once caught up
    await slow.until(sent);
    const expected = Array.from({ length: sent }, (_, i) => i);
    assertEquals(slow.numbers, expected);
    assertEquals(fast.numbers, expected);
    assertEquals(stand.ends, []);
  });

  Deno.test(`${kind}: lamps in the write loop are dropped when more than their queue limit waits for them`, async () => {
    await using stand = await startSide(kind, 64 * 1024);
    const lamp = await NumberLamp.connect(stand.side.port);
    await stand.connected(1);
    stand.side.broadcast(numbered(0, 40_000));
    stand.side.broadcast(numbered(1, 40_000)); // both wait for the next batch: 80,000 bytes
    const end = await stand.dropped;
    assertStringIncludes(end.reason, "send queue over 65536 bytes");
    assertEquals(end.dropped, "queue_full", "attack2: the metric's reason");
    await lamp.ended;
    assertEquals(stand.side.count, 0);
  });

  Deno.test(`${kind}: lamps over a budget of 4 are refused at once and counted; the 4 connected stay and get every frame`, async () => {
    await using stand = await startSide(kind, 1 << 20, 4);
    const lamps = await Promise.all(
      Array.from({ length: 4 }, () => NumberLamp.connect(stand.side.port)),
    );
    await stand.connected(4);
    const over = await Promise.all(
      Array.from(
        { length: 3 },
        () => Deno.connect({ hostname: "127.0.0.1", port: stand.side.port }),
      ),
    );
    assertEquals(await Promise.all(over.map(readUntilEnd)), ["eof", "eof", "eof"]);
    await stand.refused(3);
    stand.side.broadcast(numbered(0, 64));
    await Promise.all(lamps.map((lamp) => lamp.until(1)));
    assertEquals([stand.side.count, stand.ends], [4, []]);
  });
}
