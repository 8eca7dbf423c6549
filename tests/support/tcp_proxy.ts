/**
 * A real TCP proxy on a free loopback port, for tests that take one client away from a server
 * and bring it back: `cut()` closes every connection through it and refuses new ones (accepted
 * and closed at once) until `restore()`; the port stays the same throughout.
 *
 * @module
 */

/** A TCP proxy to one loopback port. */
export class TcpProxy {
  /** The port clients connect to. */
  readonly port: number;
  #listener: Deno.TcpListener;
  #target: number;
  #cut = false;
  #open = new Set<Deno.Conn>();
  #tasks = new Set<Promise<void>>();
  #accepting: Promise<void>;

  /** @param target The port it forwards to, on 127.0.0.1. */
  constructor(target: number) {
    this.#target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
    this.#accepting = this.#accept();
  }

  /** Closes every connection through the proxy and refuses new ones until {@linkcode restore}. */
  cut(): void {
    this.#cut = true;
    for (const conn of this.#open) this.#close(conn);
  }

  /** Forwards new connections again. */
  restore(): void {
    this.#cut = false;
  }

  /** Stops listening, closes everything and waits for every copy to end. */
  async close(): Promise<void> {
    this.cut();
    this.#listener.close();
    await this.#accepting;
    await Promise.all(this.#tasks);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return;
      }
      if (this.#cut) {
        client.close();
        continue;
      }
      this.#track(this.#forward(client));
    }
  }

  async #forward(client: Deno.Conn): Promise<void> {
    this.#open.add(client);
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
    } catch {
      this.#close(client);
      return;
    }
    this.#open.add(server);
    if (this.#cut) this.#close(server);
    const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
      const buffer = new Uint8Array(64 * 1024);
      try {
        for (;;) {
          const n = await from.read(buffer);
          if (n === null) break;
          let written = 0;
          while (written < n) written += await to.write(buffer.subarray(written, n));
        }
      } catch {
        // closed by cut() or by the other side
      }
      this.#close(from);
      this.#close(to);
    };
    await Promise.all([pipe(client, server), pipe(server, client)]);
  }

  #close(conn: Deno.Conn): void {
    if (!this.#open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }
}
