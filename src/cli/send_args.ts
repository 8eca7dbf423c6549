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
  { name: "api", kind: "value", value: "URL", help: "the stand's API", default: DEFAULT_API },
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
  const apiText = (values.get("api") as string | undefined) ?? DEFAULT_API;
  let api: URL;
  try {
    api = new URL(apiText);
    if (!/^https?:$/.test(api.protocol)) throw new TypeError("not http");
  } catch {
    throw new UsageError(`--api must be an http(s) URL, got ${JSON.stringify(apiText)}`, "send");
  }
  const [name, ...rest] = positionals;
  if (values.get("help") === true || name === "help") return { help: true, api, body: {} };
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
  return { help: false, api, token, caFile, body: checked({ method: "message", params }, table) };
}

/** The body, once the stand's own check (`parseApiRequest`) takes it; a usage error if not. */
function checked(body: Record<string, unknown>, table: CommandTable): Record<string, unknown> {
  try {
    parseApiRequest(body, table);
  } catch (error) {
    if (error instanceof ApiError) throw new UsageError(error.message, "send");
    throw error;
  }
  return body;
}
