/**
 * The lamps the lamp benchmarks compare, and how one is run. The comparators (the C reference
 * lamp, the minimal Deno lamp, the Node `net` lamp, the Python asyncio lamp) exit on EOF and print
 * their counts to stderr; flashlight keeps retrying after EOF and is stopped as a person would
 * stop it (SIGTERM, or Ctrl-C on its terminal).
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
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

/** One lamp to compare. */
export interface Lamp {
  /** Its column header. */
  readonly name: string;
  /** The command line of a lamp connecting to 127.0.0.1:`port`. */
  command(port: number): string[];
  /** `exits` on EOF (a comparator, printing {@linkcode LampStats}), or is stopped by a signal. */
  readonly ends: "exits" | "signal";
  /** Whether it runs under a pseudo-terminal (its terminal view). */
  readonly terminal?: boolean;
  /** Whether it is too slow for whole streams: the throughput part feeds it a share of each. */
  readonly slow?: boolean;
  /**
   * A lamp of a stand's web port (`ws://127.0.0.1:port/lamp`): it is fed the stream in binary
   * WebSocket messages of this many payload bytes.
   */
  readonly websocket?: { readonly messageBytes: number };
}

/** How a lamp writes its output: nothing per frame, or one log line per applied command. */
export type LampMode = "quiet" | "log text" | "log json";

/** A running lamp. */
export interface LampProcess {
  /**
   * When the watched text appeared on the lamp's stdout (`performance.now()`), and the lines read
   * until then; `null` when nothing is watched. Rejects if the output ends first.
   */
  readonly seen: Promise<{ at: number; lines: number }> | null;
  /** The lamp's own process (not `script`'s, nor the sink's), once it has connected. */
  pid(): Promise<number>;
  /** After its connection ended: a comparator's counts once it exited, or `null` for flashlight. */
  finish(): Promise<LampStats | null>;
}

/** What to watch a lamp's stdout for, and with which reader. */
export interface WatchOptions {
  /** The text to watch for (the lamp's last log line, the final color drawn…). */
  readonly watch?: string;
  /**
   * The compiled C line sink (`c_line_sink.c`) to read stdout with, so the reader never limits a
   * lamp's logging rate; without it, this process reads the pipe. Not under a pseudo-terminal.
   */
  readonly sink?: string | null;
  /**
   * CPUs (`taskset -c` lists) for the line sink and for the lamp it runs, e.g. both `"0"`: where
   * the writer and the reader of a pipe run changes its rate several times over.
   */
  readonly cpus?: { readonly sink: string; readonly lamp: string };
}

/** `taskset -c CPUS` in front of a command, or nothing. */
function pinned(cpus: string | undefined): string[] {
  return cpus === undefined ? [] : ["taskset", "-c", cpus];
}

function logArgs(mode: LampMode): string[] {
  return mode === "quiet" ? [] : ["--log", mode.slice(4)];
}

/**
 * The comparator lamps available here, in column order: C (when a compiler is present), minimal
 * Deno, Node, and (in quiet mode only: it does not log) Python asyncio.
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
  const flags = logArgs(mode);
  const c = await cProgram("c_lamp");
  if (c) lamps.push({ name: "C lamp", ends: "exits", command: (port) => [c, `${port}`, ...flags] });
  lamps.push(
    {
      name: "minimal Deno lamp",
      ends: "exits",
      command: (
        port,
      ) => [Deno.execPath(), "run", "-A", "scripts/bench/deno_lamp.ts", `${port}`, ...flags],
    },
    {
      name: "Node net lamp",
      ends: "exits",
      command: (port) => ["node", "scripts/bench/node_lamp.mjs", `${port}`, ...flags],
    },
  );
  if (mode === "quiet") {
    lamps.push({
      name: "Python asyncio lamp",
      ends: "exits",
      slow: true,
      command: (port) => ["python3", "scripts/bench/asyncio_lamp.py", `${port}`],
    });
  }
  return lamps;
}

/**
 * flashlight's lamp from source, as `deno task start` runs it.
 *
 * @param flags Lamp flags, e.g. `["--log", "json", "--quiet"]`; none for the terminal view.
 * @param denoFlags Flags for `deno run` (e.g. `--cpu-prof`).
 * @returns The lamp.
 */
export function flashlightLamp(flags: readonly string[], denoFlags: readonly string[] = []): Lamp {
  const terminal = flags.length === 0;
  return {
    name: terminal ? "flashlight terminal view" : `flashlight ${flags.join(" ")}`,
    ends: "signal",
    terminal,
    command: (port) => [
      Deno.execPath(),
      "run",
      "-q",
      ...denoFlags,
      ...PERMISSION_FLAGS,
      "main.ts",
      `:${port}`,
      ...flags,
    ],
  };
}

