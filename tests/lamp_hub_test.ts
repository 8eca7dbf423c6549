/**
 * The stand's lamp side with real sockets: the shared write loop, lamps that stop reading (they
 * leave the loop and drain on their own, or are dropped at their queue limit), order per lamp.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { LampHub, type LampHubEvents } from "../src/stand/lamp_hub.ts";
import type { PeerEnd } from "../src/stand/lamp_peer.ts";
import { closeQuietly } from "./support/test_server.ts";

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

/** A hub on a free port that records how lamps ended; `await using` closes it. */
function startHub(queueLimit: number) {
  const ends: PeerEnd[] = [];
  const dropped = Promise.withResolvers<PeerEnd>();
  const connected: (() => void)[] = [];
  let count = 0;
  const events: LampHubEvents = {
    onConnect: () => {
      count++;
      for (const wake of connected.splice(0)) wake();
      return [];
    },
    onDisconnect: (_, end) => {
      ends.push(end);
      if (end.dropped) dropped.resolve(end);
    },
    onAcceptError: () => {},
  };
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const hub = new LampHub(listener, queueLimit, events, 100);
  return {
    hub,
    port: listener.addr.port,
    ends,
    dropped: dropped.promise,
    /** Resolves once `n` lamps have connected. */
    async connected(n: number) {
      while (count < n) await new Promise<void>((resolve) => connected.push(resolve));
    },
    [Symbol.asyncDispose]: () => hub.close(1000),
  };
}

Deno.test("#14.4: a lamp that never reads among fast ones leaves the write loop and is dropped at its queue limit; the others get every frame in order", async () => {
  await using stand = startHub(4096);
  const fast = await Promise.all(Array.from({ length: 5 }, () => NumberLamp.connect(stand.port)));
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: stand.port });
  try {
    await stand.connected(6);
    let sent = 0;
    let droppedYet = false;
    stand.dropped.then(() => droppedYet = true);
    while (!droppedYet && sent < 100_000) {
      stand.hub.broadcast(numbered(sent++, 64));
      await Promise.all(fast.map((lamp) => lamp.until(sent)));
    }
    const end = await stand.dropped;
    assertStringIncludes(end.reason, "send queue over 4096 bytes");
    assertEquals(stand.hub.count, 5);
    const expected = Array.from({ length: sent }, (_, i) => i);
    for (const lamp of fast) assertEquals(lamp.numbers, expected);
  } finally {
    closeQuietly(stuck);
  }
});

Deno.test("#14.4: a lamp that stops reading for a while drains on its own and, reading again, gets every frame once and in order", async () => {
  await using stand = startHub(64 << 20);
  const fast = await NumberLamp.connect(stand.port);
  const slow = await NumberLamp.connect(stand.port, true);
  await stand.connected(2);
  let sent = 0;
  const send = async (count: number) => {
    for (const end = sent + count; sent < end;) {
      stand.hub.broadcast(numbered(sent++, 16 * 1024));
      await fast.until(sent);
    }
  };
  while (stand.hub.queuedBytes === 0 && sent < 2000) await send(1); // the slow lamp fell behind
  assert(stand.hub.queuedBytes > 0, `the paused lamp never fell behind in ${sent} frames`);
  await send(20);
  slow.resume();
  await slow.until(sent);
  await send(20); // back in the shared loop once caught up
  await slow.until(sent);
  const expected = Array.from({ length: sent }, (_, i) => i);
  assertEquals(slow.numbers, expected);
  assertEquals(fast.numbers, expected);
  assertEquals(stand.ends, []);
});

Deno.test("#14.4: lamps in the write loop are dropped when more than their queue limit waits for them", async () => {
  await using stand = startHub(64 * 1024);
  const lamp = await NumberLamp.connect(stand.port);
  await stand.connected(1);
  stand.hub.broadcast(numbered(0, 40_000));
  stand.hub.broadcast(numbered(1, 40_000)); // both wait for the next batch: 80,000 bytes
  const end = await stand.dropped;
  assertStringIncludes(end.reason, "send queue over 65536 bytes");
  await lamp.ended;
  assertEquals(stand.hub.count, 0);
});
