/**
 * The `serve` command's flags, parsed into a config. Pure.
 *
 * @module
 */
import type { Level } from "../log/level.ts";
import type { LogFormat } from "../log/log_line.ts";
import { type BrokerAddress, parseBrokerUrl } from "../stand/broker/broker_url.ts";
import { DEFAULT_STAND_OPTIONS, type StandOptions } from "../stand/stand_options.ts";
import { choiceFlag, type FlagSpec, integerFlag, parseFlags, renderFlagHelp } from "./flags.ts";
import { exitCodeHelp } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";
import { isLoopback } from "../stand/access.ts";

const D = DEFAULT_STAND_OPTIONS;
/** More lamp workers than this only cost memory (each is a V8 isolate of its own). */
const MAX_WORKERS = 64;
/** The largest `--max-*` budget: more connections than one process can hold descriptors for. */
const MAX_BUDGET = 1 << 24;

/** The stand's flags: parser, help and README table all read this. */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  {
    name: "host",
    kind: "value",
    value: "HOST",
    help: "interface to listen on",
    default: D.hostname,
  },
  {
    name: "lamp-port",
    kind: "value",
    value: "N",
    help: "lamp TCP port, 0 for any free port",
    default: String(D.lampPort),
  },
  {
    name: "api-port",
    kind: "value",
    value: "N",
    help: "JSON API port, 0 for any free port",
    default: String(D.apiPort),
  },
  {
    name: "web-port",
    kind: "value",
    value: "N",
    help: "web page port, 0 for any free port",
    default: String(D.webPort),
  },
  {
    name: "broker",
    kind: "value",
    value: "URL",
    env: "FLASHLIGHT_BROKER",
    help:
      "share commands and state with other instances through Redis: redis[s]://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
  },
  {
    name: "broker-ca",
    kind: "value",
    value: "FILE",
    help: "trust this CA (PEM) for a rediss:// broker",
  },
  {
    name: "tls-cert",
    kind: "list",
    value: "[PORT=]FILE",
    help:
      "serve over TLS with this certificate chain (PEM): every port, or one with lamp=, api= or web=",
  },
  {
    name: "tls-key",
    kind: "list",
    value: "[PORT=]FILE",
    help: "the private key (PEM) of --tls-cert, the same way",
  },
  {
    name: "tls-client-ca",
    kind: "list",
    value: "[PORT=]FILE",
    help:
      "admit only clients presenting a certificate this CA (PEM) signed: every TLS port, or one with lamp=, api= or web=",
  },
  {
    name: "sync",
    kind: "boolean",
    negatable: true,
    help: "send the current state to a lamp when it connects; --no-sync does not",
    default: "on",
  },
  {
    name: "queue-limit",
    kind: "value",
    value: "BYTES",
    help: "bytes a slow lamp may have queued before it is dropped",
    default: String(D.queueLimit),
  },
  {
    name: "workers",
    kind: "value",
    value: "N",
    help:
      "threads serving the lamps, each writing to its own, WebSocket lamps included (1: the main thread; Linux shares the ports between them)",
    default: "one per core",
  },
  {
    name: "max-lamps",
    kind: "value",
    value: "N",
    help: "lamp connections at once, over all workers; more are refused",
    default: "from ulimit -n, at most 16384",
  },
  {
    name: "max-api",
    kind: "value",
    value: "N",
    help: "API connections at once; when full, the longest idle one makes room",
    default: "from ulimit -n, at most 256",
  },
  {
    name: "max-page",
    kind: "value",
    value: "N",
    help:
      "page connections at once, WebSockets included; when full, the longest idle one, else the oldest WebSocket, makes room",
    default: "from ulimit -n, at most 256",
  },
  {
    name: "allow-host",
    kind: "list",
    value: "NAME",
    env: "FLASHLIGHT_ALLOW_HOST",
    help:
      "a host name the API and the page answer to besides loopback and the bound address; the env var takes several, comma-separated",
  },
  {
    name: "token",
    kind: "value",
    value: "TOKEN",
    env: "FLASHLIGHT_TOKEN",
    help: "require this bearer token, 16 characters or more, on the API and the page's WebSocket",
  },
  { name: "token-file", kind: "value", value: "FILE", help: "read the token from FILE" },
  {
    name: "insecure-no-auth",
    kind: "boolean",
    help:
      "allow binding beyond loopback without a token: anyone who reaches the ports controls the lamps",
  },
  { name: "log", kind: "value", value: "text|json", help: "log format", default: "text" },
  { name: "quiet", short: "q", kind: "boolean", help: "log errors only" },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
  { name: "version", short: "V", kind: "boolean", help: "show the version" },
];

