/**
 * Records events and lets a test await the one it expects (no sleeps).
 *
 * @module
 */

/** Records events of type `E` and resolves waiters when a matching one arrives. */
export class EventRecorder<E extends { readonly event: string }> {
  /** Every event so far, in order. */
  readonly events: E[] = [];
  #waiters: { match: (event: E) => boolean; resolve: (event: E) => void; from: number }[] = [];

  /** Pass this as the `onEvent` callback. */
  readonly onEvent = (event: E): void => {
    this.events.push(event);
    const index = this.events.length - 1;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (index < waiter.from || !waiter.match(event)) return true;
      waiter.resolve(event);
      return false;
    });
  };

  /**
   * Waits for an event matching `match` that arrives at or after position `from`.
   * Rejects after `guardMs` so a broken build fails instead of hanging (not a speed check).
   * @param match The condition.
   * @param from Skip events recorded before this index (default: only new events).
   * @param guardMs Hang guard.
   * @returns The matching event.
   */
  next(match: (event: E) => boolean, from = this.events.length, guardMs = 20_000): Promise<E> {
    const past = this.events.slice(from).find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event; saw ${this.names()}`)),
        guardMs,
      );
      this.#waiters.push({
        match,
        from,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  /**
   * Waits for the next event with this name.
   * @param name The event name.
   * @param from Skip events before this index.
   * @returns The event.
   */
  nextNamed(name: string, from?: number): Promise<E> {
    return this.next((event) => event.event === name, from);
  }

  /** The names of all events so far, for failure messages. */
  names(): string {
    return this.events.map((event) => event.event).join(",");
  }
}
