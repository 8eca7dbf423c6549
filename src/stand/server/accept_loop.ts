/**
 * The one accept loop every port of the stand uses (lamps, API, page): a budget of connections
 * fixed at start (a full port sheds its longest idle connection, then its oldest upgraded one,
 * for a newcomer, or refuses the newcomer when it has neither), a growing wait only when the
 * process runs out of descriptors, and a clean end.
 *
 * @module
 */
import { abortableSleep } from "../../net/abortable_sleep.ts";
import { closeQuietly } from "../../net/close_quietly.ts";
import { type AcceptErrorKind, classifyAcceptError } from "./accept_error.ts";
import { PortBudget } from "./port_budget.ts";

/** How an {@linkcode AcceptLoop} admits and reports. */
export interface AcceptLoopOptions<C extends Deno.Conn> {
  /**
   * Most connections open at once, or a budget shared with other loops on the same port (lamp
   * workers). When it is spent, a newcomer takes the place of the longest idle connection (see
   * {@linkcode ConnectionSlot.idle}), else of the oldest upgraded one (see
   * {@linkcode ConnectionSlot.upgraded}), else it is closed at once.
   */
  readonly maxConnections: number | PortBudget;
  /**
   * Serves one admitted connection. It holds its place until the handler calls `slot.release()`
   * (once, when the connection is over); the handler may set `slot.onAbort` to close it itself
   * when the owner aborts all (otherwise the loop closes the connection).
   */
  readonly onConnection: (conn: C, slot: ConnectionSlot) => void;
  /** A connection over the budget was closed; `total` counts them since the start. */
  readonly onRefused?: (total: number) => void;
  /**
   * The port was full and an idle or upgraded connection was closed to admit a new one; `total`
   * counts them since the start.
   */
  readonly onShed?: (total: number) => void;
  /** `accept()` failed; the loop waits `delayMs` (0: not at all) before accepting again. */
  readonly onAcceptError?: (error: Error, kind: AcceptErrorKind, delayMs: number) => void;
  /** The wait after the `attempt`-th failure in a row that means exhaustion (default: 10 ms doubling up to 1 s). */
  readonly backoff?: (attempt: number) => number;
}

/** A loop's open connections, the ones it may shed (oldest first), and its budget. */
interface Places {
  readonly open: Set<ConnectionSlot>;
  readonly idle: Set<ConnectionSlot>;
  readonly upgraded: Set<ConnectionSlot>;
  readonly budget: PortBudget;
}

/**
 * An admitted connection's place in its port's budget: small (one object, no promise, no signal),
 * as a stand may hold tens of thousands of lamps.
 */
export class ConnectionSlot {
  /** Set by the handler: how to drop the connection when asked to (default: close it). */
  onAbort: ((reason: Error) => void) | null = null;
  #conn: Deno.Conn;
  #places: Places;
  /** Only once shed: resolves when the place is given back. */
  #released: PromiseWithResolvers<void> | null = null;

  /**
   * A place in the loop's budget, held by a connection.
   * @param conn The connection.
   * @param places The loop's places (this one leaves them on release).
   */
  constructor(conn: Deno.Conn, places: Places) {
    this.#conn = conn;
    this.#places = places;
  }

  /**
   * Says whether the connection is idle: waiting for a request (or the rest of its head), with
   * nothing in hand. When the port is full, the longest idle connection is closed to admit a new
   * one, so connections that never finish a request cannot keep real ones out.
   * @param idle Idle now (`true`), or working on a request (`false`).
   */
  idle(idle: boolean): void {
    const { idle: idleSlots, upgraded } = this.#places;
    idleSlots.delete(this);
    if (idle && this.#sheddable() && !upgraded.has(this)) idleSlots.add(this);
  }

  /**
   * Says the connection now speaks another protocol (a WebSocket) for as long as it lasts. When
   * the port is full and no connection is idle, the oldest upgraded one is closed to admit a new
   * one, so open WebSockets cannot keep every request out.
   */
  upgraded(): void {
    this.#places.idle.delete(this);
    if (this.#sheddable()) this.#places.upgraded.add(this);
  }

  /** Gives the place back: the connection is over. */
  release(): void {
    const { open, idle, upgraded, budget } = this.#places;
    if (!open.delete(this)) return;
    idle.delete(this);
    upgraded.delete(this);
    budget.give();
    this.#released?.resolve();
  }

  /**
   * Drops the connection (the handler's `onAbort`, or a plain close).
   * @param reason Why.
   */
  abort(reason: Error): void {
    if (!this.#places.open.has(this)) return;
    try {
      if (this.onAbort) this.onAbort(reason);
      else this.#conn.close();
    } catch {
      // already closed
    }
  }

  /**
   * Drops the connection to make room: closes it whatever its handler does.
   * @param reason Why, for the handler.
   * @returns Resolves once the handler has given the place back. A descriptor with a read
   *   pending is freed only then, a turn of the event loop after its close.
   */
  shed(reason: Error): Promise<void> {
    this.#released = Promise.withResolvers();
    this.#places.idle.delete(this);
    this.#places.upgraded.delete(this);
    this.abort(reason);
    closeQuietly(this.#conn);
    return this.#released.promise;
  }

  #sheddable(): boolean {
    return this.#places.open.has(this) && this.#released === null;
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
  #places: Places;
  #refused = 0;
  #shed = 0;
  #stop = new AbortController();

  /**
   * Starts accepting at once.
   * @param listener The listener (TCP or TLS); {@linkcode close} closes it.
   * @param options The budget, the connection handler and the reports.
   */
  constructor(listener: Deno.Listener<C>, options: AcceptLoopOptions<C>) {
    this.#listener = listener;
    this.#options = options;
    const { maxConnections } = options;
    this.#places = {
      open: new Set(),
      idle: new Set(),
      upgraded: new Set(),
      budget: typeof maxConnections === "number" ? new PortBudget(maxConnections) : maxConnections,
    };
    this.closed = this.#run();
  }

  /** Connections open now. */
  get open(): number {
    return this.#places.open.size;
  }

  /**
   * Takes a place in the budget for a connection that came another way (never shedding for it).
   * @returns Its place (release it when the connection ends), or `null` when none is free.
   */
  takePlace(): { release(): void } | null {
    const { budget } = this.#places;
    if (!budget.take()) return null;
    let held = true;
    return {
      release: () => {
        if (held) budget.give();
        held = false;
      },
    };
  }

  /** Connections closed at once for being over the budget, since the start. */
  get refused(): number {
    return this.#refused;
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
    for (const slot of [...this.#places.open]) slot.abort(reason);
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
      if (this.#places.budget.take() || await this.#makeRoom()) {
        this.#serve(conn);
        continue;
      }
      closeQuietly(conn);
      if (this.#stop.signal.aborted) return;
      this.#refused++;
      this.#report(() => this.#options.onRefused?.(this.#refused));
    }
  }

  /**
   * Sheds the longest idle connection, else the oldest upgraded one, and takes its place once
   * it is given back (the newcomer waits, so the port never holds more than its budget).
   * @returns Whether a place was taken.
   */
  async #makeRoom(): Promise<boolean> {
    const { idle, upgraded, budget } = this.#places;
    const oldest = idle.values().next().value ?? upgraded.values().next().value;
    if (!oldest) return false;
    await oldest.shed(new RangeError("the port is full: a newcomer takes this place"));
    this.#shed++;
    this.#report(() => this.#options.onShed?.(this.#shed));
    return !this.#stop.signal.aborted && budget.take();
  }

  #serve(conn: C): void {
    const slot = new ConnectionSlot(conn, this.#places);
    this.#places.open.add(slot);
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
