/**
 * The lamps the lamp benchmarks compare, each as a way to start it against a port: the C
 * reference lamp, the minimal Deno lamp, the Node `net` lamp, the Python asyncio lamp (the
 * comparators, which exit on EOF and print their counts) and flashlight itself in its output
 * modes (which keeps retrying after EOF and is stopped as a person would stop it).
 *
 * @module
 */
import { PERMISSION_FLAGS } from "../permission_flags.ts";
import { scriptArgs, terminalEnv } from "../pty_command.ts";
import { cProgram } from "./c_program.ts";
import type { FrameCounts } from "./frame_streams.ts";
import { OutputWatch } from "./output_watch.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** What a comparator prints to stderr on EOF. */
export interface LampStats extends FrameCounts {
  /** Whether the lamp is on. */
  on: boolean;
  /** `#rrggbb`. */
  color: string;
  /** Peak RSS in bytes. */
  peak_rss: number;
}

/** A running lamp. */
export interface LampProcess {
  /** Its stdout, drained. */
  readonly stdout: OutputWatch;
  /** The process that lamp runs in (under a pseudo-terminal: the lamp, not `script`). */
  pid(): number;
  /**
   * After its connection ended: waits for a comparator's exit and returns what it printed, or
   * stops flashlight (SIGTERM, or Ctrl-C on its terminal) and returns `null`.
   */
  finish(): Promise<LampStats | null>;
}

/** One lamp to compare. */
export interface Lamp {
  /** Its column header. */
  readonly name: string;
  /** Starts it, connecting to 127.0.0.1:`port`. */
  start(port: number): LampProcess;
}

/** How a lamp writes its output: nothing per frame, or one log line per applied command. */
export type LampMode = "quiet" | "log text" | "log json";

function comparator(name: string, command: string, args: (port: number) => string[]): Lamp {
  return {
    name,
    start(port) {
      const child = new Deno.Command(command, {
        args: args(port),
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stdout = new OutputWatch(child.stdout);
      const stderr = new Response(child.stderr).text();
      return {
        stdout,
        pid: () => child.pid,
        async finish() {
          const [status, text] = await Promise.all([child.status, stderr, stdout.ended]);
          if (!status.success) throw new Error(`${name} exited with ${status.code}: ${text}`);
          return JSON.parse(text);
        },
      };
    },
  };
}

function logArgs(mode: LampMode): string[] {
  return mode === "quiet" ? [] : ["--log", mode.slice(4)];
}

/**
 * The comparator lamps available here, in column order: C (when a compiler is present), minimal
 * Deno, Node, and (only in quiet mode: it does not log) Python asyncio.
 *
 * @param mode Quiet, or one log line per applied command.
 * @returns The lamps.
 * @example
 * ```ts ignore
 * import { comparatorLamps } from "./lamp_contenders.ts";
 * const lamps = await comparatorLamps("log json");
 * ```
 */
export async function comparatorLamps(mode: LampMode): Promise<Lamp[]> {
  const lamps: Lamp[] = [];
  const c = await cProgram("c_lamp");
  if (c) lamps.push(comparator("C lamp", c, (port) => [String(port), ...logArgs(mode)]));
  lamps.push(
    comparator("minimal Deno lamp", Deno.execPath(), (port) => [
      "run",
      "-A",
      "scripts/bench/deno_lamp.ts",
      String(port),
      ...logArgs(mode),
    ]),
    comparator(
      "Node net lamp",
      "node",
      (port) => ["scripts/bench/node_lamp.mjs", String(port), ...logArgs(mode)],
    ),
  );
  if (mode === "quiet") {
    lamps.push(comparator("Python asyncio lamp", "python3", (port) => [
      "scripts/bench/asyncio_lamp.py",
      String(port),
    ]));
  }
  return lamps;
}

/** The command line that runs flashlight's lamp from source. */
export function flashlightCommand(port: number, flags: readonly string[]): string[] {
  return [Deno.execPath(), "run", "-q", ...PERMISSION_FLAGS, "main.ts", `:${port}`, ...flags];
}

/**
 * flashlight's lamp writing log lines (`--log text|json`, with `--quiet` when `mode` is quiet).
 *
 * @param format `text` or `json`.
 * @param quiet Whether only errors are logged.
 * @param extraFlags Flags for `deno run` before the script (e.g. `--cpu-prof`).
 * @returns The lamp.
 */
export function flashlightLogLamp(
  format: "text" | "json",
  quiet: boolean,
  extraFlags: string[] = [],
): Lamp {
  const flags = ["--log", format, ...(quiet ? ["--quiet"] : [])];
  return {
    name: `flashlight --log ${format}${quiet ? " --quiet" : ""}`,
    start(port) {
      const [deno, ...args] = flashlightCommand(port, flags);
      const child = new Deno.Command(deno, {
        args: [args[0], ...extraFlags, ...args.slice(1)],
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const stdout = new OutputWatch(child.stdout);
      return {
        stdout,
        pid: () => child.pid,
        async finish() {
          child.kill("SIGTERM");
          await Promise.all([child.status, stdout.ended]);
          return null;
        },
      };
    },
  };
}

/**
 * flashlight's lamp in its terminal view, under a pseudo-terminal (`script`) with 24-bit color.
 *
 * @returns The lamp.
 */
export function flashlightTerminalLamp(): Lamp {
  return {
    name: "flashlight terminal view",
    start(port) {
      const child = new Deno.Command("script", {
        args: scriptArgs(flashlightCommand(port, [])),
        cwd: ROOT,
        clearEnv: true,
        env: terminalEnv({ COLORTERM: "truecolor" }),
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const stdout = new OutputWatch(child.stdout);
      const stdin = child.stdin.getWriter();
      return {
        stdout,
        pid: () => Number(Deno.readTextFileSync(`/proc/${child.pid}/task/${child.pid}/children`)),
        async finish() {
          await stdin.write(Uint8Array.of(3)); // Ctrl-C
          await stdin.close();
          await Promise.all([child.status, stdout.ended]);
          return null;
        },
      };
    },
  };
}
