/**
 * The idle timeout of one connection: a read only records its time; one timer, when it fires
 * early, sleeps again for what is left; when nothing arrived for the whole timeout, the connection
 * is given up. In `"auto"` mode the timeout is off until the server sends keep-alive frames, then
 * three times the longest gap seen between two of them (at least `minAutoMs`).
 *
 * @module
 */
import type { Dispatcher } from "../commands/dispatcher.ts";

/** Tuning of {@linkcode IdleWatch}. */
export interface IdleWatchOptions {
  /** The least timeout learned in auto mode (default 30 s). */
  readonly minAutoMs?: number;
  /** The clock in ms (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * Watches one connection for silence.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { Dispatcher } from "../commands/dispatcher.ts";
 * import { IdleWatch } from "./idle_watch.ts";
 * const { promise, resolve } = Promise.withResolvers<void>();
 * const watch = new IdleWatch(10, new Dispatcher(createCommandTable()), resolve);
 * await promise;
 * assert(watch.fired);
 * ```
 */
export class IdleWatch {
  /** Whether the timeout ran out. */
  fired = false;
  #setting: number | "auto";
  #dispatcher: Dispatcher;
  #onIdle: () => void;
  #now: () => number;
  #minAutoMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timeoutMs = 0;
  #lastByteAt: number;
  #keepalives: number;
  #lastKeepaliveAt = -1;
  #longestGapMs = 0;

  /**
   * Starts watching (at once for a fixed timeout; after the first keep-alive in auto mode).
   * @param setting The timeout in ms (0: never), or `"auto"`.
   * @param dispatcher Counts the keep-alive frames.
   * @param onIdle Called once when the timeout runs out.
   * @param options Clock and the least auto timeout.
   */
  constructor(
    setting: number | "auto",
    dispatcher: Dispatcher,
    onIdle: () => void,
    options: IdleWatchOptions = {},
  ) {
    this.#setting = setting;
    this.#dispatcher = dispatcher;
    this.#onIdle = onIdle;
    this.#now = options.now ?? (() => performance.now());
    this.#minAutoMs = options.minAutoMs ?? 30_000;
    this.#lastByteAt = this.#now();
    this.#keepalives = dispatcher.counts.keepalives;
    if (typeof setting === "number" && setting > 0) this.#start(setting);
  }

  /** The timeout in force, in ms (0: none yet). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Notes that bytes arrived (and, in auto mode, learns the keep-alive rhythm). */
  bytesArrived(): void {
    this.#lastByteAt = this.#now();
    if (this.#setting === "auto") this.#learn();
  }

  /**
   * Why the connection was given up.
   * @returns Why the connection was given up, for the log.
   */
  reason(): string {
    return `no data for ${Math.round(this.#timeoutMs / 100) / 10} s (idle timeout)`;
  }

  /** Stops the timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #learn(): void {
    const keepalives = this.#dispatcher.counts.keepalives;
    if (keepalives === this.#keepalives) return;
    this.#keepalives = keepalives;
    if (this.#lastKeepaliveAt >= 0) {
      this.#longestGapMs = Math.max(this.#longestGapMs, this.#lastByteAt - this.#lastKeepaliveAt);
    }
    this.#lastKeepaliveAt = this.#lastByteAt;
    this.#start(Math.max(this.#minAutoMs, 3 * this.#longestGapMs));
  }

  #start(timeoutMs: number): void {
    this.#timeoutMs = timeoutMs;
    if (this.#timer === undefined) this.#sleep(timeoutMs);
  }

  #sleep(ms: number): void {
    this.#timer = setTimeout(() => {
      const left = this.#timeoutMs - (this.#now() - this.#lastByteAt);
      if (left > 0) return this.#sleep(left);
      this.#timer = undefined;
      this.fired = true;
      this.#onIdle();
    }, ms);
  }
}
