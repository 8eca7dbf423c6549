/**
 * The `serve` command: start the stand, log, stop cleanly on a signal or when the log fails.
 *
 * @module
 */
import { LogWriter } from "../log/log_writer.ts";
import { startStand } from "../stand/stand.ts";
import { standOptions } from "../stand/stand_options.ts";
import { VERSION } from "../version.ts";
import { EXIT } from "./exit_codes.ts";
import { describeOutputError, processOutput } from "./process_output.ts";
import { checkTokenText, parseServeArgs, SERVE_USAGE } from "./serve_args.ts";
import { UsageError } from "./usage_error.ts";
import { stopOnSignals } from "./shutdown_signals.ts";

const BIND_ERRORS = [
  Deno.errors.AddrInUse,
  Deno.errors.AddrNotAvailable,
  Deno.errors.PermissionDenied,
];

/** Reads the token from a file (one line; surrounding whitespace dropped). */
async function readToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `--token-file: cannot read ${JSON.stringify(path)}: ${(error as Error).message}`,
      "serve",
    );
  }
  const token = text.trim();
  checkTokenText(token, "--token-file");
  return token;
}

/** How long the last lines may take to reach a slow output before the stand exits anyway. */
const FINAL_FLUSH_MS = 1000;

/**
 * Runs the stand until SIGINT, SIGTERM or SIGHUP (exit 0), or until its log fails (exit 5).
 *
 * @param args The arguments after `serve`.
 * @returns The exit code (3 when a port cannot be bound).
 * @throws {UsageError} On a bad command line.
 * @example
 * ```ts ignore
 * import { runServe } from "./run_serve.ts";
 * Deno.exit(await runServe(["--lamp-port", "0"]));
 * ```
 */
export async function runServe(args: readonly string[]): Promise<number> {
  const config = parseServeArgs(args, (name) => Deno.env.get(name));
  if (config.help) {
    console.log(SERVE_USAGE);
    return EXIT.ok;
  }
  const token = config.tokenFile === undefined ? config.token : await readToken(config.tokenFile);
  const out = processOutput("flashlight serve");
  const log = new LogWriter(out.stdout, {
    format: config.log,
    level: config.level,
    onDropping: () => out.notice("the log output is not keeping up: dropping lines until it does"),
    onDropped: (lines) => out.notice(`the log output dropped ${lines} lines`),
  });
  const stopped = Promise.withResolvers<Deno.Signal>();
  const removeSignals = stopOnSignals(stopped.resolve, () => {});
  try {
    log.log({ event: "started", version: VERSION, pid: Deno.pid }, "info");
    let stand;
    try {
      stand = await startStand(
        standOptions({
          ...config,
          workers: config.workers ?? navigator.hardwareConcurrency,
          token,
          log: (record, level) => log.log(record, level),
        }),
      );
    } catch (error) {
      if (!BIND_ERRORS.some((kind) => error instanceof kind)) throw error;
      out.notice((error as Error).message);
      log.log(
        {
          event: "stopped",
          reason: "cannot listen",
          error: (error as Error).message,
          code: EXIT.unavailable,
        },
        "error",
      );
      await log.flush(FINAL_FLUSH_MS);
      await out.flush(FINAL_FLUSH_MS);
      return EXIT.unavailable;
    }
    const ended = await Promise.race([
      stopped.promise.then((signal) => ({ reason: signal, code: EXIT.ok })),
      out.broken.then((error) => {
        out.notice(
          `the log output failed: ${describeOutputError(error)}; stopping (exit ${EXIT.output})`,
        );
        return { reason: "output failed", code: EXIT.output };
      }),
    ]);
    await stand.close();
    log.log({ event: "stopped", reason: ended.reason, code: ended.code }, "info");
    await log.flush(FINAL_FLUSH_MS);
    await out.flush(FINAL_FLUSH_MS);
    return ended.code;
  } finally {
    removeSignals();
  }
}
