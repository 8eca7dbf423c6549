/**
 * One connected lamp, as the stand sees it: the connection, a reader that notices when the lamp
 * goes away, and the lamp's own bounded queue for the times it is not written by the shared
 * fan-out loop (just connected and being synced, or too slow for the loop and draining on its
 * own until it catches up).
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { formatAddress } from "../net/address.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import type { DropKind, LampInfo, PeerEnd } from "./lamp_side.ts";

/**
 * A lamp's connection as the stand writes to it: TCP, TLS, or a WebSocket on the page's port
 * (whose writes go out as binary messages and whose close frame says how it ended).
 */
export interface LampConnection {
  /** Reads what the lamp sends (nothing the stand uses; `null` when it closed). */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes to the lamp (the count written). */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends the stand's side (the lamp reads EOF, or a WebSocket close frame). */
  closeWrite(): Promise<void>;
  /** Closes at once. */
  close(): void;
  /** The lamp's address. */
  readonly remoteAddr?: Deno.Addr;
  /** How a WebSocket lamp closed it, once it did. */
  readonly closeFrame?: { readonly code: number; readonly reason: string } | null;
  /** How the stand failed a WebSocket lamp (the close code it sent, and why), once it did. */
  readonly failure?: { readonly code: number; readonly reason: string } | null;
}

/** A lamp's place in the lamp port's budget, given back by its owner when the lamp ends. */
export interface LampPlace {
  /** Gives the place back (once; later calls do nothing). */
  release(): void;
}

/** What a peer tells its owner. */
export interface PeerEvents {
  /** The peer ended (once), with the reason. */
  onEnd(peer: LampPeer, end: PeerEnd): void;
  /** The peer's own queue is empty and its last write complete: it has every frame given to it. */
  onCaughtUp(peer: LampPeer): void;
}

/**
 * A lamp connection. While its owner writes to it directly (`conn`), the peer only reads; while
 * it drains on its own, frames go through {@linkcode LampPeer.send}: frames queued while a write
 * is in flight go out together in the next write, and a lamp whose queue passes the limit is
 * dropped so it cannot delay the others or grow memory without bound.
 *
 * @example
 * ```ts ignore
 * import { LampPeer } from "./lamp_peer.ts";
 * const peer = new LampPeer(conn, slot, 1 << 20, { onEnd: (_, end) => console.log(end.reason), onCaughtUp: () => {} });
 * peer.send(new Uint8Array([0x12, 0, 0]));
 * ```
 */
export class LampPeer implements LampInfo {
  /** The connection (the fan-out loop writes to it while the peer is not draining). */
  readonly conn: LampConnection;
  /** Its place in the lamp port's budget (given back by the owner when it ends). */
  readonly slot: LampPlace;
  /** For the fan-out loop: the number of the first broadcast frame the lamp has not been given. */
  next = 0;
  #limit: number;
  #events: PeerEvents;
  #queue: Uint8Array[] | null = null; // only while it drains on its own
  #queuedBytes = 0;
  #draining: Promise<void> | null = null;
  #ended = false;
  #closing = false;
  #closed: PromiseWithResolvers<void> | null = null;

  /**
   * Starts reading (to notice EOF) at once.
   * @param conn The accepted connection.
   * @param slot Its place in the port's budget.
   * @param limit Bytes that may wait in the queue before the lamp is dropped.
   * @param events Called when the peer ends or has caught up.
   */
  constructor(conn: LampConnection, slot: LampPlace, limit: number, events: PeerEvents) {
    this.conn = conn;
    this.slot = slot;
    this.#limit = limit;
    this.#events = events;
    if ("setNoDelay" in conn) { // TCP; a TLS connection has no such options
      (conn as Deno.TcpConn).setNoDelay(true);
      (conn as Deno.TcpConn).setKeepAlive(true);
    }
    this.#readUntilEnd();
  }

  /**
   * `host:port` of the lamp, `[ipv6]:port` for IPv6 (built when asked: most lamps are never
   * named after they connect).
   */
  get address(): string {
    const remote = this.conn.remoteAddr as Deno.NetAddr | undefined;
    return remote ? formatAddress({ hostname: remote.hostname, port: remote.port }) : "?";
  }

