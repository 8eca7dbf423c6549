/**
 * A port's connection budget: how many connections it may hold at once, fixed at start. Threads
 * serving one port (the lamp workers) share one budget through shared memory.
 *
 * @module
 */

/**
 * A fixed number of places: a connection takes one when it is accepted and gives it back when it
 * ends. Holders (threads) sharing a budget take from one total; each also keeps its own tally,
 * so the places of a holder that died can be given back ({@linkcode PortBudget.giveBackAll}).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { PortBudget } from "./port_budget.ts";
 * const budget = new PortBudget(2);
 * assertEquals([budget.take(), budget.take(), budget.take()], [true, true, false]);
 * budget.give();
 * assertEquals([budget.take(), budget.taken], [true, 2]);
 * ```
 */
export class PortBudget {
  /** The places there are. */
  readonly size: number;
  /** `[0]`: places taken by all holders; `[1 + holder]`: by each holder. */
  readonly counters: Int32Array;
  #mine: number;

  /**
   * A view of a budget for one holder.
   * @param size The places there are (`Infinity`: no limit).
   * @param counters The tallies (see {@linkcode PortBudget.shared}); a budget of its own by default.
   * @param holder Which holder takes through this object.
   */
  constructor(size: number, counters: Int32Array = new Int32Array(2), holder = 0) {
    this.size = size;
    this.counters = counters;
    this.#mine = 1 + holder;
  }

  /**
   * A budget in shared memory, for `holders` threads: each builds its own view with
   * `new PortBudget(size, new Int32Array(budget.counters.buffer), holder)`.
   * @param size The places there are.
   * @param holders How many threads take from it.
   * @returns The budget (as seen by holder 0).
   */
  static shared(size: number, holders: number): PortBudget {
    return new PortBudget(size, new Int32Array(new SharedArrayBuffer(4 * (1 + holders))));
  }

  /** Places taken now, by all holders. */
  get taken(): number {
    return Atomics.load(this.counters, 0);
  }

  /**
   * Takes a place.
   * @returns `false` when every place is taken (nothing is taken then).
   */
  take(): boolean {
    if (Atomics.add(this.counters, 0, 1) >= this.size) {
      Atomics.sub(this.counters, 0, 1);
      return false;
    }
    Atomics.add(this.counters, this.#mine, 1);
    return true;
  }

  /** Gives a place back. */
  give(): void {
    Atomics.sub(this.counters, this.#mine, 1);
    Atomics.sub(this.counters, 0, 1);
  }

  /**
   * Gives back every place a holder still has (a thread that ended holding them).
   * @param holder The holder.
   * @returns How many places it had.
   */
  giveBackAll(holder: number): number {
    const held = Atomics.exchange(this.counters, 1 + holder, 0);
    Atomics.sub(this.counters, 0, held);
    return held;
  }
}