/** `flashlight serve --help`. */
export const SERVE_USAGE: string = `flashlight serve — the test stand

Usage:
  flashlight serve [flags]

Listens for lamps (TCP), for commands (JSON API over HTTP) and for browsers (web
page and WebSocket). Every command goes to every connected lamp.

Flags:
${renderFlagHelp(SERVE_FLAGS)}

${exitCodeHelp("serve")}`;

/** What `flashlight serve` was asked to do: the stand's options plus output settings. */
export interface ServeConfig extends
  Pick<
    StandOptions,
    | "hostname"
    | "lampPort"
    | "apiPort"
    | "webPort"
    | "sync"
    | "queueLimit"
    | "workers"
    | "maxLamps"
    | "maxApiConnections"
    | "maxWebConnections"
  > {
  /** Print usage and exit. */
  readonly help: boolean;
  /** Print the version and exit. */
  readonly version?: boolean;
  /** Log format. */
  readonly log: LogFormat;
  /** Least severe level logged. */
  readonly level: Level;
  /** The Redis broker (`--broker` or `FLASHLIGHT_BROKER`); in process when absent. */
  readonly broker?: BrokerAddress;
  /** Host names allowed besides loopback and the bound address. */
  readonly allowHosts: readonly string[];
  /** The token, when given inline (`--token`, `FLASHLIGHT_TOKEN`). */
  readonly token?: string;
  /** A file to read the token from (`--token-file`). */
  readonly tokenFile?: string;
  /** A CA file for a `rediss://` broker (`--broker-ca`). */
  readonly brokerCaFile?: string;
  /** Certificate, key and client CA files per port (`--tls-cert`, `--tls-key`, `--tls-client-ca`). */
  readonly tlsFiles: Readonly<
    Partial<
      Record<TlsPort, { readonly cert: string; readonly key: string; readonly clientCa?: string }>
    >
  >;
}

/** The ports that can serve over TLS. */
export type TlsPort = "lamp" | "api" | "web";
const TLS_PORTS: readonly TlsPort[] = ["lamp", "api", "web"];

/**
 * Reads `--tls-cert` / `--tls-key` / `--tls-client-ca` values (`FILE` for every port, `PORT=FILE`
 * for one). A `NAME=FILE` whose name is no port is refused unless the whole text is a file. A
 * client CA for every port goes to the ports with a certificate; one for a port needs its own.
 */
