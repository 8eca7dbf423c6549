/**
 * A count of the commands a set of lamps applied, and a wait until it reaches a goal: how the
 * benchmarks tell that every lamp has applied a command.
 *
 * @module
 */

/** Counts applied commands (pass {@linkcode AppliedCount.onApplied} to every `LampClient`). */
export class AppliedCount {
  #applied = 0;
  #goal = 0;
  #reached: (() => void) | null = null;

  /** Counts one applied command; resolves the pending wait when the goal is reached. */
  readonly onApplied = (): void => {
    if (++this.#applied >= this.#goal && this.#reached) {
      this.#reached();
      this.#reached = null;
    }
  };

  /**
   * Raises the goal by `count` and waits until that many commands in all have been applied (the
   * first goal counts from 0). One wait at a time.
   * @param count How many more applied commands to wait for.
   * @returns Resolves once the goal is reached.
   * @example
   * ```ts
   * import { AppliedCount } from "./applied_count.ts";
   * const count = new AppliedCount();
   * const two = count.more(2);
   * count.onApplied();
   * count.onApplied();
   * await two;
   * await count.more(0);
   * ```
   */
  more(count: number): Promise<void> {
    this.#goal += count;
    return this.#applied >= this.#goal
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.#reached = resolve);
  }
}
