/**
 * The `serve` command: start the stand, log, stop cleanly on a signal or when the log fails.
 *
 * @module
 */
import { LogWriter } from "../log/log_writer.ts";
import { startStand } from "../stand/stand.ts";
import { type StandOptions, standOptions } from "../stand/stand_options.ts";
import { VERSION } from "../version.ts";
import { EXIT } from "./exit_codes.ts";
import { describeOutputError, processOutput } from "./process_output.ts";
import { checkTokenText, parseServeArgs, SERVE_USAGE } from "./serve_args.ts";
import { readFlagFile } from "./read_flag_file.ts";
import { stopOnSignals } from "./shutdown_signals.ts";
import { helpWidth, wrapHelp } from "./wrap_help.ts";
import { UsageError } from "./usage_error.ts";
import { checkCertificate, checkKeyPair } from "../net/certificate_checks.ts";

const BIND_ERRORS = [
  Deno.errors.AddrInUse,
  Deno.errors.AddrNotAvailable,
  Deno.errors.PermissionDenied,
];

/** A token file larger than this is refused. */
const MAX_TOKEN_FILE_BYTES = 4096;

/** Reads the token from a file (one line; surrounding whitespace dropped). */
async function readToken(path: string): Promise<string> {
  const token = (await readFlagFile("--token-file", path, "serve", MAX_TOKEN_FILE_BYTES)).trim();
  checkTokenText(token, "--token-file");
  return token;
}

/** What each CA flag's file should be, for the message when it is not a certificate. */
const CA_FILES = {
  "--tls-client-ca": "the CA that signed your lamps' certificates",
  "--broker-ca": "the CA that signed the Redis server's certificate",
} as const;

/** Reads a CA file (`--tls-client-ca`, `--broker-ca`), refusing one that holds no PEM certificate. */
async function readCa(flag: keyof typeof CA_FILES, path: string): Promise<string> {
  const pem = await readFlagFile(flag, path, "serve");
  try {
    checkCertificate(pem, "CA");
  } catch (error) {
    throw new UsageError(
      `${flag}: ${JSON.stringify(path)} is not a PEM certificate (${CA_FILES[flag]})`,
      "serve",
      { cause: error },
    );
  }
  return pem;
}

/** Reads a port's `--tls-cert` and `--tls-key`, refusing a pair that cannot serve TLS. */
async function readKeyPair(
  files: { readonly cert: string; readonly key: string },
): Promise<{ cert: string; key: string }> {
  const cert = await readFlagFile("--tls-cert", files.cert, "serve");
  const key = await readFlagFile("--tls-key", files.key, "serve");
  try {
    checkKeyPair(cert, key);
  } catch (error) {
    const pair = `--tls-cert ${JSON.stringify(files.cert)} with --tls-key ${
      JSON.stringify(files.key)
    }`;
    throw new UsageError(`${pair}: ${(error as Error).message}`, "serve", { cause: error });
  }
  return { cert, key };
}

/** Whether a path names a file that exists (a `--tls-cert` value that looks like `PORT=FILE`). */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
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
  const config = parseServeArgs(args, (name) => Deno.env.get(name), isFile);
  if (config.help || config.version) {
    console.log(config.help ? wrapHelp(SERVE_USAGE, helpWidth()) : `flashlight ${VERSION}`);
    return EXIT.ok;
  }
  const token = config.tokenFile === undefined ? config.token : await readToken(config.tokenFile);
  const broker = config.broker && config.brokerCaFile !== undefined
    ? { ...config.broker, caPem: await readCa("--broker-ca", config.brokerCaFile) }
    : config.broker;
  const tls: StandOptions["tls"] = Object.fromEntries(
    await Promise.all(
      Object.entries(config.tlsFiles).map(async ([port, files]) =>
        [port, {
          ...await readKeyPair(files),
          clientCa: files.clientCa === undefined
            ? undefined
            : await readCa("--tls-client-ca", files.clientCa),
        }] as const
      ),
    ),
  );
  const out = processOutput("flashlight serve");
  const log = new LogWriter(out.stdout, {
    format: config.log,
    level: config.level,
    onDropping: out.droppingLines,
    onDropped: out.droppedLines,
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
          broker,
          token,
          tls,
          workers: config.workers ?? navigator.hardwareConcurrency,
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
