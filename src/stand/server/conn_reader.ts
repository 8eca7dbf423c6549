/**
 * A read buffer over a connection: parsers look at the unread bytes, take what they used, and
 * ask for more; the buffer grows only up to a bound the caller gives.
 *
 * @module
 */

/**
 * The buffer a reader waits for a connection's first bytes with. Every connection accepted and
 * not yet answered holds one (a crowd of lamps reconnecting at once holds thousands), and most
 * first messages (a lamp's upgrade request, an API call) fit in it.
 */
const FIRST_READ_BYTES = 256;
/** Free space below which the unread bytes are moved to the front before reading. */
const COMPACT_BELOW = 1024;
/** The buffer of a reader that was detached. */
const DETACHED = new Uint8Array(0);

/**
 * Buffers what a connection sends. Calls to {@linkcode fill} made while one is in flight share
 * its result, so two readers never read into the buffer at once. The first read waits in a small
 * buffer; once bytes have arrived, the reader reads `size` bytes at a time.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnReader } from "./conn_reader.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept();
 * await client.write(new Uint8Array([1, 2, 3]));
 * const reader = new ConnReader(server);
 * while (reader.buffered.length < 3) await reader.fill();
 * reader.consume(1);
 * assertEquals([...reader.buffered], [2, 3]);
 * client.close();
 * server.close();
 * listener.close();
 * ```
 */
export class ConnReader {
  #conn: Deno.Conn;
  #size: number;
  #buffer: Uint8Array;
  /** No byte has arrived yet: the buffer is the small one of the first read. */
  #waiting: boolean;
  #start = 0;
  #end = 0;
  #inflight: Promise<number | null> | null = null;

  /**
   * A reader over a connection.
   * @param conn The connection.
   * @param size The buffer size in bytes once bytes have arrived (the first read waits in at
   *   most 256).
   * @param initial Bytes already read from the connection (e.g. by the HTTP server before an
   *   upgrade); they are read first.
   */
  constructor(conn: Deno.Conn, size = 4096, initial: Uint8Array = new Uint8Array(0)) {
    this.#conn = conn;
    this.#size = size;
    this.#waiting = initial.length === 0;
    this.#buffer = new Uint8Array(
      this.#waiting ? Math.min(size, FIRST_READ_BYTES) : Math.max(size, initial.length),
    );
    this.#buffer.set(initial);
    this.#end = initial.length;
  }

  /** The unread bytes: a view, valid until the next {@linkcode fill} or {@linkcode consume}. */
  get buffered(): Uint8Array {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /**
   * Marks bytes as used.
   * @param count How many of the unread bytes were used.
   */
  consume(count: number): void {
    this.#start += count;
    if (this.#start >= this.#end) this.#start = this.#end = 0;
  }

  /**
   * Reads once more from the connection.
   * @param maxBuffered Most unread bytes the buffer may grow to hold.
   * @returns How many bytes arrived, or `null` at the end of the stream.
   * @throws {RangeError} When `maxBuffered` unread bytes are already held.
   * @throws {TypeError} When the reader was detached.
   */
  fill(maxBuffered: number = this.#buffer.length): Promise<number | null> {
    if (this.#buffer === DETACHED) throw new TypeError("the reader was detached");
    this.#inflight ??= this.#read(maxBuffered).finally(() => this.#inflight = null);
    return this.#inflight;
  }

  async #read(maxBuffered: number): Promise<number | null> {
    const unread = this.#end - this.#start;
    if (this.#buffer.length - this.#end < COMPACT_BELOW && this.#start > 0) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#start = 0;
      this.#end = unread;
    }
    if (!this.#waiting && this.#buffer.length < this.#size) this.#resize(this.#size);
    if (this.#end === this.#buffer.length) {
      if (unread >= maxBuffered) {
        throw new RangeError(`read buffer full: ${unread} bytes (max ${maxBuffered})`);
      }
      this.#resize(Math.min(maxBuffered, this.#buffer.length * 2));
    }
    const count = await this.#conn.read(this.#buffer.subarray(this.#end));
    if (count === null) return null;
    this.#end += count;
    this.#waiting = false;
    return count;
  }

  /** Moves the unread bytes to the front of a new buffer of `size` bytes. */
  #resize(size: number): void {
    const resized = new Uint8Array(size);
    resized.set(this.buffered);
    this.#end -= this.#start;
    this.#start = 0;
    this.#buffer = resized;
  }

  /**
   * Takes out every unread byte (e.g. for the protocol a connection is upgraded to) and frees the
   * buffer at once rather than when it is next collected, so the next connection's buffer can
   * take its place: an upgraded connection lives long, and its reader is done. Views of the
   * buffer taken before are left empty.
   * @returns A copy of the unread bytes.
   */
  detach(): Uint8Array {
    const rest = this.buffered.slice();
    if (this.#buffer !== DETACHED) (this.#buffer.buffer as ArrayBuffer).transfer(0);
    this.#buffer = DETACHED;
    this.#start = this.#end = 0;
    return rest;
  }
}
