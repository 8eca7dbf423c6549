/**
 * The `serve` command: start the stand, log, stop cleanly on a signal.
 *
 * @module
 */
import { LogWriter } from "../log/log_writer.ts";
import { startStand } from "../stand/stand.ts";
import { EXIT } from "./exit_codes.ts";
import { SERVE_USAGE } from "./help.ts";
import { parseServeArgs } from "./serve_args.ts";
import { stopOnSignals } from "./shutdown_signals.ts";

const BIND_ERRORS = [
  Deno.errors.AddrInUse,
  Deno.errors.AddrNotAvailable,
  Deno.errors.PermissionDenied,
];

/**
 * Runs the stand until SIGINT, SIGTERM or SIGHUP.
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
export async function runServe(args: string[]): Promise<number> {
  const config = parseServeArgs(args, (name) => Deno.env.get(name));
  if (config.help) {
    console.log(SERVE_USAGE);
    return EXIT.ok;
  }
  const writer = new LogWriter(Deno.stdout, { format: config.log, level: config.level });
  let stand;
  try {
    stand = await startStand({ ...config, log: (record, level) => writer.log(record, level) });
  } catch (error) {
    if (!BIND_ERRORS.some((kind) => error instanceof kind)) throw error;
    writer.flush();
    console.error(`flashlight serve: ${(error as Error).message}`);
    return EXIT.unavailable;
  }
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const removeSignals = stopOnSignals(stop, () => writer.flush());
  await stopped;
  await stand.close();
  removeSignals();
  writer.flush();
  return EXIT.ok;
}
