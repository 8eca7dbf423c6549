/**
 * One worker of the `reusePort` fan-out spike (see `reuse_port_server.ts`): it listens on the
 * port it is given with `SO_REUSEPORT`, on `Deno.listen` or on `node:net`, holds the lamps the
 * kernel hands it, and on a `send` message writes the frame to each of them (on `Deno.listen`:
 * all writes started at once and awaited together, or one after another with `sequential`).
 *
 * Messages in: `{ port, net, writes }` once, then `"send"` or `"count"`. Out: `"listening"`,
 * `"sent"`, `{ connections }`.
 *
 * @module
 */
import net from "node:net";
import type { Buffer } from "node:buffer";

const SYNC = new Uint8Array([0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0]);
const self = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
};
const ignore = () => {};

/** The lamps of this worker, whatever socket type holds them. */
interface Lamps {
  readonly size: number;
  send(frame: Uint8Array): Promise<void>;
}

function denoLamps(port: number, sequential: boolean): Lamps {
  const conns = new Set<Deno.TcpConn>();
  // Deno.listen's reusePort is unstable: the process runs with --unstable-net.
  const listener = Deno.listen({ hostname: "127.0.0.1", port, reusePort: true, tcpBacklog: 4096 });
  (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      conn.setNoDelay(true);
      conns.add(conn);
      (async () => {
        const buffer = new Uint8Array(64);
        await conn.write(SYNC);
        while (await conn.read(buffer) !== null);
      })().catch(ignore).finally(() => conns.delete(conn));
    }
  })();
  return {
    get size() {
      return conns.size;
    },
    async send(frame) {
      if (!sequential) {
        await Promise.all([...conns].map((conn) => conn.write(frame).catch(ignore)));
        return;
      }
      for (const conn of [...conns]) await conn.write(frame).catch(ignore);
    },
  };
}

function nodeLamps(port: number, listening: () => void): Lamps {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on("error", ignore);
    socket.on("close", () => sockets.delete(socket));
    socket.write(SYNC);
    sockets.add(socket);
  });
  server.listen({ host: "127.0.0.1", port, backlog: 4096, reusePort: true }, listening);
  return {
    get size() {
      return sockets.size;
    },
    send(frame) {
      for (const socket of sockets) socket.write(frame as Buffer);
      return Promise.resolve();
    },
  };
}

let lamps: Lamps | null = null;
self.onmessage = async (event: MessageEvent) => {
  const message = event.data;
  if (message === "send") {
    await lamps?.send(new Uint8Array([0x20, 0, 3, 0x10, 0x20, 0x30]));
    self.postMessage("sent");
  } else if (message === "count") {
    self.postMessage({ connections: lamps?.size ?? 0 });
  } else if (message.net === "node") {
    lamps = nodeLamps(message.port, () => self.postMessage("listening"));
  } else {
    lamps = denoLamps(message.port, message.writes === "sequential");
    self.postMessage("listening");
  }
};
