/**
 * One connected lamp, as the stand sees it: a bounded send queue drained by one writer, and a
 * reader that notices when the lamp goes away.
 *
 * @module
 */
import { concatBytes } from "./concat_bytes.ts";

/** Why a peer ended. */
export type PeerEnd = { readonly reason: string; readonly dropped: boolean };

/**
 * A lamp connection with a bounded send queue. Frames queued while a write is in flight go out
 * together in the next write; a lamp whose queue passes the limit is dropped so it cannot delay
 * the others or grow memory without bound.
 *
 * @example
 * ```ts ignore
 * import { LampPeer } from "./lamp_peer.ts";
 * const peer = new LampPeer(conn, 1 << 20, (end) => console.log(end.reason));
 * peer.send(new Uint8Array([0x12, 0, 0]));
 * ```
 */
export class LampPeer {
  /** `host:port` of the lamp. */
  readonly address: string;
  #conn: Deno.Conn;
  #limit: number;
  #onEnd: (end: PeerEnd) => void;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #drained: Promise<void> = Promise.resolve();
  #writing = false;
  #ended = false;
  #closing = false;
  #closed: Promise<void>;
  #markClosed!: () => void;

  /**
   * Starts reading (to notice EOF) at once.
   * @param conn The accepted connection.
   * @param limit Bytes that may wait in the queue before the lamp is dropped.
   * @param onEnd Called once when the peer ends, with the reason.
   */
  constructor(conn: Deno.Conn, limit: number, onEnd: (end: PeerEnd) => void) {
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.address = `${remote.hostname}:${remote.port}`;
    this.#conn = conn;
    this.#limit = limit;
    this.#onEnd = onEnd;
    this.#closed = new Promise((resolve) => this.#markClosed = resolve);
    if ("setNoDelay" in conn) { // TCP; a TLS connection has no such options
      (conn as Deno.TcpConn).setNoDelay(true);
      (conn as Deno.TcpConn).setKeepAlive(true);
    }
    this.#readUntilEnd();
  }

  /** Bytes queued and not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Queues a frame.
   * @param frame The encoded frame (shared between peers; never modified).
   * @returns `false` when the peer has ended or was just dropped for being too slow.
   */
  send(frame: Uint8Array): boolean {
    if (this.#ended) return false;
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    if (this.#queuedBytes > this.#limit) {
      this.#end(`send queue over ${this.#limit} bytes (lamp not reading)`, true);
      return false;
    }
    if (!this.#writing) this.#drained = this.#drain();
    return true;
  }

  /**
   * Drops the lamp at once (e.g. over a lowered connection cap); logged as dropped.
   * @param reason Why, for the log.
   */
  drop(reason: string): void {
    this.#end(`dropped: ${reason}`, true);
  }

  /**
   * Ends the connection cleanly: flushes what is queued, closes our side so the lamp reads EOF,
   * and waits (at most `timeoutMs`) for the lamp to close its side.
   * @param timeoutMs How long to wait for the lamp.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#ended) return;
    this.#closing = true;
    const timer = setTimeout(() => this.#end("stand shutting down", false), timeoutMs);
    await this.#drained;
    await this.#conn.closeWrite().catch(() => {});
    await this.#closed;
    clearTimeout(timer);
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#ended) {
        const batch = this.#queue.length === 1 ? this.#queue[0] : concatBytes(this.#queue);
        this.#queue.length = 0;
        let written = await this.#conn.write(batch); // usually all of it: no view, no loop
        while (written < batch.length) written += await this.#conn.write(batch.subarray(written));
        this.#queuedBytes -= batch.length;
      }
    } catch (error) {
      this.#end(`write failed: ${(error as Error).message}`, false);
    } finally {
      this.#writing = false;
    }
  }

  async #readUntilEnd(): Promise<void> {
    const buffer = new Uint8Array(64); // lamps send nothing we use: small, one per lamp
    let reason: string | undefined;
    try {
      while (await this.#conn.read(buffer) !== null) { /* lamps send nothing we use */ }
    } catch (error) {
      reason = `read failed: ${(error as Error).message}`;
    }
    this.#end(
      reason ?? (this.#closing ? "stand shutting down" : "lamp closed the connection"),
      false,
    );
  }

  #end(reason: string, dropped: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#markClosed();
    this.#onEnd({ reason, dropped });
  }
}
