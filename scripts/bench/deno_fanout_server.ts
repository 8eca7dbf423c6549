/**
 * The bare Deno fan-out server, for the end-to-end benchmark only: `Deno.listen` (backlog 4096),
 * one pending 64-byte read per lamp, and `conn.write` of the frame to every lamp. It speaks the
 * fan-out servers' contract (see `fanout_servers.ts`). It is the "bare Deno `conn.write`"
 * baseline, the "bare accept-and-read" memory baseline, and, with `--writes`, the batched-writes
 * spike:
 *
 * - `all` (default): start every write in one loop, await them together (`Promise.all`);
 * - `nowait`: start every write, await none (errors dropped);
 * - `sequential`: await each write before the next;
 * - `chunks=N`: `Promise.all` over N lamps at a time;
 * - `lanes=N`: N loops taking the next lamp in turn, each awaiting its write (N writes in flight).
 *
 * An accept that fails (e.g. `Too many open files`) is retried after 10 ms, never fatal.
 *
 * Usage: deno run -A scripts/bench/deno_fanout_server.ts [--writes all|nowait|sequential|chunks=N|lanes=N]
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";

const SYNC = new Uint8Array([0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0]);
const writes = Deno.args[0] === "--writes" ? Deno.args[1] : "all";
const lamps = new Set<Deno.TcpConn>();
const ignore = () => {};

async function hold(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  lamps.add(conn);
  const buffer = new Uint8Array(64);
  try {
    await conn.write(SYNC);
    while (await conn.read(buffer) !== null);
  } catch {
    // the lamp went away
  }
  lamps.delete(conn);
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function acceptLoop(listener: Deno.TcpListener): Promise<void> {
  for (;;) {
    try {
      hold(await listener.accept());
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function fanOut(frame: Uint8Array): Promise<void> {
  if (writes === "nowait") {
    for (const conn of lamps) conn.write(frame).catch(ignore);
  } else if (writes === "sequential") {
    for (const conn of [...lamps]) await conn.write(frame).catch(ignore);
  } else if (writes.startsWith("lanes=")) {
    const all = [...lamps];
    let next = 0;
    const lane = async () => {
      while (next < all.length) await all[next++].write(frame).catch(ignore);
    };
    await Promise.all(Array.from({ length: Number(writes.slice(6)) }, lane));
  } else {
    const all = [...lamps];
    const size = writes.startsWith("chunks=") ? Number(writes.slice(7)) : all.length;
    for (let i = 0; i < all.length; i += size) {
      await Promise.all(all.slice(i, i + size).map((conn) => conn.write(frame).catch(ignore)));
    }
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });
console.log(listener.addr.port);
acceptLoop(listener);
let shade = 0;
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
  new TextLineStream(),
);
for await (const line of lines) {
  if (line === "count") console.log(JSON.stringify({ connections: [lamps.size] }));
  else await fanOut(new Uint8Array([0x20, 0, 3, 0x10, 0x20, shade++ & 0xff]));
}
Deno.exit(0);
