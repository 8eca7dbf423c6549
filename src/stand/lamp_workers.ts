/**
 * The stand's lamp side on several threads: lamp workers (`lamp_worker.ts`) share the lamp port
 * through `SO_REUSEPORT`, each writing to its own lamps, so the writes of one command to 10,000
 * lamps run on every core at once. To the stand they are one lamp list: one count, one budget (in
 * memory the workers share), frames to every worker in the order broadcast, with the sync
 * frames of the state they lead to, and every worker applying the same queue limit and drop rule.
 * The workers serve the web port too (`web_front.ts`): a WebSocket lamp lives in the worker that
 * accepted it; every other connection to the web port is lent to this thread
 * ({@linkcode LampWorkers.webConnections}), where the page is served. A WebSocket lamp that comes
 * on such a connection (after other requests on it) lives on this thread, in the same list.
 *
 * @module
 */
import type { TlsKeyPair } from "./http_listener.ts";
import { LampGroup } from "./lamp_group.ts";
import type { LampConnection } from "./lamp_peer.ts";
import type { LampEvents, LampSide } from "./lamp_side.ts";
import type { FromLampWorker, LampWorkerEvent, ToLampWorker } from "./lamp_worker_messages.ts";
import { ConnQueue } from "./server/conn_queue.ts";
import { BorrowedConn, SecureBorrowedConn } from "./server/lent_conn.ts";
import { PortBudget } from "./server/port_budget.ts";
import type { WebFrontConfig, WebFrontEvents } from "./web_front.ts";

/** How {@linkcode LampWorkers} serve the lamp port. */
export interface LampWorkersOptions {
  /** The interface to listen on. */
  readonly hostname: string;
  /** The lamp port (already checked free: the workers bind it together). */
  readonly port: number;
  /** How many workers (2 or more). */
  readonly workers: number;
  /** The accept queue of each worker's listener. */
  readonly backlog: number;
  /** The lamp port over TLS. */
  readonly tls?: TlsKeyPair;
  /** Bytes a lamp may have waiting before it is dropped. */
  readonly queueLimit: number;
  /** Most lamp connections open at once, over all workers (the lamp port's budget). */
  readonly maxConnections: number;
  /** The frames a lamp gets first when it connects (the current state; may be none). */
  readonly sync: () => readonly Uint8Array[];
  /** Callbacks for connects, disconnects, refusals and accept errors, from every worker. */
  readonly events: LampEvents;
  /** A worker failed (an uncaught error ended it; its lamps are gone). */
  readonly onWorkerError: (worker: number, message: string, lamps: number) => void;
  /** The workers serve the web port too: how, and where its events go. */
  readonly web?: {
    readonly config: Omit<WebFrontConfig, "maxConnections">;
    /** The web port's budget, split between the workers (see {@linkcode budgetShare}). */
    readonly maxConnections: number;
    readonly events: WebFrontEvents;
  };
}

/** How long a worker may take to close after its lamps' time is up. */
const CLOSE_GRACE_MS = 2000;

/** One worker and what the stand knows of it. */
interface WorkerState {
  readonly worker: Worker;
  count: number;
  /** Connections over the budget each port closed, and those the web port shed. */
  refused: { lamps: number; web: number };
  shed: number;
  /** The web port's connections it lent to this thread, until they close. */
  readonly lent: Set<BorrowedConn>;
  queued: number;
  closed: PromiseWithResolvers<void> | null;
  /** An uncaught error ended it: nothing to close, nobody to wait for. */
  failed: boolean;
}

/**
 * Lamp workers serving one port as one lamp side.
 *
 * @example
 * ```ts ignore
 * import { LampWorkers } from "./lamp_workers.ts";
 * const lamps = await LampWorkers.start({ hostname: "127.0.0.1", port: 9999, workers: 2, ... });
 * lamps.broadcast(new Uint8Array([0x12, 0, 0]));
 * await lamps.close(1000);
 * ```
 */
export class LampWorkers implements LampSide {
  /** The port lamps connect to. */
  readonly port: number;
  #options: LampWorkersOptions;
  #workers: WorkerState[];
  #budget: PortBudget;
  #pending: Uint8Array[] = [];
  /** The lamps on this thread (WebSockets), and their places in the shared budget. */
  #local: LampGroup;
  #localBudget: PortBudget;
  #refused = 0;
  /**
   * The connections to the web port the workers lend to this thread, to serve as its own
   * (`null`: the workers do not serve the web port).
   */
  readonly webConnections: ConnQueue | null;

