/**
 * A sleep that ends early, and at once, when its signal aborts.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds or until `signal` aborts, whichever comes first; never rejects.
 *
 * @param ms How long to wait.
 * @param signal Ends the wait early.
 * @returns A promise that resolves when the wait is over.
 * @example
 * ```ts
 * import { abortableSleep } from "./abortable_sleep.ts";
 * await abortableSleep(1, new AbortController().signal);
 * ```
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
