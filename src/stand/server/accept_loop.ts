/**
 * The one accept loop every port of the stand uses (lamps, API, page): a cap on open
 * connections (a full port sheds its longest idle connection for a newcomer, when it has one),
 * a growing wait only when the process runs out of descriptors, and a clean end.
 *
 * @module
 */
import { abortableSleep } from "../../net/abortable_sleep.ts";
import { type AcceptErrorKind, classifyAcceptError } from "./accept_error.ts";

/** How an {@linkcode AcceptLoop} admits and reports. */
export interface AcceptLoopOptions<C extends Deno.Conn> {
  /**
   * Most connections open at once; any more are accepted and closed at once, unless one of the
   * open ones is idle (see {@linkcode ConnectionSlot.idle}): then the longest idle one is closed.
   */
  readonly maxConnections: number;
  /**
   * Serves one admitted connection. It counts as open until the handler calls `slot.release()`
   * (once, when the connection is over); the handler may set `slot.onAbort` to close it itself
   * when the loop sheds it or the owner aborts all (otherwise the loop closes the connection).
   */
  readonly onConnection: (conn: C, slot: ConnectionSlot) => void;
  /** A connection over the cap was closed; `total` counts them since the start. */
  readonly onRefused?: (total: number) => void;
  /**
   * The port was full and an idle connection (see {@linkcode ConnectionSlot.idle}) was closed to
   * admit a new one; `total` counts them since the start.
   */
  readonly onShed?: (total: number) => void;
  /** `accept()` failed; the loop waits `delayMs` (0: not at all) before accepting again. */
  readonly onAcceptError?: (error: Error, kind: AcceptErrorKind, delayMs: number) => void;
  /** The wait after the `attempt`-th failure in a row that means exhaustion (default: 10 ms doubling up to 1 s). */
  readonly backoff?: (attempt: number) => number;
}

/**
 * An admitted connection's place under the cap: small (one object, no promise, no signal), as a
 * stand may hold tens of thousands of lamps.
 */
export class ConnectionSlot {
  /** Set by the handler: how to drop the connection when asked to (default: close it). */
  onAbort: ((reason: Error) => void) | null = null;
  #conn: Deno.Conn;
  #slots: Set<ConnectionSlot>;
  #idle: Set<ConnectionSlot>;

  /**
   * @param conn The connection.
   * @param slots The loop's open slots (this one is removed on release).
   * @param idle The loop's idle slots, longest idle first.
   */
  constructor(conn: Deno.Conn, slots: Set<ConnectionSlot>, idle: Set<ConnectionSlot>) {
    this.#conn = conn;
    this.#slots = slots;
    this.#idle = idle;
  }

