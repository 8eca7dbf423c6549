/**
 * The process's stdout and stderr as non-blocking outputs: a stalled reader delays nothing, a
 * closed one is noticed, and lines that had to be dropped are said on stderr.
 *
 * @module
 */
import { escapeText } from "../log/escape_text.ts";
import { OutputWriter } from "../log/output_writer.ts";

/** The two outputs and what happened to them. */
export interface ProcessOutput {
  /** Standard output: log lines or the terminal view. */
  readonly stdout: OutputWriter;
  /** Resolves with the error when stdout can no longer be written (a closed pipe, a full disk). */
  readonly broken: Promise<Error>;
  /**
   * Writes one line to stderr (escaped, so it may carry text from outside), without blocking.
   * @param text The line.
   */
  notice(text: string): void;
  /**
   * Says on stderr that log lines start being dropped; nothing when stdout is gone (that is said
   * once, by whoever awaits `broken`).
   */
  droppingLines(): void;
  /**
   * Says on stderr how many log lines were dropped; nothing when none were.
   * @param lines How many.
   */
  droppedLines(lines: number): void;
  /**
   * Waits, at most `timeoutMs`, until both outputs wrote what they have.
   * @param timeoutMs The bound.
   */
  flush(timeoutMs: number): Promise<void>;
}

/**
 * Wraps `Deno.stdout` and `Deno.stderr`.
 *
 * @param program The name messages start with (`flashlight`, `flashlight serve`).
 * @returns The outputs.
 * @example
 * ```ts ignore
 * import { processOutput } from "./process_output.ts";
 * const output = processOutput("flashlight");
 * output.notice("hello");
 * await output.flush(1000);
 * ```
 */
export function processOutput(program: string): ProcessOutput {
  const stderr = new OutputWriter(Deno.stderr, { limitBytes: 64 * 1024 });
  const notice = (text: string) => void stderr.write(`${program}: ${escapeText(text)}\n`);
  const { promise: broken, resolve } = Promise.withResolvers<Error>();
  const stdout = new OutputWriter(Deno.stdout, { onBroken: resolve });
  return {
    stdout,
    broken,
    notice,
    droppingLines() {
      if (stdout.broken === null) {
        notice("the log output is not keeping up: dropping lines until it does");
      }
    },
    droppedLines(lines) {
      if (lines > 0) notice(`the log output dropped ${lines} lines`);
    },
    async flush(timeoutMs) {
      await Promise.all([stdout.flush(timeoutMs), stderr.flush(timeoutMs)]);
    },
  };
}

/**
 * Says on stderr why the output failed, in words a person can act on.
 *
 * @param error What the write threw.
 * @returns A short description.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeOutputError } from "./process_output.ts";
 * assertEquals(describeOutputError(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")), "the reader closed it (broken pipe)");
 * ```
 */
export function describeOutputError(error: Error): string {
  if (error instanceof Deno.errors.BrokenPipe) return "the reader closed it (broken pipe)";
  return error.message.replace(/\s*\(os error \d+\)/, "").toLowerCase();
}
