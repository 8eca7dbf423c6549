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
 * A repeat within this many ms is the same keypress delivered twice (the terminal signals the
 * whole process group, and `deno task` forwards the signal to its child too).
 */
const SAME_PRESS_MS = 250;

/**
 * Calls `stop` with the signal's name on the first stop signal; a second one (not the same
 * keypress delivered twice) calls `beforeForcedExit` and exits 130 at once, for a user who does
 * not want to wait.
 *
 * @param stop Starts a clean shutdown.
 * @param beforeForcedExit Restores what must be restored (the terminal) before a forced exit.
 * @returns A function that removes the listeners.
 * @example
 * ```ts
 * import { stopOnSignals } from "./shutdown_signals.ts";
 * const remove = stopOnSignals((signal) => console.error(`stopping on ${signal}`), () => {});
 * remove();
 * ```
 */
export function stopOnSignals(
  stop: (signal: Deno.Signal) => void,
  beforeForcedExit: () => void,
): () => void {
  let firstAt: number | undefined;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        stop(signal);
      } else if (Date.now() - firstAt > SAME_PRESS_MS) {
        beforeForcedExit();
        Deno.exit(EXIT.interrupted);
      }
    };
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  };
}
