/**
 * The lamp command's flags and environment, parsed into a config. Pure.
 *
 * @module
 */
import { type Address, DEFAULT_ADDRESS, DEFAULT_PORT, parseAddressList } from "../net/address.ts";
import { DEFAULT_LAMP_OPTIONS } from "../client/lamp_options.ts";
import type { Level } from "../log/level.ts";
import type { LogFormat } from "../log/log_line.ts";
import {
  choiceFlag,
  decimalFlag,
  type FlagSpec,
  integerFlag,
  parseFlags,
  renderFlagHelp,
} from "./flags.ts";
import { EXIT, exitCodeHelp } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";
import { misplacedCommand } from "./command_words.ts";
import { createCommandTable } from "../commands/command_table.ts";

/** The lamp's flags: parser, help and README table all read this. */
export const LAMP_FLAGS: readonly FlagSpec[] = [
  {
    name: "log",
    kind: "value",
    value: "text|json",
    help:
      "write log lines instead of the terminal view (the default when stdout is not a terminal: text)",
  },
  {
    name: "quiet",
    short: "q",
    kind: "boolean",
    help: "log errors only (an unreachable server still shows)",
  },
  {
    name: "verbose",
    short: "v",
    kind: "boolean",
    help: "also log ignored frames, their values as hex",
  },
  {
    name: "retry-max",
    kind: "value",
    value: "SEC",
    help: "cap on the reconnect delay in seconds",
    default: String(DEFAULT_LAMP_OPTIONS.retryMaxMs / 1000),
  },
  {
    name: "idle-timeout",
    kind: "value",
    value: "SEC",
    help:
      "reconnect after SEC seconds without data, 0 never; by default only a stand that sends keep-alives is timed out (3x their interval)",
  },
  {
    name: "count",
    short: "C",
    kind: "value",
    value: "N",
    help: "exit 0 after N commands were applied (and shown)",
  },
  {
    name: "timeout",
    short: "W",
    kind: "value",
    value: "SEC",
    help:
      `exit ${EXIT.timeout} when no command arrived for SEC seconds (from the start or the last one)`,
  },
  {
    name: "ca",
    kind: "value",
    value: "FILE",
    help:
      "trust this CA certificate (PEM) for tls:// and wss:// addresses, in place of the system's",
  },
  {
    name: "cert",
    kind: "value",
    value: "FILE",
    help: "present this client certificate (PEM) on tls:// and wss:// addresses, with --key",
  },
  { name: "key", kind: "value", value: "FILE", help: "the client certificate's private key (PEM)" },
  {
    name: "token",
    kind: "value",
    value: "TOKEN",
    env: "FLASHLIGHT_TOKEN",
    help: "the stand's token, sent with ws:// and wss:// addresses (Authorization: Bearer)",
  },
  {
    name: "proxy",
    kind: "value",
    value: "URL",
    help:
      "reach every address through this HTTP proxy (CONNECT), e.g. http://user:pass@proxy:3128; without it, the *_PROXY variables below",
  },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
  { name: "version", short: "V", kind: "boolean", help: "show the version" },
];

/** The environment variables the lamp reads besides its flags': help and man page read this. */
export const LAMP_ENVIRONMENT: readonly { readonly name: string; readonly help: string }[] = [
  { name: "FLASHLIGHT_ADDRESS", help: "the address(es) when no ADDRESS argument is given" },
  { name: "HTTPS_PROXY", help: "the proxy for tls:// and wss:// addresses (as curl reads it)" },
  { name: "HTTP_PROXY", help: "the proxy for host:port and ws:// addresses" },
  { name: "ALL_PROXY", help: "the proxy for addresses the two above leave out" },
  { name: "NO_PROXY", help: "hosts reached directly: names (and below), IPs, ip/bits, *" },
  { name: "NO_COLOR", help: "no colors in the terminal view" },
  {
    name: "FORCE_COLOR",
    help: "0 none, 1 16 colors, 2 256 colors, 3 24-bit; true: colors on, detected depth",
  },
  {
    name: "COLORTERM, TERM",
    help: "color detection (truecolor/24bit; *256color*); TERM=dumb: plain lines",
  },
];

/** `flashlight --help`: the lamp, plus the list of commands. */
export const LAMP_USAGE: string = `flashlight — a lamp driven over TCP by a tiny TLV protocol

Usage:
  flashlight [ADDRESS] [flags]      run the lamp (default command)
  flashlight serve [flags]          run the test stand (flashlight serve --help)
  flashlight send COMMAND [VALUE]   send a command through the stand's API
                                    (flashlight send --help)
  flashlight completions SHELL      print completion for bash, zsh or fish
  flashlight manpage                print the man page (flashlight.1)

ADDRESS: host:port, host (port ${DEFAULT_PORT}), :port (host 127.0.0.1) or [ipv6]:port,
  each with tls:// in front for TLS; or ws://host[:port][/path] or wss://…,
  a stand's web port (80 or 443, path /lamp, by default). Several, comma-
  separated, are tried in turn (failover). Without one, FLASHLIGHT_ADDRESS;
  without that, a terminal is asked (Enter takes ${DEFAULT_ADDRESS}); without a
  terminal, ${DEFAULT_ADDRESS} is used. A word that is (nearly) a command (serv,
  version, ON) is refused with a hint; give a host of that name with its port
  (serve:${DEFAULT_PORT}).

Flags:
${renderFlagHelp(LAMP_FLAGS)}

Environment:
${LAMP_ENVIRONMENT.map(({ name, help }) => `  ${name.padEnd(21)}${help}`).join("\n")}

${exitCodeHelp("lamp")}`;

