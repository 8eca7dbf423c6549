/**
 * Many raw lamps for the fan-out benchmarks: plain TCP readers in the benchmark process that count
 * the bytes each socket received and when. The same readers measure every server, so their own
 * cost is the same in every column.
 *
 * @module
 */

/** Raw lamps: each socket counts the bytes it received and when. */
export class RawLamps {
  /** The sockets. */
  readonly conns: Deno.TcpConn[] = [];
  /** Bytes received, per socket. */
  readonly received: number[] = [];
  /** `performance.now()` when each socket reached the awaited byte count. */
  readonly arrivedAt: number[] = [];
  #goal = 0;
  #remaining = 0;
  #done: (() => void) | null = null;

  /**
   * Connects `count` lamps, 500 at a time, each batch once the one before is connected and, with
   * `paceBytes`, every lamp so far has received that many bytes.
   * @param port The server's port on 127.0.0.1.
   * @param count How many.
   * @param paceBytes Bytes each lamp must have before the next batch (0: none).
   */
  async connect(port: number, count: number, paceBytes = 0): Promise<void> {
    for (let i = 0; i < count; i += 500) {
      if (paceBytes > 0) await this.until(paceBytes);
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(500, count - i) },
          () => Deno.connect({ hostname: "127.0.0.1", port }),
        ),
      );
      for (const conn of batch) this.#read(conn, this.conns.push(conn) - 1);
    }
  }

  /**
   * Resolves when every socket has received at least `bytes` in total.
   * @param bytes The byte count each socket must reach.
   * @returns A promise.
   */
  until(bytes: number): Promise<void> {
    this.#goal = bytes;
    this.#remaining = this.received.filter((n) => n < bytes).length;
    if (this.#remaining === 0) return Promise.resolve();
    return new Promise((resolve) => this.#done = resolve);
  }

  async #read(conn: Deno.TcpConn, index: number): Promise<void> {
    this.received[index] = 0;
    const buffer = new Uint8Array(256);
    try {
      for (;;) {
        const count = await conn.read(buffer);
        if (count === null) return;
        const before = this.received[index];
        this.received[index] += count;
        if (before < this.#goal && this.received[index] >= this.#goal) {
          this.arrivedAt[index] = performance.now();
          if (--this.#remaining === 0) this.#done?.();
        }
      }
    } catch {
      // closed by close()
    }
  }

  /** Closes every socket. */
  close(): void {
    for (const conn of this.conns) conn.close();
  }
}