/**
 * flashlight's lamp from source as {@linkcode flashlightLamp} runs it, connecting to
 * `ws://127.0.0.1:port/lamp` instead of the TCP port.
 *
 * @param flags Lamp flags, e.g. `["--log", "text", "--quiet"]`.
 * @param messageBytes Payload bytes per WebSocket message it is fed.
 * @param denoFlags Flags for `deno run` (e.g. `--cpu-prof`).
 * @returns The lamp.
 */
export function flashlightWebSocketLamp(
  flags: readonly string[],
  messageBytes: number,
  denoFlags: readonly string[] = [],
): Lamp {
  const lamp = flashlightLamp(flags, denoFlags);
  const size = messageBytes % 1024 === 0 ? `${messageBytes / 1024} KiB` : `${messageBytes} B`;
  return {
    ...lamp,
    name: `${lamp.name} over ws://, ${size} messages`,
    websocket: { messageBytes },
    command: (port) =>
      lamp.command(port).map((arg) => arg === `:${port}` ? `ws://127.0.0.1:${port}/lamp` : arg),
  };
}

/** The C line sink's reports: the lamp's pid, the watched text's arrival, the end. */
function sinkReports(stdout: ReadableStream<Uint8Array>): {
  pid: Promise<number>;
  seen: Promise<{ at: number; lines: number }>;
} {
  const reports = stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream())
    .getReader();
  const next = async () => JSON.parse((await reports.read()).value ?? "{}");
  const pid = next().then((report) => report.pid as number);
  const seen = pid.then(next).then((report) => {
    if (report.at === undefined) throw new Error("the lamp's output ended before the marker");
    return { at: report.at - performance.timeOrigin, lines: report.lines };
  });
  seen.then(next, () => {}).then(() => reports.cancel()); // drain the final report
  return { pid, seen };
}

/**
 * Starts a lamp. Under a pseudo-terminal it runs in `script` with 24-bit color.
 *
 * @param lamp The lamp.
 * @param port The port it connects to.
 * @param options What to watch its stdout for, and with which reader.
 * @returns The running lamp.
 * @example
 * ```ts ignore
 * import { flashlightLamp, startLamp } from "./lamp_contenders.ts";
 * const running = startLamp(flashlightLamp(["--log", "text"]), 9999, { watch: "#123456" });
 * ```
 */
export function startLamp(lamp: Lamp, port: number, options: WatchOptions = {}): LampProcess {
  const sink = options.watch && options.sink && !lamp.terminal ? options.sink : null;
  let command = lamp.command(port);
  if (sink) {
    command = [
      ...pinned(options.cpus?.sink),
      sink,
      options.watch!,
      ...pinned(options.cpus?.lamp),
      ...command,
    ];
  }
  if (lamp.terminal) command = ["script", ...scriptArgs(command)];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: ROOT,
    ...(lamp.terminal ? { clearEnv: true, env: terminalEnv({ COLORTERM: "truecolor" }) } : {}),
    stdin: lamp.terminal ? "piped" : "null",
    stdout: "piped",
    stderr: lamp.ends === "exits" ? "piped" : "inherit",
  }).spawn();
  const stderr = lamp.ends === "exits" ? new Response(child.stderr).text() : null;
  let pid: Promise<number> = Promise.resolve(child.pid); // under a line sink: the sink's child
  let seen: LampProcess["seen"] = null;
  let watch: OutputWatch | null = null;
  if (sink) {
    ({ pid, seen } = sinkReports(child.stdout));
  } else {
    watch = new OutputWatch(child.stdout);
    const output = watch;
    seen = options.watch
      ? output.until(options.watch).then((at) => ({ at, lines: output.lines }))
      : null;
  }
  seen?.catch(() => {}); // awaited by the caller, or abandoned with the lamp
  const children = `/proc/${child.pid}/task/${child.pid}/children`; // script's: the lamp
  return {
    seen,
    pid: () => lamp.terminal ? Promise.resolve(Number(Deno.readTextFileSync(children))) : pid,
    async finish() {
      if (lamp.ends === "signal") {
        if (lamp.terminal) {
          const stdin = child.stdin.getWriter();
          await stdin.write(Uint8Array.of(3)); // Ctrl-C
          await stdin.close();
        } else {
          child.kill("SIGTERM");
        }
      }
      const [status, text] = await Promise.all([child.status, stderr, watch?.ended]);
      if (lamp.ends === "signal") return null;
      if (!status.success) throw new Error(`${lamp.name} exited with ${status.code}: ${text}`);
      return JSON.parse(text!);
    },
  };
}
