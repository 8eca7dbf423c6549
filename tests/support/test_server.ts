/**
 * A real TCP server on 127.0.0.1 for tests: port 0 by default, connections handed out in order.
 *
 * @module
 */
import { closeQuietly } from "../../src/net/close_quietly.ts";

export { closeQuietly };

/** A listening socket whose accepted connections tests take one at a time; `using` closes it. */
export class TestServer implements Disposable {
  /** The port it listens on. */
  readonly port: number;
  #listener: Deno.TcpListener;
  #accepted: Deno.TcpConn[] = [];

  /** @param port The port (0: any free one). */
  constructor(port = 0) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.port = this.#listener.addr.port;
  }

  /** Waits for the next connection. */
  async accept(): Promise<Deno.TcpConn> {
    const conn = await this.#listener.accept();
    this.#accepted.push(conn);
    return conn;
  }

  /** Stops listening and closes every connection it accepted (again is fine). */
  close(): void {
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    for (const conn of this.#accepted) closeQuietly(conn);
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Reads until the peer ends the stream, then closes our side (as a well-behaved server does),
 * and reports how it ended: `"eof"` or the error's name (a reset is `"ConnectionReset"`).
 * @param conn The connection.
 * @returns How the peer ended it.
 */
export async function readUntilEnd(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(4096);
  try {
    while (await conn.read(buffer) !== null) { /* discard */ }
    return "eof";
  } catch (error) {
    return (error as Error).name;
  } finally {
    closeQuietly(conn);
  }
}
