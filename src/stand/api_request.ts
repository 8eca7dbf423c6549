/**
 * The JSON API's request shape, checked and turned into a frame to send. Pure.
 *
 * `{"method": "message", "params": {"command": "COLOR", "value": "ff0000"}}` (any command of the
 * table), or
 * `{"method": "frame", "params": {"type": 33, "value": "0a0b"}}` for any raw frame.
 *
 * @module
 */
import { MALFORMED } from "../commands/command.ts";
import type { CommandTable } from "../commands/command_table.ts";
import { MAX_VALUE_LENGTH } from "../protocol/frame.ts";
import { parseHex, toHex } from "../protocol/hex.ts";
import { ApiError } from "./api_error.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shapeError(detail: string, table: CommandTable): ApiError {
  const names = table.commands.map((command) => command.name).join("|");
  return new ApiError(
    400,
    `${detail}; expected {"method": "message", "params": {"command": "${names}", "value": "…"}}`,
  );
}

/**
 * Checks a parsed JSON request and builds the frame it asks for.
 *
 * @param body The parsed JSON body.
 * @param table The commands the stand knows (the same table the lamp uses).
 * @returns The command to send.
 * @throws {ApiError} 400 for a wrong shape, 422 for an unknown command or a bad value.
 * @example
 * ```ts
 * import { parseApiRequest } from "./api_request.ts";
 * import { createCommandTable } from "../commands/command_table.ts";
 * const body = { method: "message", params: { command: "COLOR", value: "ff0000" } };
 * parseApiRequest(body, createCommandTable()).text; // "#ff0000"
 * ```
 */
export function parseApiRequest(body: unknown, table: CommandTable): OutgoingCommand {
  if (!isRecord(body)) throw shapeError("the body must be a JSON object", table);
  const { method, params } = body;
  if (!isRecord(params)) throw shapeError('"params" must be an object', table);
  if (method === "message") return parseMessage(params, table);
  if (method === "frame") return parseFrame(params, table);
  throw shapeError(`unknown "method" ${JSON.stringify(method)} (use "message" or "frame")`, table);
}

/**
 * The commands a message may name, each with how its value is written.
 *
 * @param table The command table.
 * @returns `["ON", "OFF", "COLOR rrggbb"]` for the built-in table.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { commandUsages } from "./api_request.ts";
 * assertEquals(commandUsages(createCommandTable()), ["ON", "OFF", "COLOR rrggbb"]);
 * ```
 */
export function commandUsages(table: CommandTable): string[] {
  return table.commands.map((c) => `${c.name}${c.valueHint ? ` ${c.valueHint}` : ""}`);
}

/**
 * The commands a message may name, with their values, for messages that list them.
 *
 * @param table The command table.
 * @returns `ON, OFF, COLOR rrggbb` for the built-in table.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { knownCommands } from "./api_request.ts";
 * assertEquals(knownCommands(createCommandTable()), "ON, OFF, COLOR rrggbb");
 * ```
 */
export function knownCommands(table: CommandTable): string {
  return commandUsages(table).join(", ");
}

function parseMessage(params: Record<string, unknown>, table: CommandTable): OutgoingCommand {
  const { command: name, value } = params;
  if (typeof name !== "string") throw shapeError('"params.command" must be a string', table);
  if (value !== undefined && typeof value !== "string") {
    throw shapeError('"params.value" must be a string', table);
  }
  const command = table.byName(name);
  if (!command) {
    throw new ApiError(
      422,
      `unknown command ${JSON.stringify(name.slice(0, 40))} (known: ${knownCommands(table)})`,
    );
  }
  let args: unknown;
  try {
    args = command.parse(value);
  } catch (error) {
    throw new ApiError(422, (error as Error).message, {}, { cause: error });
  }
  return {
    type: command.type,
    value: command.encode(args),
    command: command.name,
    text: command.format(args),
  };
}

function parseFrame(params: Record<string, unknown>, table: CommandTable): OutgoingCommand {
  const { type, value = "" } = params;
  if (typeof type !== "number" || !Number.isInteger(type) || type < 0 || type > 255) {
    throw new ApiError(422, `"params.type" must be an integer 0-255, got ${JSON.stringify(type)}`);
  }
  if (typeof value !== "string") throw shapeError('"params.value" must be a hex string', table);
  let bytes: Uint8Array;
  try {
    bytes = parseHex(value);
  } catch (error) {
    throw new ApiError(422, (error as Error).message, {}, { cause: error });
  }
  if (bytes.length > MAX_VALUE_LENGTH) {
    throw new ApiError(
      422,
      `frame value too long: ${bytes.length} bytes (max ${MAX_VALUE_LENGTH})`,
    );
  }
  // Named only when it is a command the lamps will apply; anything else is shown as hex.
  const known = table.byType(type);
  const args = known?.decode(bytes, 0, bytes.length);
  if (known && args !== MALFORMED) {
    return { type, value: bytes, command: known.name, text: known.format(args) };
  }
  return { type, value: bytes, command: "FRAME", text: toHex(bytes, 32) };
}