function tlsFiles(
  certs: readonly string[],
  keys: readonly string[],
  clientCas: readonly string[],
  isFile: (path: string) => boolean,
): ServeConfig["tlsFiles"] {
  const byPort = (values: readonly string[], flag: string) => {
    const found: Partial<Record<TlsPort, string>> = {};
    for (const value of values) {
      const match = /^(lamp|api|web)=(.+)$/.exec(value);
      const named = /^([^=/]+)=/.exec(value);
      if (!match && named && !isFile(value)) {
        throw new UsageError(
          `unknown port ${JSON.stringify(named[1])} in --${flag} (${TLS_PORTS.join(", ")})`,
          "serve",
        );
      }
      const ports = match ? [match[1] as TlsPort] : TLS_PORTS;
      for (const port of ports) {
        if (found[port] !== undefined && match) {
          throw new UsageError(`--${flag} for the ${port} port given twice`, "serve");
        }
        found[port] = match ? match[2] : value;
      }
    }
    return found;
  };
  const cert = byPort(certs, "tls-cert");
  const key = byPort(keys, "tls-key");
  const clientCa = byPort(clientCas, "tls-client-ca");
  const named = new Set(clientCas.map((value) => /^(lamp|api|web)=/.exec(value)?.[1]));
  const files: Partial<Record<TlsPort, { cert: string; key: string; clientCa?: string }>> = {};
  for (const port of TLS_PORTS) {
    if ((cert[port] === undefined) !== (key[port] === undefined)) {
      throw new UsageError(
        `the ${port} port has a ${
          cert[port] ? "--tls-cert but no --tls-key" : "--tls-key but no --tls-cert"
        }`,
        "serve",
      );
    }
    if (clientCa[port] !== undefined && cert[port] === undefined && named.has(port)) {
      throw new UsageError(
        `the ${port} port has a --tls-client-ca but no --tls-cert: client certificates need TLS`,
        "serve",
      );
    }
    if (cert[port] !== undefined) {
      const pair = { cert: cert[port]!, key: key[port]! };
      files[port] = clientCa[port] === undefined ? pair : { ...pair, clientCa: clientCa[port] };
    }
  }
  if (clientCas.length > 0 && !TLS_PORTS.some((port) => files[port]?.clientCa !== undefined)) {
    throw new UsageError(
      "--tls-client-ca needs --tls-cert: client certificates are checked on TLS ports only",
      "serve",
    );
  }
  return files;
}

/**
 * Parses the `serve` command line.
 *
 * @param args The arguments after `serve`.
 * @param env Reads an environment variable (`FLASHLIGHT_BROKER`).
 * @param isFile Whether a path names a file: a `--tls-cert foo=x.pem` whose `foo` is no port is
 *   taken as a file name only when it is one (by default every path is).
 * @returns The config.
 * @throws {UsageError} On an unknown flag or a bad value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseServeArgs } from "./serve_args.ts";
 * assertEquals(parseServeArgs(["--lamp-port", "0"]).lampPort, 0);
 * ```
 */
export function parseServeArgs(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
  isFile: (path: string) => boolean = () => true,
): ServeConfig {
  const { values, positionals } = parseFlags(args, SERVE_FLAGS, "serve");
  const text = (name: string) => values.get(name) as string | undefined;
  const help = values.get("help") === true ||
    (positionals.length === 1 && positionals[0] === "help");
  if (!help && values.get("version") === true) return { ...parseServeArgs([]), version: true };
  if (!help && positionals.length > 0) {
    throw new UsageError(
      `no arguments are taken, only flags; got ${JSON.stringify(positionals[0])}`,
      "serve",
    );
  }
  const budget = (name: string) =>
    text(name) === undefined ? undefined : integerFlag(text(name)!, name, 1, MAX_BUDGET, "serve");
  const hostname = text("host") ?? D.hostname;
  if (!/^[A-Za-z0-9.:_-]+$/.test(hostname) || hostname.includes("..")) {
    throw new UsageError(
      `--host must be a host name or IP address, got ${JSON.stringify(hostname)}`,
      "serve",
    );
  }
  const broker = brokerFrom(text("broker"), env);
  if (text("broker-ca") !== undefined && !broker?.tls) {
    throw new UsageError("--broker-ca is for a rediss:// broker (TLS)", "serve");
  }
  const access = accessFrom(values, env, hostname, help);
  return {
    broker,
    brokerCaFile: text("broker-ca"),
    tlsFiles: tlsFiles(
      values.get("tls-cert") as readonly string[] | undefined ?? [],
      values.get("tls-key") as readonly string[] | undefined ?? [],
      values.get("tls-client-ca") as readonly string[] | undefined ?? [],
      isFile,
    ),
    help,
    hostname,
    ...access,
    ...portsFrom(text),
    sync: values.get("sync") !== false,
    workers: text("workers") === undefined
      ? undefined
      : integerFlag(text("workers")!, "workers", 1, MAX_WORKERS, "serve"),
    maxLamps: budget("max-lamps"),
    maxApiConnections: budget("max-api"),
    maxWebConnections: budget("max-page"),
    queueLimit: text("queue-limit") === undefined
      ? D.queueLimit
      : integerFlag(text("queue-limit")!, "queue-limit", 64, 1 << 30, "serve"),
    log: text("log") === undefined
      ? "text"
      : choiceFlag(text("log")!, "log", ["text", "json"] as const, "serve"),
    level: values.get("quiet") ? "error" : "info",
  };
}

