/**
 * The server end of a WebSocket as a byte stream (a stand's WebSocket lamp): frames split at any
 * byte are read whole, and while nothing is partly read it waits in the caller's buffer, holding
 * none of its own. A scripted connection brings the bytes exactly as split.
 */
import { assertEquals } from "@std/assert";
import { type ByteConn, WebSocketConn } from "../src/net/websocket_conn.ts";
import { Opcode } from "../src/net/websocket_frame.ts";
import { clientFrame } from "./support/raw_websocket.ts";

/** What a lamp sends: a ping, a binary message in two frames, then a close (1000). */
const SENT = concat([
  clientFrame(Opcode.ping, "hi"),
  clientFrame(Opcode.binary, Uint8Array.of(1, 2, 3), { fin: false }),
  clientFrame(Opcode.continuation, Uint8Array.of(4, 5)),
  clientFrame(Opcode.close, Uint8Array.of(0x03, 0xe8)),
]);

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((at, part) => (all.set(part, at), at + part.length), 0);
  return all;
}

/**
 * A connection whose reads bring `pieces` in order (a piece longer than the buffer offered comes
 * over several reads), then the end; it records the buffers it was offered and what was written.
 */
function scriptedConn(pieces: Uint8Array[]): ByteConn & {
  offered: Uint8Array[];
  written: Uint8Array[];
} {
  const queue = [...pieces];
  const conn = {
    offered: [] as Uint8Array[],
    written: [] as Uint8Array[],
    read(buffer: Uint8Array): Promise<number | null> {
      conn.offered.push(buffer);
      const piece = queue.shift();
      if (!piece) return Promise.resolve(null);
      const count = Math.min(piece.length, buffer.length);
      buffer.set(piece.subarray(0, count));
      if (count < piece.length) queue.unshift(piece.subarray(count));
      return Promise.resolve(count);
    },
    write(bytes: Uint8Array): Promise<number> {
      conn.written.push(bytes.slice());
      return Promise.resolve(bytes.length);
    },
    closeWrite: () => Promise.resolve(),
    close: () => {},
  };
  return conn;
}

/** Reads until the end: the payload bytes, and which of the reads waited in `out`. */
async function readAll(
  ws: WebSocketConn,
  conn: ReturnType<typeof scriptedConn>,
): Promise<{ payload: number[]; waitedInOut: boolean[] }> {
  const out = new Uint8Array(64);
  const payload: number[] = [];
  const waitedInOut: boolean[] = [];
  for (;;) {
    const before = conn.offered.length;
    const count = await ws.read(out);
    for (const offered of conn.offered.slice(before)) {
      waitedInOut.push(offered.buffer === out.buffer);
    }
    if (count === null) return { payload, waitedInOut };
    payload.push(...out.subarray(0, count));
  }
}

Deno.test("a server WebSocket reads frames split at any byte, answers the ping and the close", async () => {
  for (let split = 0; split < SENT.length; split++) {
    const conn = scriptedConn(
      [SENT.subarray(0, split), SENT.subarray(split)].filter((p) => p.length),
    );
    const ws = new WebSocketConn(conn, new Uint8Array(0), "server");
    const { payload } = await readAll(ws, conn);
    assertEquals(payload, [1, 2, 3, 4, 5], `split at ${split}`);
    assertEquals(ws.closeFrame?.code, 1000);
    assertEquals(conn.written.map((frame) => frame[0] & 0x0f), [Opcode.pong, Opcode.close]);
  }
  const bytewise = scriptedConn([...SENT].map((byte) => Uint8Array.of(byte)));
  const { payload } = await readAll(
    new WebSocketConn(bytewise, new Uint8Array(0), "server"),
    bytewise,
  );
  assertEquals(payload, [1, 2, 3, 4, 5], "a byte per read");
});

Deno.test("a server WebSocket with nothing partly read waits in the caller's buffer, holding none of its own", async () => {
  // Whole frames, one per read: every read starts with nothing partly read.
  const frames = [
    clientFrame(Opcode.ping, "hi"),
    clientFrame(Opcode.binary, Uint8Array.of(1, 2, 3)),
    clientFrame(Opcode.close, Uint8Array.of(0x03, 0xe8)),
  ];
  const conn = scriptedConn(frames);
  const { payload, waitedInOut } = await readAll(
    new WebSocketConn(conn, new Uint8Array(0), "server"),
    conn,
  );
  assertEquals(payload, [1, 2, 3]);
  assertEquals(waitedInOut, [true, true, true]);
  // A frame cut in two: its rest is read into the WebSocket's own buffer.
  const cut = scriptedConn([frames[1].subarray(0, 3), frames[1].subarray(3)]);
  const split = await readAll(new WebSocketConn(cut, new Uint8Array(0), "server"), cut);
  assertEquals(split.payload, [1, 2, 3]);
  assertEquals(split.waitedInOut, [true, false, true]);
});
