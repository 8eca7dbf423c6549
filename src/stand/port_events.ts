/**
 * What happens at the stand's ports, counted in the metrics and logged at a bounded rate:
 * connections refused or shed for being over their port's budget, heads that never came, failed
 * TLS handshakes, accept errors and refused requests. A flood of any of them costs one log line a
 * second per kind.
 *
 * @module
 */
import type { LogRecord } from "../log/log_line.ts";
import type { Level } from "../log/level.ts";
import type { AcceptErrorKind } from "./server/accept_error.ts";
import type { Budgets } from "./budgets.ts";
import type { StandMetrics } from "./metrics.ts";

/** The stand's ports. */
export type Service = keyof Budgets;

/** Log lines of one kind go out at most this often; the ones between are counted. */
export const LOG_INTERVAL_MS = 1000;
/** Refused requests of one status logged one by one per interval; the rest are counted. */
export const API_ERROR_BURST = 10;

/**
 * Counts and logs what happens at the stand's ports.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PortEvents } from "./port_events.ts";
 * const lines: string[] = [];
 * const events = new PortEvents({ lamps: 10, api: 2, web: 2 }, (r) => lines.push(r.event));
 * for (let total = 1; total <= 3; total++) events.refused("api")(total);
 * events.close();
 * assertEquals(lines, ["connections_refused", "connections_refused"]); // the second with count 2
 * ```
 */
export class PortEvents {
  /** Each port's budget, fixed at start. */
  readonly budgets: Budgets;
  #log: (record: LogRecord, level: Level) => void;
  #metrics: StandMetrics | undefined;
  #pending = new Map<string, { record: LogRecord; level: Level; count: number }>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Lines of each kind logged one by one in the current interval. */
  #sent = new Map<string, number>();

  /**
   * Events of ports with these budgets.
   * @param budgets Each port's budget (named in the lines as `max`).
   * @param log The stand's log sink.
   * @param metrics Where refusals, sheds and failed handshakes are counted (none: only logged).
   */
  constructor(
    budgets: Budgets,
    log: (record: LogRecord, level: Level) => void,
    metrics?: StandMetrics,
  ) {
    this.budgets = budgets;
    this.#log = log;
    this.#metrics = metrics;
  }

  /**
   * The callback for connections closed at once for being over a port's budget.
   * @param service Which port.
   * @returns The callback, logging `connections_refused` at a bounded rate.
   */
  refused(service: Service): (total: number) => void {
    return this.#closedForBudget(service, "connections_refused", "overCap");
  }

  /**
   * The callback for idle or upgraded connections closed to admit a new one on a full port.
   * @param service Which port.
   * @returns The callback, logging `connections_shed` at a bounded rate.
   */
  shed(service: Service): (total: number) => void {
    return this.#closedForBudget(service, "connections_shed", "shed");
  }

  /** Counts and logs (a warning, at a bounded rate) connections a full port closed. */
  #closedForBudget(
    service: Service,
    event: "connections_refused" | "connections_shed",
    counter: "overCap" | "shed",
  ): (total: number) => void {
    return (total) => {
      this.#metrics?.[counter].inc(service);
      this.#throttled(`${event}:${service}`, {
        event,
        service,
        total,
        max: this.budgets[service],
      }, "warn");
    };
  }

  /**
   * The callback for connections closed because their request head did not arrive in time.
   * @param service Which port.
   * @returns The callback, logging `header_timeout` at a bounded rate.
   */
  timedOut(service: Service): () => void {
    return () =>
      this.#throttled(`timeout:${service}`, { event: "header_timeout", service }, "info");
  }

  /**
   * The callback for TLS handshakes that failed on a port (a missing or untrusted client
   * certificate, a client that does not speak TLS, a handshake not done in time).
   * @param service Which port.
   * @returns The callback, logging `tls_handshake_failed` at a bounded rate.
   */
  handshakeFailed(service: Service): (error: Error) => void {
    return (error) => {
      this.#metrics?.handshakeFailed.inc(service);
      this.#throttled(`handshake:${service}`, {
        event: "tls_handshake_failed",
        service,
        reason: error.message,
      }, "warn");
    };
  }

  /**
   * The callback for accept errors on a port (logged at a bounded rate).
   * @param service Which port.
   * @returns The callback.
   */
  acceptError(service: Service): (error: Error, kind: AcceptErrorKind, delayMs: number) => void {
    return (error, kind, delayMs) =>
      this.#throttled(`accept:${service}:${kind}`, {
        event: "accept_error",
        service,
        error: error.message,
        kind,
        delay_ms: delayMs,
      }, "warn");
  }

  /**
   * Counts and logs a refused request (`api_error`): up to 10 a second of each status one by
   * one, the rest counted into one line a second, so a flood of bad requests (a token guessed
   * 20,000 times a second) cannot flood the log.
   * @param record The `api_error` record (with its `status`).
   * @param level Its level.
   */
  apiError(record: LogRecord & { readonly status: number }, level: Level): void {
    this.#metrics?.refusal(record.status);
    this.#throttled(`api_error:${record.status}`, record, level, API_ERROR_BURST);
  }

  /** Logs what is still counted and stops the timers. */
  close(): void {
    for (const key of [...this.#timers.keys()]) this.#flush(key);
  }

  /**
   * Logs the first `burst` of a kind at once, then at most one line per interval with the count
   * of the ones since.
   */
  #throttled(key: string, record: LogRecord, level: Level, burst = 1): void {
    const pending = this.#pending.get(key);
    if (pending) {
      pending.record = record;
      pending.count++;
      return;
    }
    const sent = this.#sent.get(key) ?? 0;
    if (this.#timers.has(key) && sent >= burst) {
      this.#pending.set(key, { record, level, count: 1 });
      return;
    }
    this.#log({ ...record, count: 1 }, level);
    this.#sent.set(key, sent + 1);
    if (!this.#timers.has(key)) this.#arm(key);
  }

  #arm(key: string): void {
    this.#timers.set(key, setTimeout(() => this.#flush(key, true), LOG_INTERVAL_MS));
  }

  /** Logs what was counted for `key`; `rearm`: keep throttling the next interval too. */
  #flush(key: string, rearm = false): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.#sent.delete(key);
    const pending = this.#pending.get(key);
    this.#pending.delete(key);
    if (!pending) return;
    this.#log({ ...pending.record, count: pending.count }, pending.level);
    if (rearm) this.#arm(key);
  }
}
