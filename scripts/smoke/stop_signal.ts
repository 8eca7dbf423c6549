/**
 * How the smoke test stops a flashlight process the way its platform does: SIGTERM on Unix (what
 * systemd, Docker and `kill` send), Ctrl-Break on Windows (see `windows_console.ts` for why it
 * takes more than `ChildProcess.kill()` there).
 *
 * @module
 */
import { WindowsConsoles } from "./windows_console.ts";

/** Prepares each spawn and delivers the stop signal to one child. */
export interface StopSignal {
  /** The signal's name, for the report. */
  readonly name: string;
  /** Called right before spawning a process that will be stopped with `stop`. */
  beforeSpawn(): void;
  /** Delivers the signal. */
  stop(child: Deno.ChildProcess): void;
  /** Releases what the signal needed. */
  close(): void;
}

/**
 * The stop signal for this platform.
 *
 * @param os The operating system (`Deno.build.os`).
 * @returns SIGTERM on Unix, Ctrl-Break (`SIGBREAK`) on Windows.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stopSignalFor } from "./stop_signal.ts";
 * assertEquals(stopSignalFor("linux").name, "SIGTERM");
 * ```
 */
export function stopSignalFor(os: typeof Deno.build.os): StopSignal {
  if (os === "windows") {
    const consoles = new WindowsConsoles();
    return {
      name: "Ctrl-Break (SIGBREAK)",
      beforeSpawn: () => consoles.newConsole(),
      stop: (child) => consoles.ctrlBreak(child.pid),
      close: () => consoles.close(),
    };
  }
  return {
    name: "SIGTERM",
    beforeSpawn: () => {},
    stop: (child) => child.kill("SIGTERM"),
    close: () => {},
  };
}
