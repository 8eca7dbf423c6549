/**
 * Runs `main.ts` as a real process with exactly the permissions the compiled binary gets
 * (`deno.json`'s permission set, `-P`, and `--no-prompt`), and reads its output line by line.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { PERMISSION_FLAGS } from "../permission_flags.ts";

/** The repository root, where `deno.json` and `main.ts` are. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/** `deno run` with exactly the permission flags the tasks use and the compiled binary bakes in. */
export const RUN_FLAGS: readonly string[] = ["run", "-q", ...PERMISSION_FLAGS];

/** A running flashlight process whose stdout is read as lines. */
export class FlashlightProcess {
  /** The child process. */
  readonly child: Deno.ChildProcess;
  /** Every stdout line read so far. */
  readonly lines: string[] = [];
  #reader: ReadableStreamDefaultReader<string>;
  #partial = "";
  #stderr: Promise<string>;
  #draining: Promise<void> | null = null;

  /**
   * @param args Arguments after `main.ts` (or the whole command when `command` is given).
   * @param options Environment (added to ours, or the whole of it with `clearEnv`) and an optional
   *   wrapper command (e.g. `script` for a pty).
   */
  constructor(
    args: string[],
    options: { env?: Record<string, string>; clearEnv?: boolean; command?: string } = {},
  ) {
    this.child = new Deno.Command(options.command ?? Deno.execPath(), {
      args: options.command ? args : [...RUN_FLAGS, "main.ts", ...args],
      cwd: REPO_ROOT,
      env: options.env,
      clearEnv: options.clearEnv,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reader = this.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#stderr = new Response(this.child.stderr).text();
  }

  /**
   * Reads stdout lines until one matches; fails if the process ends first.
   * @param match The condition.
   * @returns The matching line.
   */
  async waitForLine(match: (line: string) => boolean): Promise<string> {
    for (let from = 0;;) {
      const seen = this.lines.slice(from).find(match);
      if (seen !== undefined) return seen;
      from = this.lines.length;
      if (!await this.#readMore()) {
        throw new Error(`process ended without the line; stdout:\n${this.lines.join("\n")}`);
      }
    }
  }

  /**
   * Reads stdout until `text` shows up, also in a line not yet ended (a prompt).
   * @param text The text.
   */
  async waitForText(text: string): Promise<void> {
    while (!this.#partial.includes(text) && !this.lines.some((line) => line.includes(text))) {
      if (!await this.#readMore()) throw new Error(`process ended without ${JSON.stringify(text)}`);
    }
  }

  /**
   * From now on reads stdout in the background until the end, so a process that logs a lot
   * (a stand with 10,000 lamps) never stalls on a full pipe; `lines` keeps growing. Use it once
   * the lines waited for have come: {@linkcode waitForLine} is not for after it.
   */
  drain(): void {
    this.#draining ??= (async () => {
      while (await this.#readMore()) { /* every line into `lines` */ }
    })();
  }

  /** Reads one chunk into complete lines and the partial tail; `false` at the end. */
  async #readMore(): Promise<boolean> {
    const { value, done } = await this.#reader.read();
    if (done) {
      if (this.#partial !== "") this.lines.push(this.#partial);
      this.#partial = "";
      return false;
    }
    const parts = (this.#partial + value).split(/\r?\n/);
    this.#partial = parts.pop()!;
    this.lines.push(...parts);
    return true;
  }

  /**
   * Sends a signal, then waits for the exit, reading the rest of the output.
   * @param signal The signal to send (none when omitted).
   * @returns The exit code, all stdout lines and stderr.
   */
  async stop(signal?: Deno.Signal): Promise<{ code: number; stdout: string[]; stderr: string }> {
    if (signal) this.child.kill(signal);
    if (this.#draining) await this.#draining;
    else while (await this.#readMore()) { /* the rest of the output */ }
    const [{ code }, stderr] = await Promise.all([this.child.status, this.#stderr]);
    await this.child.stdin.close().catch(() => {});
    return { code, stdout: this.lines, stderr };
  }
}

/**
 * Starts `main.ts` with stdin closed and stdout and stderr as pipes the caller holds: to close
 * them early, to leave one unread, or to read them as they come ({@linkcode lineReader}).
 * @param args Arguments after `main.ts`.
 * @param env Extra environment.
 * @returns The child process.
 * @example
 * ```ts ignore
 * import { lineReader, spawnFlashlight } from "./flashlight_process.ts";
 * const child = spawnFlashlight(["serve", "--log=json"]);
 * const lines = lineReader(child.stdout);
 * console.log((await lines.read()).value); // the `started` record
 * await lines.cancel(); // the log's reader is gone
 * ```
 */
export function spawnFlashlight(args: string[], env?: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...RUN_FLAGS, "main.ts", ...args],
    cwd: REPO_ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Reads a byte stream (a child's stdout or stderr) as lines of text.
 * @param stream The stream.
 * @returns A reader of its lines, without their line ends.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { lineReader } from "./flashlight_process.ts";
 * const lines = lineReader(new Response("one\ntwo\n").body!);
 * assertEquals((await lines.read()).value, "one");
 * await lines.cancel();
 * ```
 */
export function lineReader(
  stream: ReadableStream<Uint8Array>,
): ReadableStreamDefaultReader<string> {
  return stream.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream()).getReader();
}

/**
 * Runs a command to completion and returns its exit code and output.
 * @param args Arguments after `main.ts`.
 * @param env Extra environment.
 * @returns Exit code, stdout and stderr.
 */
export async function runFlashlight(
  args: string[],
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await spawnFlashlight(args, env).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * Tells whether a system program is installed; on CI (`CI=true`) its absence fails the test
 * instead of skipping it, so CI can never pass by skipping.
 * @param program The program name or path.
 * @param debianPackage The Debian package that provides it.
 * @returns `true` when it can be run.
 */
export function requireProgram(program: string, debianPackage: string): boolean {
  const found =
    new Deno.Command("sh", { args: ["-c", `command -v "$0"`, program] }).outputSync().success;
  if (!found && Deno.env.get("CI") === "true") {
    throw new Error(`${program} is required on CI but missing (apt-get install ${debianPackage})`);
  }
  if (!found) {
    console.error(`SKIPPED: ${program} is not installed (apt-get install ${debianPackage})`);
  }
  return found;
}
