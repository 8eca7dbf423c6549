/**
 * Ctrl-Break for one process on Windows, through kernel32 (Deno FFI).
 *
 * Why: on Windows `ChildProcess.kill()` accepts only "SIGTERM" and "SIGKILL", and both call
 * `TerminateProcess(handle, 1)`: the child's handlers never run and it exits 1. flashlight stops
 * cleanly on the console events Ctrl-C and Ctrl-Break (`SIGINT`, `SIGBREAK`). Ctrl-Break can be
 * sent to a process group or (group 0) to every process on the caller's console, but Deno cannot
 * start a child in a new process group with a console (`detached: true` also removes its
 * console). So each child gets a console of its own: the smoke script detaches from its console,
 * allocates a new one and spawns the child into it; to stop the child it attaches to that console
 * and broadcasts Ctrl-Break there, reaching only the child and itself (it listens for `SIGBREAK`,
 * so it survives). The shell that started the smoke script never shares these consoles.
 *
 * Not run where this is developed (Linux); the release workflow runs it on a Windows runner.
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
