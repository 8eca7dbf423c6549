/**
 * The `serve` command's flags, parsed into a config. Pure.
 *
 * @module
 */
import type { LogFormat } from "../log/log_line.ts";
import type { Level } from "../log/log_writer.ts";
import type { StandOptions } from "../stand/stand.ts";
import { type BrokerAddress, parseBrokerUrl } from "../stand/broker/broker_url.ts";
import { numberIn, oneOf, parseStrictArgs } from "./strict_args.ts";
import { UsageError } from "./usage_error.ts";

/** What `flashlight serve` was asked to do: the stand's options plus output settings. */
export interface ServeConfig
  extends
    Pick<StandOptions, "hostname" | "lampPort" | "apiPort" | "webPort" | "sync" | "queueLimit"> {
  /** Print usage and exit. */
  readonly help: boolean;
  /** Log format. */
  readonly log: LogFormat;
  /** Least severe level logged. */
  readonly level: Level;
  /** The Redis broker (`--broker` or `FLASHLIGHT_BROKER`); in process when absent. */
  readonly broker?: BrokerAddress;
}

/**
 * Parses the `serve` command line.
 *
 * @param args The arguments after `serve`.
 * @param env Reads an environment variable (`FLASHLIGHT_BROKER`).
 * @returns The config.
 * @throws {UsageError} On an unknown flag or a bad value.
 * @example
 * ```ts
 * import { parseServeArgs } from "./serve_args.ts";
 * parseServeArgs(["--lamp-port", "0"]).lampPort; // 0
 * ```
 */
export function parseServeArgs(
  args: string[],
  env: (name: string) => string | undefined = () => undefined,
): ServeConfig {
  const flags = parseStrictArgs(args, {
    boolean: ["help", "quiet", "sync"],
    string: ["host", "lamp-port", "api-port", "web-port", "queue-limit", "log", "broker"],
    negatable: ["sync"],
    alias: { h: "help", q: "quiet" },
    default: { sync: true },
  });
  if (flags._.length > 0) {
    throw new UsageError(`serve takes no arguments, got ${JSON.stringify(String(flags._[0]))}`);
  }
  const port = (name: string, fallback: number) =>
    flags[name] === undefined ? fallback : numberIn(flags[name], name, 0, 65535, true);
  const hostname = flags.host === undefined ? "127.0.0.1" : String(flags.host);
  if (!/^[A-Za-z0-9.:_-]+$/.test(hostname)) {
    throw new UsageError(`--host must be a host name or IP, got ${JSON.stringify(hostname)}`);
  }
  const brokerText = flags.broker === undefined
    ? env("FLASHLIGHT_BROKER") || undefined
    : String(flags.broker);
  let broker: BrokerAddress | undefined;
  try {
    broker = brokerText === undefined ? undefined : parseBrokerUrl(brokerText);
  } catch (error) {
    throw new UsageError(
      `${flags.broker === undefined ? "FLASHLIGHT_BROKER" : "--broker"}: ${
        (error as Error).message
      }`,
    );
  }
  return {
    broker,
    help: flags.help === true,
    hostname,
    lampPort: port("lamp-port", 9999),
    apiPort: port("api-port", 9000),
    webPort: port("web-port", 8888),
    sync: flags.sync !== false,
    queueLimit: flags["queue-limit"] === undefined
      ? 1 << 20
      : numberIn(flags["queue-limit"], "queue-limit", 64, 1 << 30, true),
    log: flags.log === undefined ? "text" : oneOf(flags.log, "log", ["text", "json"] as const),
    level: flags.quiet ? "error" : "info",
  };
}