  /** Bytes in the peer's own queue, not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Whether the peer has ended (closed, failed or dropped). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Queues a frame in the peer's own queue and drains it.
   * @param frame The encoded frame (shared between peers; never modified).
   * @returns `false` when the peer has ended or was just dropped for being too slow.
   */
  send(frame: Uint8Array): boolean {
    if (this.#ended) return false;
    (this.#queue ??= []).push(frame);
    this.#queuedBytes += frame.length;
    if (this.#queuedBytes > this.#limit) {
      this.drop(`send queue over ${this.#limit} bytes (lamp not reading)`, "queue_full");
      return false;
    }
    this.#draining ??= this.#drain(null, 0);
    return true;
  }

  /**
   * Takes over a write the fan-out loop started and could not wait for: the peer finishes it
   * (`bytes` from `written` on, once `inFlight` resolves) before anything sent after this call.
   * @param bytes What the loop was writing.
   * @param inFlight The write in flight (`null`: none; the first `written` bytes are out).
   * @param written Bytes of `bytes` already written.
   */
  takeOver(bytes: Uint8Array, inFlight: Promise<number> | null, written = 0): void {
    if (this.#ended) return;
    (this.#queue ??= []).unshift(bytes);
    this.#queuedBytes += bytes.length;
    this.#draining = this.#drain(inFlight, written);
  }

  /**
   * Drops the lamp at once (too slow); logged as dropped.
   * @param reason Why, for the log.
   * @param kind Why, for the metrics.
   */
  drop(reason: string, kind: DropKind): void {
    this.#end(reason, kind);
  }

  /**
   * Ends the peer after a failed write.
   * @param error What the write threw.
   */
  fail(error: unknown): void {
    this.#end(this.#closeReason() ?? `write failed: ${(error as Error).message}`, false);
  }

  /**
   * Ends the connection cleanly: flushes its own queue, closes our side so the lamp reads EOF,
   * and waits (at most `timeoutMs`) for the lamp to close its side.
   * @param timeoutMs How long to wait for the lamp.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#ended) return;
    this.#closing = true;
    this.#closed = Promise.withResolvers();
    const timer = setTimeout(() => this.#end("stand shutting down", false), timeoutMs);
    await this.#draining;
    if (!this.#ended) await this.conn.closeWrite().catch(() => {});
    await this.#closed.promise;
    clearTimeout(timer);
  }

  async #drain(inFlight: Promise<number> | null, written: number): Promise<void> {
    try {
      for (let queue = this.#queue; queue !== null && !this.#ended; queue = this.#queue) {
        const batch = queue.length === 1 ? queue[0] : concat(queue);
        this.#queue = null;
        if (inFlight) written += await inFlight;
        inFlight = null;
        while (written < batch.length) written += await this.conn.write(batch.subarray(written));
        if (this.#ended) return;
        this.#queuedBytes -= batch.length;
        written = 0;
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.#draining = null;
    }
    if (!this.#ended && !this.#closing) this.#events.onCaughtUp(this);
  }

  async #readUntilEnd(): Promise<void> {
    const buffer = new Uint8Array(64); // lamps send nothing we use: small, one per lamp
    let reason: string | undefined;
    try {
      while (await this.conn.read(buffer) !== null) { /* lamps send nothing we use */ }
    } catch (error) {
      reason = `read failed: ${(error as Error).message}`;
    }
    this.#end(
      this.#closeReason() ?? reason ??
        (this.#closing ? "stand shutting down" : "lamp closed the connection"),
      false,
    );
  }

  /**
   * Who closed a WebSocket lamp and with which code, when one side did (the stand failing it, or
   * the lamp closing it unasked): what ended it, whatever failed after.
   */
  #closeReason(): string | undefined {
    const { failure, closeFrame } = this.conn;
    if (failure) return `stand closed the WebSocket (${failure.code}: ${failure.reason})`;
    if (closeFrame && !this.#closing) return `lamp closed the WebSocket (${closeFrame.code})`;
  }

  #end(reason: string, dropped: DropKind | false): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = null;
    this.#queuedBytes = 0;
    closeQuietly(this.conn);
    this.#closed?.resolve();
    this.#events.onEnd(this, { reason, dropped });
  }
}
