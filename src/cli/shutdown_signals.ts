/**
 * Listens for the signals that mean "stop": SIGINT, SIGTERM and (where the OS has it) SIGHUP.
 *
 * @module
 */

/** The stop signals this OS supports. */
export const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Calls `handler` with the signal's name each time a stop signal arrives.
 *
 * @param handler Receives the signal.
 * @returns A function that removes the listeners.
 * @example
 * ```ts
 * import { onStopSignals } from "./shutdown_signals.ts";
 * const remove = onStopSignals((signal) => console.error(`got ${signal}`));
 * remove();
 * ```
 */
export function onStopSignals(handler: (signal: Deno.Signal) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => handler(signal);
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  };
}
