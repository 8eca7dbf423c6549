/**
 * The one accept loop every port of the stand uses (lamps, API, page): a cap on open
 * connections, a growing wait only when the process runs out of descriptors, and a clean end.
 *
 * @module
 */
import { abortableSleep } from "../../net/abortable_sleep.ts";
import { type AcceptErrorKind, classifyAcceptError } from "./accept_error.ts";

/** How an {@linkcode AcceptLoop} admits and reports. */
export interface AcceptLoopOptions<C extends Deno.Conn> {
  /** Most connections open at once; any more are accepted and closed at once. */
  readonly maxConnections: number;
  /**
   * Serves one admitted connection; it counts as open until the promise settles. When `signal`
   * aborts (the loop sheds it, or the owner aborts all), the connection must be closed.
   */
  readonly onConnection: (conn: C, signal: AbortSignal) => Promise<void>;
  /** A connection over the cap was closed; `total` counts them since the start. */
  readonly onRefused?: (total: number) => void;
  /** `accept()` failed; the loop waits `delayMs` (0: not at all) before accepting again. */
  readonly onAcceptError?: (error: Error, kind: AcceptErrorKind, delayMs: number) => void;
  /** The wait after the `attempt`-th failure in a row that means exhaustion (default: 10 ms doubling up to 1 s). */
  readonly backoff?: (attempt: number) => number;
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
 *   onConnection: (conn) => Promise.resolve(conn.close()),
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
  #open = new Set<AbortController>();
  #refused = 0;
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
    const excess = [...this.#open].slice(this.#maxConnections);
    for (const controller of excess) controller.abort(new RangeError(`over the cap of ${cap}`));
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
   * Aborts every open connection's signal.
   * @param reason Given to each signal.
   */
  abortConnections(reason: Error): void {
    for (const controller of this.#open) controller.abort(reason);
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
      if (this.#open.size >= this.#maxConnections) {
        this.#refused++;
        closeQuietly(conn);
        this.#report(() => this.#options.onRefused?.(this.#refused));
        continue;
      }
      this.#serve(conn);
    }
  }

  async #serve(conn: C): Promise<void> {
    const controller = new AbortController();
    this.#open.add(controller);
    try {
      await this.#options.onConnection(conn, controller.signal);
    } catch {
      closeQuietly(conn); // a handler should not throw; if it does, the connection still ends
    } finally {
      this.#open.delete(controller);
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