  private constructor(
    options: LampWorkersOptions,
    workers: WorkerState[],
    budget: PortBudget,
  ) {
    this.port = options.port;
    this.#options = options;
    this.#workers = workers;
    this.#budget = budget;
    this.#localBudget = new PortBudget(
      options.maxConnections,
      new Int32Array(budget.counters.buffer),
      workers.length, // the holder after the workers
    );
    this.#local = new LampGroup({ ...options, total: () => this.count });
    const web = options.web?.config;
    this.webConnections = web
      ? new ConnQueue({ transport: "tcp", hostname: web.hostname, port: web.port })
      : null;
  }

  /**
   * Starts the workers; resolves once every one listens.
   * @param options The port, the number of workers and how they serve.
   * @returns The running workers.
   * @throws {Error} When a worker cannot listen (all are stopped again).
   */
  static async start(options: LampWorkersOptions): Promise<LampWorkers> {
    const budget = PortBudget.shared(options.maxConnections, options.workers + 1);
    const states: WorkerState[] = Array.from({ length: options.workers }, () => ({
      worker: new Worker(new URL("./lamp_worker.ts", import.meta.url), { type: "module" }),
      count: 0,
      refused: { lamps: 0, web: 0 },
      shed: 0,
      lent: new Set(),
      queued: 0,
      closed: null,
      failed: false,
    }));
    const lamps = new LampWorkers(options, states, budget);
    const started = states.map((state, index) => lamps.#listen(state, index));
    const sync = options.sync();
    states.forEach((state, holder) =>
      state.worker.postMessage(
        {
          type: "start",
          hostname: options.hostname,
          port: options.port,
          backlog: options.backlog,
          tls: options.tls,
          queueLimit: options.queueLimit,
          budget: {
            size: options.maxConnections,
            counters: budget.counters.buffer as SharedArrayBuffer,
            holder,
          },
          sync,
          ...(options.web
            ? {
              web: {
                ...options.web.config,
                maxConnections: budgetShare(options.web.maxConnections, options.workers, holder),
              },
            }
            : {}),
        } satisfies ToLampWorker,
      )
    );
    const failures = (await Promise.all(started)).filter((failure) => failure !== null);
    if (failures.length > 0) {
      for (const state of states) state.worker.terminate();
      throw new Error(`lamp worker cannot listen on port ${options.port}: ${failures[0]}`);
    }
    return lamps;
  }

  /** How many lamps are connected, over all workers (as their reports so far say). */
  get count(): number {
    return this.#workers.reduce((sum, state) => sum + state.count, this.#local.count);
  }

  /** Bytes queued for lamps, as the workers last reported (at least once a second). */
  get queuedBytes(): number {
    return this.#workers.reduce((sum, state) => sum + state.queued, this.#local.queuedBytes);
  }

  /**
   * Queues one frame for every lamp of every worker, after every frame queued before it.
   * @param frame The encoded frame.
   * @returns How many lamps are connected (it goes to each of them).
   */
  broadcast(frame: Uint8Array): number {
    // A view into a larger buffer would copy all of that buffer to every worker.
    this.#pending.push(frame.byteLength === frame.buffer.byteLength ? frame : frame.slice());
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
    this.#local.broadcast(frame);
    return this.count;
  }

  /**
   * Takes a lamp that came another way (a WebSocket on the page's port): it lives on this
   * thread, with a place in the budget the workers share.
   * @param conn Its connection.
   * @returns Whether it was taken (`false`: no place; the caller closes it).
   */
  admit(conn: LampConnection): boolean {
    if (!this.#localBudget.take()) {
      this.#refused++;
      this.#reportRefused();
      return false;
    }
    let held = true;
    this.#local.admit(conn, {
      release: () => {
        if (held) this.#localBudget.give();
        held = false;
      },
    });
    return true;
  }

  /**
   * Stops accepting, writes what is queued and closes every lamp cleanly, then the workers.
   * @param timeoutMs How long each lamp gets to close its side.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#pending.length > 0) this.#flush();
    this.webConnections?.close();
    const local = this.#local.close(timeoutMs);
    await Promise.all(this.#workers.map(async (state) => {
      if (state.failed) return;
      state.closed = Promise.withResolvers();
      state.worker.postMessage({ type: "close", timeoutMs } satisfies ToLampWorker);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2 * timeoutMs + CLOSE_GRACE_MS);
      });
      await Promise.race([state.closed.promise, late]);
      clearTimeout(timer);
      state.worker.terminate();
    }));
    await local;
  }

  /** Sends the frames broadcast in this task, with the sync of the state they lead to. */
  #flush(): void {
    const message: ToLampWorker = {
      type: "frames",
      frames: this.#pending,
      sync: this.#options.sync(),
    };
    this.#pending = [];
    for (const state of this.#workers) state.worker.postMessage(message);
  }

  /** Wires a worker's messages; resolves with `null` once it listens, or with why it cannot. */
  #listen(state: WorkerState, index: number): Promise<string | null> {
    const started = Promise.withResolvers<string | null>();
    state.worker.onmessage = ({ data }: MessageEvent<FromLampWorker>) => {
      if (data.type === "started") started.resolve(null);
      else if (data.type === "failed") started.resolve(`${data.name}: ${data.message}`);
      else if (data.type === "closed") state.closed?.resolve();
      else if (data.type === "web_conn") {
        const Borrowed = data.info.secure ? SecureBorrowedConn : BorrowedConn;
        const conn = new Borrowed(data.port, data.info, () => state.lent.delete(conn));
        state.lent.add(conn);
        // Read and written as a socket of this thread's (what the server uses of one).
        this.webConnections?.push(conn as unknown as Deno.Conn);
      } else {
        for (const event of data.events) this.#report(state, event);
        state.queued = data.queued;
      }
    };
    state.worker.onerror = (event) => {
      event.preventDefault();
      state.failed = true;
      started.resolve(event.message);
      const lamps = state.count;
      this.#budget.giveBackAll(index); // its connections are gone with it
      for (const conn of state.lent) conn.abandon();
      state.count = state.queued = 0;
      state.closed?.resolve();
      this.#options.onWorkerError(index, event.message, lamps);
    };
    return started.promise;
  }

  /** Lamps refused for want of a place, over the workers and this thread. */
  #reportRefused(): void {
    const total = this.#workers.reduce((sum, worker) => sum + worker.refused.lamps, this.#refused);
    this.#options.events.onRefused?.(total);
  }

  /** Something that happened on the web port of a worker. */
  #reportWeb(state: WorkerState, event: LampWorkerEvent, events: WebFrontEvents): void {
    const sum = (of: (state: WorkerState) => number) =>
      this.#workers.reduce((total, worker) => total + of(worker), 0);
    if (event.type === "web_refusal") events.onRefusal(event.refusal, event.level);
    else if (event.type === "web_timed_out") events.onTimedOut();
    else if (event.type === "refused") {
      state.refused.web = event.total;
      events.onRefused(sum((worker) => worker.refused.web));
    } else if (event.type === "shed") {
      state.shed = event.total;
      events.onShed(sum((worker) => worker.shed));
    } else if (event.type === "handshake_failed") events.onHandshakeError(new Error(event.message));
    else if (event.type === "accept_error") {
      events.onAcceptError(acceptError(event), event.kind, event.delayMs);
    }
  }

  #report(state: WorkerState, event: LampWorkerEvent): void {
    const { events, web } = this.#options;
    if ("port" in event && event.port === "web" || event.type.startsWith("web_")) {
      if (web) this.#reportWeb(state, event, web.events);
      return;
    }
    if (event.type === "connected") {
      state.count++;
      events.onConnect({ address: event.address }, this.count);
    } else if (event.type === "disconnected") {
      state.count--;
      events.onDisconnect({ address: event.address }, event.end, this.count);
    } else if (event.type === "handshake_failed") {
      events.onHandshakeError?.(new Error(event.message));
    } else if (event.type === "refused") {
      state.refused.lamps = event.total;
      this.#reportRefused();
    } else if (event.type === "accept_error") {
      events.onAcceptError(acceptError(event), event.kind, event.delayMs);
    }
  }
}

/**
 * A worker's share of a budget split between `workers`: the places as evenly as they go, at least
 * one each (so a budget below the number of workers is exceeded by the difference).
 *
 * @param size The budget.
 * @param workers How many share it.
 * @param worker Which one (from 0).
 * @returns Its share.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { budgetShare } from "./lamp_workers.ts";
 * assertEquals([0, 1, 2].map((worker) => budgetShare(256, 3, worker)), [86, 85, 85]);
 * assertEquals([0, 1].map((worker) => budgetShare(1, 2, worker)), [1, 1]);
 * ```
 */
export function budgetShare(size: number, workers: number, worker: number): number {
  const share = Math.floor(size / workers) + (worker < size % workers ? 1 : 0);
  return Math.max(1, share);
}

/** The error a worker's `accept()` failed with, as it reported it. */
function acceptError(event: Extract<LampWorkerEvent, { type: "accept_error" }>): Error {
  return Object.assign(new Error(event.message), { name: event.name, code: event.code });
}