/** What the lamp command was asked to do. */
export interface LampConfig {
  /** Print usage and exit. */
  readonly help: boolean;
  /** Print the version and exit. */
  readonly version: boolean;
  /** The servers, from the argument or `FLASHLIGHT_ADDRESS`; absent when neither is given. */
  readonly addresses?: readonly Address[];
  /** Log lines instead of the terminal view, in this format (`--log`). */
  readonly log?: LogFormat;
  /** The least severe level logged (`--quiet`: error, `--verbose`: debug). */
  readonly level: Level;
  /** The backoff cap in ms (`--retry-max`, in seconds on the command line). */
  readonly retryMaxMs: number;
  /** The idle timeout in ms (0: never), or `"auto"`. */
  readonly idleTimeoutMs: number | "auto";
  /** Exit 0 after this many applied commands (`--count`). */
  readonly count?: number;
  /** Exit when no command arrived for this long, in ms (`--timeout`). */
  readonly timeoutMs?: number;
  /** Files for TLS: a CA to trust, a client certificate and its key. */
  readonly tlsFiles: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** The stand's token for WebSocket addresses (`--token`, `FLASHLIGHT_TOKEN`). */
  readonly token?: string;
  /** The proxy for every address (`--proxy`); without it, the environment's. */
  readonly proxy?: string;
}

/** The protocol's command names, and send's FRAME: words that belong after `flashlight send`. */
const PROTOCOL_WORDS = [...createCommandTable().commands.map((command) => command.name), "FRAME"];

function addressesFrom(text: string, source: string): Address[] {
  try {
    return parseAddressList(text);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`, "lamp", { cause: error });
  }
}

/**
 * Parses the lamp command line. A bare `help` means `--help`.
 *
 * @param args The arguments after the program name.
 * @param env Reads an environment variable (`FLASHLIGHT_ADDRESS`, `FLASHLIGHT_TOKEN`).
 * @returns The config.
 * @throws {UsageError} On an unknown flag, a bad value or a bad address.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseLampArgs } from "./lamp_args.ts";
 * const config = parseLampArgs(["--log", "json", ":7000"], () => undefined);
 * assertEquals(config.addresses, [{ hostname: "127.0.0.1", port: 7000 }]);
 * ```
 */
export function parseLampArgs(
  args: readonly string[],
  env: (name: string) => string | undefined,
): LampConfig {
  const { values, positionals } = parseFlags(args, LAMP_FLAGS, "lamp");
  const text = (name: string) => values.get(name) as string | undefined;
  const help = values.get("help") === true ||
    (positionals.length === 1 && positionals[0] === "help");
  if (values.get("quiet") && values.get("verbose")) {
    throw new UsageError("--quiet and --verbose exclude each other");
  }
  const misplaced = help ? undefined : misplacedCommand(positionals, PROTOCOL_WORDS);
  if (misplaced !== undefined) throw new UsageError(misplaced);
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one ADDRESS (a list is comma-separated), got ${positionals.length}: ${
        positionals.map((arg) => JSON.stringify(arg)).join(" ")
      }`,
    );
  }
  const fromEnv = env("FLASHLIGHT_ADDRESS");
  const addresses = help
    ? undefined
    : positionals.length === 1
    ? addressesFrom(positionals[0], "ADDRESS")
    : fromEnv
    ? addressesFrom(fromEnv, "FLASHLIGHT_ADDRESS")
    : undefined;
  if ((text("cert") === undefined) !== (text("key") === undefined)) {
    throw new UsageError("--cert and --key go together: the certificate and its private key");
  }
  const seconds = (name: string, min: number) => decimalFlag(text(name)!, name, min, 3600, "lamp");
  const idle = text("idle-timeout");
  const token = text("token") ?? (env("FLASHLIGHT_TOKEN") || undefined);
  return {
    help,
    version: values.get("version") === true,
    addresses,
    log: text("log") === undefined
      ? undefined
      : choiceFlag(text("log")!, "log", ["text", "json"] as const, "lamp"),
    level: values.get("quiet") ? "error" : values.get("verbose") ? "debug" : "info",
    retryMaxMs: text("retry-max") === undefined
      ? DEFAULT_LAMP_OPTIONS.retryMaxMs
      : Math.round(seconds("retry-max", 0.1) * 1000),
    idleTimeoutMs: idle === undefined
      ? DEFAULT_LAMP_OPTIONS.idleTimeoutMs
      : Math.round(seconds("idle-timeout", 0) * 1000),
    ...(text("count") === undefined
      ? {}
      : { count: integerFlag(text("count")!, "count", 1, 1e9, "lamp") }),
    ...(text("timeout") === undefined ? {} : {
      timeoutMs: Math.round(decimalFlag(text("timeout")!, "timeout", 0.1, 86400, "lamp") * 1000),
    }),
    tlsFiles: { ca: text("ca"), cert: text("cert"), key: text("key") },
    ...(token ? { token } : {}),
    ...(text("proxy") === undefined ? {} : { proxy: text("proxy") }),
  };
}