  /**
   * Says whether the connection is idle: waiting for a request (or the rest of its head), with
   * nothing in hand. When the port is full, the longest idle connection is closed to admit a new
   * one, so connections that never finish a request cannot keep real ones out.
   * @param idle Idle now (`true`), or working on a request (`false`).
   */
  idle(idle: boolean): void {
    this.#idle.delete(this);
    if (idle && this.#slots.has(this)) this.#idle.add(this);
  }

  /** Frees the place: the connection is over. */
  release(): void {
    this.#slots.delete(this);
    this.#idle.delete(this);
  }

  /**
   * Drops the connection (the handler's `onAbort`, or a plain close).
   * @param reason Why.
   */
  abort(reason: Error): void {
    if (!this.#slots.has(this)) return;
    try {
      if (this.onAbort) this.onAbort(reason);
      else this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * The default wait after repeated exhaustion: 10 ms, doubling, capped at 1 s.
 *
 * @param attempt Failures in a row before this one (0 for the first).
 * @returns The wait in ms.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { exhaustionBackoff } from "./accept_loop.ts";
 * assertEquals([0, 1, 2, 20].map(exhaustionBackoff), [10, 20, 40, 1000]);
 * ```
 */
export function exhaustionBackoff(attempt: number): number {
  return Math.min(1000, 10 * 2 ** Math.min(attempt, 10));
}

/**
 * Accepts connections from a listener until it is closed. Never throws: every accept error is
 * classified ({@linkcode classifyAcceptError}) and reported; only exhaustion (and errors it
 * cannot place) make it wait, so a flood of resets cannot slow real peers down.
 *
 * @example
 * ```ts
 * import { AcceptLoop } from "./accept_loop.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const loop = new AcceptLoop(listener, {
 *   maxConnections: 100,
 *   onConnection: (conn, slot) => {
 *     conn.close();
 *     slot.release();
 *   },
 * });
 * listener.close();
 * await loop.closed;
 * ```
 */
export class AcceptLoop<C extends Deno.Conn> {
  /** Resolves once the loop has ended (the listener was closed). */
  readonly closed: Promise<void>;
  #listener: Deno.Listener<C>;
  #options: AcceptLoopOptions<C>;
  #maxConnections: number;
  #open = new Set<ConnectionSlot>();
  #idle = new Set<ConnectionSlot>();
  #refused = 0;
  #shed = 0;
  #stop = new AbortController();

  /**
   * Starts accepting at once.
   * @param listener The listener (TCP or TLS); {@linkcode close} closes it.
   * @param options The cap, the connection handler and the reports.
   */
  constructor(listener: Deno.Listener<C>, options: AcceptLoopOptions<C>) {
    this.#listener = listener;
    this.#options = options;
    this.#maxConnections = options.maxConnections;
    this.closed = this.#run();
  }

  /** Connections open now. */
  get open(): number {
    return this.#open.size;
  }

  /** Connections closed at once for being over the cap, since the start. */
  get refused(): number {
    return this.#refused;
  }

  /** The cap on open connections. */
  get maxConnections(): number {
    return this.#maxConnections;
  }

  /**
   * Changes the cap; when lowered below the open count, the newest connections are aborted.
   * @param cap The new cap (0 or more).
   */
  set maxConnections(cap: number) {
    this.#maxConnections = Math.max(0, cap);
    this.abortNewest(this.#maxConnections, new RangeError(`over the cap of ${cap}`));
  }

  /**
   * Aborts the newest open connections beyond the first `keep`.
   * @param keep How many of the oldest stay open.
   * @param reason Given to each aborted connection's `onAbort`.
   */
  abortNewest(keep: number, reason: Error): void {
    for (const slot of [...this.#open].slice(keep)) slot.abort(reason);
  }

  /** Stops accepting (closes the listener) and waits for the loop to end; open connections stay. */
  async close(): Promise<void> {
    this.#stop.abort();
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.closed;
  }

  /**
   * Aborts every open connection.
   * @param reason Given to each connection's `onAbort`.
   */
  abortConnections(reason: Error): void {
    for (const slot of [...this.#open]) slot.abort(reason);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      let conn: C;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        const kind = classifyAcceptError(error);
        if (kind === "closed" || this.#stop.signal.aborted) return;
        const delayMs = kind === "peer"
          ? 0
          : (this.#options.backoff ?? exhaustionBackoff)(failures++);
        this.#report(() => this.#options.onAcceptError?.(error as Error, kind, delayMs));
        if (delayMs > 0) await abortableSleep(delayMs, this.#stop.signal);
        continue;
      }
      failures = 0;
      const longestIdle = this.#idle.values().next().value;
      if (this.#open.size >= this.#maxConnections && longestIdle && this.#maxConnections > 0) {
        // It counts as open until its handler releases it, once its descriptor is closed.
        this.#idle.delete(longestIdle);
        this.#shed++;
        longestIdle.abort(
          new RangeError("the port is full: the longest idle connection made room"),
        );
        this.#report(() => this.#options.onShed?.(this.#shed));
        this.#serve(conn);
        continue;
      }
      if (this.#open.size >= this.#maxConnections) {
        this.#refused++;
        closeQuietly(conn);
        this.#report(() => this.#options.onRefused?.(this.#refused));
        continue;
      }
      this.#serve(conn);
    }
  }

  #serve(conn: C): void {
    const slot = new ConnectionSlot(conn, this.#open, this.#idle);
    this.#open.add(slot);
    try {
      this.#options.onConnection(conn, slot);
    } catch {
      slot.release(); // a handler should not throw; if it does, the connection still ends
      closeQuietly(conn);
    }
  }

  #report(call: () => void): void {
    try {
      call();
    } catch {
      // a failing report must not end the loop
    }
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
