/**
 * The `send` command's arguments, turned into the API request body. Pure.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import { ApiError } from "../stand/api_error.ts";
import { knownCommands, parseApiRequest } from "../stand/api_request.ts";
import { DEFAULT_STAND_OPTIONS } from "../stand/stand_options.ts";
import { type FlagSpec, parseFlags, renderFlagHelp } from "./flags.ts";
import { exitCodeHelp } from "./exit_codes.ts";
import { UsageError } from "./usage_error.ts";

/** The commands send checks a message against, as the stand does. */
const TABLE = createCommandTable();

/** The stand's API address when `--api` is not given. */
export const DEFAULT_API = `http://127.0.0.1:${DEFAULT_STAND_OPTIONS.apiPort}`;

/** The `send` flags: parser, help and README table all read this. */
export const SEND_FLAGS: readonly FlagSpec[] = [
  {
    name: "api",
    kind: "value",
    value: "URL",
    env: "FLASHLIGHT_API",
    help: "the stand's API; host:port means http://host:port",
    default: DEFAULT_API,
  },
  {
    name: "token",
    kind: "value",
    value: "TOKEN",
    env: "FLASHLIGHT_TOKEN",
    help: "the stand's token, sent as Authorization: Bearer",
  },
  {
    name: "ca",
    kind: "value",
    value: "FILE",
    help: "trust this CA certificate (PEM) for an https:// API, besides the system's",
  },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
  { name: "version", short: "V", kind: "boolean", help: "show the version" },
];

/**
 * The commands `send` takes, one usage line each, from the command table.
 *
 * @param table The command table.
 * @returns `  flashlight send ON`, … `  flashlight send COLOR rrggbb`, one per line.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { sendUsageLines } from "./send_args.ts";
 * assertStringIncludes(sendUsageLines(createCommandTable()), "flashlight send COLOR rrggbb");
 * ```
 */
export function sendUsageLines(table: CommandTable): string {
  return table.commands
    .map((command) => `  flashlight send ${command.name} ${command.valueHint}`.trimEnd())
    .join("\n");
}

/** `flashlight send --help`. */
export const SEND_USAGE: string = `flashlight send — send one command through the stand's JSON API

Usage:
${sendUsageLines(TABLE)}
  flashlight send FRAME TYPE HEX      any frame: TYPE 0-255 in decimal, e.g. FRAME 33 0a0b

On a terminal it says what it sent (COLOR #ff0000 → 3 lamps); piped, it prints
the stand's answer as one line of JSON.

Flags:
${renderFlagHelp(SEND_FLAGS)}

${exitCodeHelp("send")}`;

/** What `flashlight send` was asked to do. */
export interface SendConfig {
  /** Print usage and exit. */
  readonly help: boolean;
  /** Print the version and exit. */
  readonly version?: boolean;
  /** The API URL. */
  readonly api: URL;
  /** The JSON body to post. */
  readonly body: Record<string, unknown>;
  /** The bearer token, if the stand needs one. */
  readonly token?: string;
  /** A CA certificate file to trust for an https:// API (`--ca`). */
  readonly caFile?: string;
}

/**
 * Parses `send ON|OFF|COLOR hex|FRAME type hex [--api URL]`. Values reach the stand exactly as
 * typed; before anything is sent, the request is checked here with the stand's own check (one
 * command table), so a bad name or value is a usage error, whatever the command.
 *
 * @param args The arguments after `send`.
 * @param env Reads an environment variable (`FLASHLIGHT_TOKEN`).
 * @param table The commands to check against (the built-in ones by default).
 * @returns The config.
 * @throws {UsageError} When the command is missing, unknown, or its value is wrong.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSendArgs } from "./send_args.ts";
 * assertEquals(parseSendArgs(["COLOR", "000000"]).body, {
 *   method: "message",
 *   params: { command: "COLOR", value: "000000" },
 * });
 * ```
 */
