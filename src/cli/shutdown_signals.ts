/**
 * Listens for the signals that mean "stop": SIGINT, SIGTERM and (where the OS has it) SIGHUP.
 *
 * @module
 */
import { EXIT } from "./exit_codes.ts";

/** The stop signals this OS supports. */
export const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Calls `stop` on the first stop signal; a second one calls `beforeForcedExit` and exits 130
 * at once (for a user who does not want to wait for a clean shutdown).
 *
 * @param stop Starts a clean shutdown.
 * @param beforeForcedExit Restores what must be restored (the terminal) before a forced exit.
 * @returns A function that removes the listeners.
 * @example
 * ```ts
 * import { stopOnSignals } from "./shutdown_signals.ts";
 * const remove = stopOnSignals(() => console.error("stopping"), () => {});
 * remove();
 * ```
 */
export function stopOnSignals(stop: () => void, beforeForcedExit: () => void): () => void {
  let stopping = false;
  const listener = () => {
    if (stopping) {
      beforeForcedExit();
      Deno.exit(EXIT.interrupted);
    }
    stopping = true;
    stop();
  };
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, listener);
  return () => {
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, listener);
  };
}
