/**
 * The `send` command's arguments, turned into the API request body. Pure.
 *
 * @module
 */
import { parseStrictArgs } from "./strict_args.ts";
import { UsageError } from "./usage_error.ts";

/** What `flashlight send` was asked to do. */
export interface SendConfig {
  /** Print usage and exit. */
  readonly help: boolean;
  /** The API URL. */
  readonly api: URL;
  /** The JSON body to post. */
  readonly body: Record<string, unknown>;
}

/**
 * Parses `send ON|OFF|COLOR hex|FRAME type hex [--api URL]`. Command names and values are checked
 * by the stand (one command table); only the shape is checked here.
 *
 * @param args The arguments after `send`.
 * @returns The config.
 * @throws {UsageError} When the command is missing or the shape is wrong.
 * @example
 * ```ts
 * import { parseSendArgs } from "./send_args.ts";
 * parseSendArgs(["COLOR", "ff0000"]).body;
 * // { method: "message", params: { command: "COLOR", value: "ff0000" } }
 * ```
 */
export function parseSendArgs(args: string[]): SendConfig {
  const flags = parseStrictArgs(args, {
    boolean: ["help"],
    string: ["api"],
    alias: { h: "help" },
    default: { api: "http://127.0.0.1:9000" },
  });
  let api: URL;
  try {
    api = new URL(String(flags.api));
    if (!/^https?:$/.test(api.protocol)) throw new TypeError("not http");
  } catch {
    throw new UsageError(`--api must be an http(s) URL, got ${JSON.stringify(flags.api)}`);
  }
  const [name, ...values] = flags._.map(String);
  if (flags.help) return { help: true, api, body: {} };
  if (name === undefined) {
    throw new UsageError("send needs a command: ON, OFF, COLOR rrggbb or FRAME type hex");
  }
  if (name.toUpperCase() === "FRAME") {
    const [type, value = ""] = values;
    if (type === undefined || !/^\d+$/.test(type) || values.length > 2) {
      throw new UsageError(
        "FRAME needs a type 0-255 and an optional hex value, e.g. FRAME 33 0a0b",
      );
    }
    return { help: false, api, body: { method: "frame", params: { type: Number(type), value } } };
  }
  if (values.length > 1) {
    throw new UsageError(`${name} takes at most one value, got ${values.length}`);
  }
  const params = values.length ? { command: name, value: values[0] } : { command: name };
  return { help: false, api, body: { method: "message", params } };
}
