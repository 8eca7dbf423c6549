/**
 * A child process whose stdout is read as lines (JSON records where they parse), with every
 * wait bounded, for the smoke test.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";

/** One stdout line and, when it is a JSON object, its fields. */
export interface LogLine {
  /** The line as printed. */
  readonly text: string;
  /** Its fields, when the line is a JSON object. */
  readonly record?: Readonly<Record<string, unknown>>;
}

/** Parses one log line; a line that is not a JSON object has no record. */
function parseLogLine(text: string): LogLine {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return { text, record: value };
  } catch {
    // Not JSON: kept as text.
  }
  return { text };
}

/**
 * Races a promise against a timer, failing with `message` when the timer wins.
 *
 * @param promise What to wait for.
 * @param ms The bound in milliseconds.
 * @param message The error when it takes longer.
 * @returns The promise's value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { withTimeout } from "./line_process.ts";
 * assertEquals(await withTimeout(Promise.resolve(1), 1000, "slow"), 1);
 * ```
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A running child: its stdout lines so far, its stderr once it ended. */
export class LineProcess {
  /** The child. */
  readonly child: Deno.ChildProcess;
  /** Every stdout line read so far. */
  readonly lines: LogLine[] = [];
  #reader: ReadableStreamDefaultReader<string>;
  #pending?: Promise<ReadableStreamReadResult<string>>;
  #stderr: Promise<string>;
  #ended = false;

  /**
   * Starts the command with stdin closed and stdout and stderr piped.
   * @param command The program and its first arguments.
   * @param args More arguments.
   */
  constructor(command: readonly string[], args: readonly string[]) {
    const [program, ...rest] = command;
    this.child = new Deno.Command(program, {
      args: [...rest, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.child.status.then(() => this.#ended = true);
    this.#reader = this.child.stdout.pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream()).getReader();
    this.#stderr = new Response(this.child.stderr).text();
  }

  /**
   * Reads stdout until a line's record matches; fails when stdout ends or time runs out.
   * @param what What is awaited, for the error.
   * @param match The condition on a record.
   * @param timeoutMs The bound.
   * @returns The matching record.
   */
  async waitFor(
    what: string,
    match: (record: Readonly<Record<string, unknown>>) => boolean,
    timeoutMs: number,
  ): Promise<Readonly<Record<string, unknown>>> {
    const seen = this.lines.find((line) => line.record && match(line.record));
    if (seen?.record) return seen.record;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#pending ??= this.#reader.read();
      const { value, done } = await withTimeout(
        this.#pending,
        Math.max(0, deadline - Date.now()),
        `no ${what} within ${timeoutMs / 1000} s`,
      );
      this.#pending = undefined;
      if (done) throw new Error(`the process ended before ${what}`);
      const line = parseLogLine(value);
      this.lines.push(line);
      if (line.record && match(line.record)) return line.record;
    }
  }

  /**
   * Reads the rest of stdout and waits for the exit, bounded.
   * @param timeoutMs The bound.
   * @returns The exit code and everything written to stderr.
   */
  async end(timeoutMs: number): Promise<{ code: number; stderr: string }> {
    const rest = (async () => {
      for (;;) {
        this.#pending ??= this.#reader.read();
        const { value, done } = await this.#pending;
        this.#pending = undefined;
        if (done) return;
        this.lines.push(parseLogLine(value));
      }
    })();
    const [{ code }, stderr] = await withTimeout(
      Promise.all([this.child.status, this.#stderr, rest]),
      timeoutMs,
      `the process did not exit within ${timeoutMs / 1000} s`,
    );
    return { code, stderr };
  }

  /** Kills the process if it still runs (cleanup after a failure) and waits for it. */
  async kill(): Promise<void> {
    if (!this.#ended) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // It ended meanwhile.
      }
    }
    await this.child.status;
    await this.#stderr.catch(() => "");
    await this.#reader.cancel().catch(() => {});
  }

  /**
   * The last lines, escaped, for a failure report (network text is never printed raw).
   * @param count How many.
   * @returns One line each, JSON-quoted.
   */
  tail(count = 10): string {
    return this.lines.slice(-count).map((line) => `    ${JSON.stringify(line.text)}`).join("\n");
  }
}
