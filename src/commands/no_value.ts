/**
 * The value handling shared by commands that carry no value (ON, OFF).
 *
 * @module
 */
import { type Command, MALFORMED } from "./command.ts";

/** The decode/encode/parse/format of a command whose value is always empty. */
export type NoValue = Pick<Command<null>, "valueHint" | "decode" | "encode" | "parse" | "format">;

/**
 * Builds the value handling for a command that takes no value.
 *
 * @param name The command's name, for error messages.
 * @returns `decode` accepting only an empty value, `parse` accepting only no text.
 * @example
 * ```ts
 * import { noValue } from "./no_value.ts";
 * noValue("ON").decode(new Uint8Array(0), 0, 0); // null
 * ```
 */
export function noValue(name: string): NoValue {
  return {
    valueHint: "",
    decode: (_bytes, start, end) => end === start ? null : MALFORMED,
    encode: () => new Uint8Array(0),
    parse: (text) => {
      if (text !== undefined && text !== "") {
        throw new RangeError(`${name} takes no value, got ${JSON.stringify(text.slice(0, 40))}`);
      }
      return null;
    },
    format: () => "",
  };
}