export function parseSendArgs(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
  table: CommandTable = TABLE,
): SendConfig {
  const { values, positionals } = parseFlags(args, SEND_FLAGS, "send");
  const token = (values.get("token") as string | undefined) ??
    (env("FLASHLIGHT_TOKEN") || undefined);
  const caFile = values.get("ca") as string | undefined;
  const apiFlag = values.get("api") as string | undefined;
  const apiEnv = env("FLASHLIGHT_API") || undefined;
  const api = apiFlag !== undefined
    ? parseApiUrl(apiFlag, "--api")
    : apiEnv !== undefined
    ? parseApiUrl(apiEnv, "FLASHLIGHT_API")
    : new URL(DEFAULT_API);
  const [name, ...rest] = positionals;
  if (values.get("help") === true || name === "help") return { help: true, api, body: {} };
  if (values.get("version") === true) return { help: false, version: true, api, body: {} };
  // send takes the API's messages and raw frames.
  const known = `${knownCommands(table)}, FRAME TYPE HEX`;
  if (name === undefined) throw new UsageError(`a command is needed: ${known}`, "send");
  if (name.toUpperCase() === "FRAME") {
    const [type, value = ""] = rest;
    if (type === undefined || !/^\d{1,3}$/.test(type) || Number(type) > 255 || rest.length > 2) {
      throw new UsageError(
        `FRAME needs a type 0-255 (decimal) and an optional hex value, e.g. FRAME 33 0a0b; got ${
          rest.map((arg) => JSON.stringify(arg)).join(" ") || "nothing"
        }`,
        "send",
      );
    }
    return {
      help: false,
      api,
      token,
      caFile,
      body: checked({ method: "frame", params: { type: Number(type), value } }, table),
    };
  }
  if (!table.byName(name)) {
    throw new UsageError(
      `unknown command ${JSON.stringify(name.slice(0, 40))} (known: ${known})`,
      "send",
    );
  }
  if (rest.length > 1) {
    throw new UsageError(`${name} takes at most one value, got ${rest.length}`, "send");
  }
  const params = rest.length ? { command: name, value: rest[0] } : { command: name };
  // A shell drops an unquoted `#value` and all after it as a comment: the value is then missing.
  const hint = rest.length === 0
    ? " (a value starting with # must be quoted in a shell: unquoted, # starts a comment)"
    : "";
  return {
    help: false,
    api,
    token,
    caFile,
    body: checked({ method: "message", params }, table, hint),
  };
}

/** The body, once the stand's own check (`parseApiRequest`) takes it; a usage error if not. */
function checked(
  body: Record<string, unknown>,
  table: CommandTable,
  hint = "",
): Record<string, unknown> {
  try {
    parseApiRequest(body, table);
  } catch (error) {
    if (error instanceof ApiError) {
      throw new UsageError(error.message + hint, "send", { cause: error });
    }
    throw error;
  }
  return body;
}

/**
 * Reads the API's address as curl does: a URL, or `host:port` (or `:port`, host 127.0.0.1) with
 * http:// assumed. A port out of range is said as such, not as "not a URL".
 *
 * @param text The address as typed.
 * @param source Where it came from (`--api`, `FLASHLIGHT_API`), for the message.
 * @returns The URL.
 * @throws {UsageError} When it is no http(s) URL, naming what is wrong.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseApiUrl } from "./send_args.ts";
 * assertEquals(parseApiUrl("localhost:9000", "--api").href, "http://localhost:9000/");
 * assertEquals(parseApiUrl(":9000", "--api").href, "http://127.0.0.1:9000/");
 * ```
 */
export function parseApiUrl(text: string, source: string): URL {
  const refuse = (why: string, options?: ErrorOptions) =>
    new UsageError(`${source} ${why}, got ${JSON.stringify(text)}`, "send", options);
  const trimmed = text.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed)?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    throw refuse(`must be an http:// or https:// URL (or host:port), not ${scheme}://`);
  }
  const full = scheme !== undefined
    ? trimmed
    : `http://${trimmed.startsWith(":") ? "127.0.0.1" : ""}${trimmed}`;
  const port = /^[a-z]+:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(full)
    ?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) {
    throw refuse(`has port ${port}: a port is 1-65535`);
  }
  try {
    return new URL(full);
  } catch (error) {
    throw refuse("must be an http(s) URL or host:port", { cause: error });
  }
}
