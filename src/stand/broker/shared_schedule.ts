/**
 * One reconnect schedule shared by several connections to the same server, so that they dial at
 * the same moments: when the server comes back, they are all up within one attempt of each other
 * (with separate schedules, one could wait seconds longer than the other, and the instance stays
 * half connected meanwhile).
 *
 * @module
 */

/**
 * Wraps a reconnect delay so that every connection using the result dials when the first one to
 * ask was told to: a connection that asks while an attempt is already due waits for that moment.
 *
 * @param delay The delay for attempt n (e.g. exponential backoff with jitter).
 * @param now The clock, in ms.
 * @returns The shared delay for attempt n.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sharedSchedule } from "./shared_schedule.ts";
 * let time = 0;
 * const delay = sharedSchedule((attempt) => 100 * 2 ** attempt, () => time);
 * assertEquals(delay(0), 100); // the first connection sets the moment
 * time = 30;
 * assertEquals(delay(0), 70); // the second one dials then too
 * time = 100;
 * assertEquals(delay(1), 200); // both failed again: a new moment
 * ```
 */
export function sharedSchedule(
  delay: (attempt: number) => number,
  now: () => number = Date.now,
): (attempt: number) => number {
  let due = -Infinity;
  return (attempt) => {
    const time = now();
    if (due <= time) due = time + delay(attempt);
    return due - time;
  };
}
