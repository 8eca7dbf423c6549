/**
 * Text from outside made safe to show: no byte that a terminal or a log viewer would act on.
 *
 * @module
 */

/**
 * What JSON's own escaping leaves raw but a terminal or viewer may act on: DEL, the C1 controls
 * (U+0080–U+009F; U+009B is a CSI on some terminals), bidi overrides and isolates, the line and
 * paragraph separators.
 */
const UNSAFE_AFTER_JSON =
  /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SAFE_BARE =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /^[^\s"=\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+$/;

const CONTROLS =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const unicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Escapes what JSON escaping leaves raw in a JSON text; the result is still valid JSON with the
 * same value.
 *
 * @param json Output of `JSON.stringify`.
 * @returns The same JSON with C1, DEL and bidi controls as `\uXXXX` escapes.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { safeJson } from "./escape_text.ts";
 * assertEquals(safeJson(JSON.stringify("a\u009bb")), '"a\\u009bb"');
 * ```
 */
export function safeJson(json: string): string {
  return json.replace(UNSAFE_AFTER_JSON, unicodeEscape);
}

/**
 * A string as a JSON string literal that is safe to print: quotes, backslash escapes for every
 * control (C0, DEL, C1) and bidi character, lone surrogates escaped.
 *
 * @param text Any text, e.g. from the network.
 * @returns The quoted, escaped text.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { quoteText } from "./escape_text.ts";
 * assertEquals(quoteText("\x1b[2J"), '"\\u001b[2J"');
 * ```
 */
export function quoteText(text: string): string {
  return safeJson(JSON.stringify(text));
}

/**
 * Text as it may appear bare in a line: unchanged when it is one safe word, quoted and escaped
 * otherwise (spaces, quotes, `=`, backslashes, controls, bidi characters, empty).
 *
 * @param text Any text.
 * @returns Text safe to print, in `key=value` form.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { bareOrQuoted } from "./escape_text.ts";
 * assertEquals(bareOrQuoted("#ff0000"), "#ff0000");
 * assertEquals(bareOrQuoted("server closed"), '"server closed"');
 * ```
 */
export function bareOrQuoted(text: string): string {
  return SAFE_BARE.test(text) ? text : quoteText(text);
}

/**
 * Text escaped for a terminal without quotes: what a person reads in an error message.
 *
 * @param text Any text, e.g. an error message from a server.
 * @returns The text with every control and bidi character as a visible escape.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { escapeText } from "./escape_text.ts";
 * assertEquals(escapeText("bad\x1b]52;c;aGk=\x07 value"), "bad\\u001b]52;c;aGk=\\u0007 value");
 * ```
 */
export function escapeText(text: string): string {
  return quoteText(text).slice(1, -1).replaceAll('\\"', '"');
}

/**
 * Escapes the control and bidi characters of a message meant for a person (an error message,
 * a stack trace), keeping its line breaks and everything else as written: text that is already
 * partly escaped (`JSON.stringify` output inside it) reads the same.
 *
 * @param text The message.
 * @returns The message with every control character but `\n`, and every bidi control, as `\uXXXX`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { escapeControls } from "./escape_text.ts";
 * assertEquals(escapeControls('bad "\\u001b" in\nreadfile \'\x1b]0;x\x07\''), 'bad "\\u001b" in\nreadfile \'\\u001b]0;x\\u0007\'');
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, unicodeEscape);
}
