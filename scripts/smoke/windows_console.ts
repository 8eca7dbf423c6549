/**
 * Ctrl-Break for one process on Windows, through kernel32 (Deno FFI).
 *
 * Why: on Windows `ChildProcess.kill()` accepts only "SIGTERM" and "SIGKILL", and both call
 * `TerminateProcess(handle, 1)`: the child's handlers never run and it exits 1 ("SIGINT" and
 * "SIGBREAK" throw "Windows only supports ctrl-c (SIGINT) and ctrl-break (SIGBREAK)"; sending
 * them is the open pull request denoland/deno#35123). flashlight stops cleanly on the console events
 * Ctrl-C and Ctrl-Break (`SIGINT`, `SIGBREAK` in `src/cli/shutdown_signals.ts`). Ctrl-Break can be
 * sent to a process group or (group 0) to every process on the caller's console, but Deno cannot
 * start a child in a new process group that keeps a console (`detached: true` also takes its
 * console away). So each child gets a console of its own: the smoke script detaches from its
 * console, allocates a new one and spawns the child into it; to stop the child it attaches to that
 * console and broadcasts Ctrl-Break there, reaching only the child and itself (it listens for
 * `SIGBREAK`, so it survives). The shell that started the smoke script never shares these
 * consoles, so it is not interrupted.
 *
 * Verified where this is developed (Linux): that it type-checks, and the reasoning above from
 * Deno's source (`ext/process`: kill on Windows) and the Win32 console documentation. Not verified
 * here: that it runs; the release workflow's Windows smoke job is its first real run. Should it
 * fail there, the job fails and nothing is published.
 *
 * @module
 */

const CTRL_BREAK_EVENT = 1;

/** The kernel32 calls this needs. */
const SYMBOLS = {
  FreeConsole: { parameters: [], result: "i32" },
  AllocConsole: { parameters: [], result: "i32" },
  AttachConsole: { parameters: ["u32"], result: "i32" },
  GenerateConsoleCtrlEvent: { parameters: ["u32", "u32"], result: "i32" },
} as const;

/** Gives each child its own console and sends Ctrl-Break into one of them. */
export class WindowsConsoles {
  #kernel32: Deno.DynamicLibrary<typeof SYMBOLS>;
  #ignoreBreak = () => {};

  /** Loads kernel32 and starts ignoring Ctrl-Break in this process. */
  constructor() {
    this.#kernel32 = Deno.dlopen("kernel32.dll", SYMBOLS);
    Deno.addSignalListener("SIGBREAK", this.#ignoreBreak);
  }

  /** Moves this process to a fresh console; a child spawned next inherits it. */
  newConsole(): void {
    this.#kernel32.symbols.FreeConsole();
    if (!this.#kernel32.symbols.AllocConsole()) throw new Error("AllocConsole failed");
  }

  /**
   * Sends Ctrl-Break to every process on the console of `pid` (the child and this process).
   * @param pid A child spawned right after `newConsole()`.
   */
  ctrlBreak(pid: number): void {
    const { FreeConsole, AttachConsole, GenerateConsoleCtrlEvent } = this.#kernel32.symbols;
    FreeConsole();
    if (!AttachConsole(pid)) throw new Error(`AttachConsole(${pid}) failed`);
    if (!GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0)) {
      throw new Error(`GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT) on the console of ${pid} failed`);
    }
  }

  /** Stops ignoring Ctrl-Break and unloads kernel32. */
  close(): void {
    Deno.removeSignalListener("SIGBREAK", this.#ignoreBreak);
    this.#kernel32.close();
  }
}