/** The broker from `--broker`, else `FLASHLIGHT_BROKER`; a bad URL is a usage error. */
function brokerFrom(
  flag: string | undefined,
  env: (name: string) => string | undefined,
): BrokerAddress | undefined {
  const text = flag ?? (env("FLASHLIGHT_BROKER") || undefined);
  try {
    return text === undefined ? undefined : parseBrokerUrl(text);
  } catch (error) {
    throw new UsageError(
      `${flag !== undefined ? "--broker" : "FLASHLIGHT_BROKER"}: ${(error as Error).message}`,
      "serve",
      { cause: error },
    );
  }
}

/**
 * The token and the host names allowed; binding beyond loopback without a token is refused
 * unless `--insecure-no-auth` says so.
 */
function accessFrom(
  values: ReadonlyMap<string, unknown>,
  env: (name: string) => string | undefined,
  hostname: string,
  help: boolean,
): Pick<ServeConfig, "token" | "tokenFile" | "allowHosts"> {
  const text = (name: string) => values.get(name) as string | undefined;
  const token = text("token") ?? (env("FLASHLIGHT_TOKEN") || undefined);
  const tokenFile = text("token-file");
  if (token !== undefined && tokenFile !== undefined) {
    throw new UsageError("--token and --token-file exclude each other", "serve");
  }
  if (token !== undefined) {
    checkTokenText(token, text("token") !== undefined ? "--token" : "FLASHLIGHT_TOKEN");
  }
  if (
    !help && !isLoopback(hostname) && token === undefined && tokenFile === undefined &&
    !values.get("insecure-no-auth")
  ) {
    throw new UsageError(
      `--host ${hostname} opens the API and the page beyond this machine: give a token (--token, FLASHLIGHT_TOKEN or --token-file), or --insecure-no-auth to run without one`,
      "serve",
    );
  }
  const allowHosts = [
    ...(values.get("allow-host") as readonly string[] | undefined ?? []),
    ...(env("FLASHLIGHT_ALLOW_HOST") ?? "").split(",").map((name) => name.trim()).filter(Boolean),
  ];
  for (const name of allowHosts) {
    if (!/^[A-Za-z0-9.-]+$/.test(name) || name.length > 253) {
      throw new UsageError(
        `--allow-host must be a host name, got ${JSON.stringify(name)}`,
        "serve",
      );
    }
  }
  return { token, tokenFile, allowHosts };
}

/** The three ports; one port given to two services is a usage error naming both flags. */
function portsFrom(
  text: (name: string) => string | undefined,
): Pick<ServeConfig, "lampPort" | "apiPort" | "webPort"> {
  const port = (name: string, fallback: number) =>
    text(name) === undefined ? fallback : integerFlag(text(name)!, name, 0, 65535, "serve");
  const ports = [
    ["lamp-port", port("lamp-port", D.lampPort)],
    ["api-port", port("api-port", D.apiPort)],
    ["web-port", port("web-port", D.webPort)],
  ] as const;
  for (const [i, [name, number]] of ports.entries()) {
    const other = ports.slice(i + 1).find(([, taken]) => taken === number && number !== 0);
    if (other) {
      throw new UsageError(
        `--${name} and --${other[0]} are both ${number}: each service needs its own port`,
        "serve",
      );
    }
  }
  return { lampPort: ports[0][1], apiPort: ports[1][1], webPort: ports[2][1] };
}

/**
 * Refuses a token that is too short to resist guessing, or that would not survive a header.
 *
 * @param token The token.
 * @param source Where it came from, for the message.
 * @throws {UsageError} When it is not usable.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkTokenText } from "./serve_args.ts";
 * assertThrows(() => checkTokenText("short", "--token"), Error, "16");
 * ```
 */
export function checkTokenText(token: string, source: string): void {
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      `${source} must be at least 16 printable characters without spaces (e.g. from: openssl rand -hex 16)`,
      "serve",
    );
  }
}
