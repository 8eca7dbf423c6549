/**
 * Text that came from Redis, made safe to log: quoted, cut short, every character outside
 * printable ASCII escaped. Pure.
 *
 * @module
 */

/**
 * Quotes text from the wire for a log field or an error message.
 *
 * @param text Untrusted text.
 * @param limit The most characters kept (the rest becomes `...`).
 * @returns A double-quoted string with only printable ASCII in it.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { quoteWireText } from "./wire_text.ts";
 * assertEquals(quoteWireText("a\x1b[2Jb\u009b"), '"a\\u001b[2Jb\\u009b"');
 * ```
 */
export function quoteWireText(text: string, limit = 60): string {
  const escaped = text.slice(0, limit).replace(
    /[^\x20-\x7e]|["\\]/g,
    (char) =>
      char === '"' || char === "\\"
        ? `\\${char}`
        : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}${text.length > limit ? "..." : ""}"`;
}
