/**
 * A Node.js `Duplex` stream over a Deno connection, so `node:tls` can run TLS on a socket that
 * Deno accepted or opened (and that Deno can close at once, whatever state the TLS session is in).
 *
 * @module
 */
import { Duplex } from "node:stream";
import { closeQuietly } from "./close_quietly.ts";

/**
 * Bytes read from the connection at a time: the buffer doubles when a read fills it and halves
 * when one leaves it half empty, so thousands of idle connections hold 1 KiB each, a busy one 16.
 */
const MIN_READ = 1024;
const MAX_READ = 16 * 1024;

/**
 * Wraps a connection as a `Duplex`: reads become `data`, writes are written whole (the write's
 * callback runs once the bytes are with the kernel), `end()` closes the write side, and
 * `destroy()` closes the connection.
 *
 * @param conn The connection (it belongs to the stream from now on).
 * @param onBytes Called with the size of each read that brought bytes.
 * @returns The stream.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { connDuplex } from "./conn_duplex.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const stream = connDuplex(await listener.accept());
 * stream.end(new TextEncoder().encode("hi"));
 * assertEquals(await new Response(client.readable).text(), "hi");
 * stream.destroy();
 * listener.close();
 * ```
 */
export function connDuplex(conn: Deno.Conn, onBytes?: (count: number) => void): Duplex {
  let size = MIN_READ;
  return new Duplex({
    allowHalfOpen: true,
    read() {
      const buffer = new Uint8Array(size);
      conn.read(buffer).then(
        (count) => {
          if (count === size) size = Math.min(MAX_READ, size * 2);
          else if (count !== null && count < size / 2) size = Math.max(MIN_READ, size / 2);
          if (count) onBytes?.(count);
          this.push(count === null ? null : buffer.subarray(0, count));
        },
        (error) => this.destroy(error),
      );
    },
    write(chunk: Uint8Array, _encoding, done) {
      writeAll(conn, chunk).then(() => done(), done);
    },
    final(done) {
      conn.closeWrite().then(() => done(), done);
    },
    destroy(error, done) {
      closeQuietly(conn);
      done(error);
    },
  });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
