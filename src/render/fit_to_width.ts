/**
 * Cuts a line with escape sequences to a number of visible columns, so a redraw in place never
 * wraps (a wrapped line would throw off the cursor moves of the next redraw).
 *
 * @module
 */

// deno-lint-ignore no-control-regex -- matching escape sequences is the point
const ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/y;

/**
 * Keeps at most `columns` visible characters of `line`; escape sequences are kept whole and cost
 * nothing. A cut line ends with a style reset.
 *
 * @param line The line, possibly with SGR escape sequences.
 * @param columns The visible width available.
 * @returns The line, cut if needed.
 * @example
 * ```ts
 * import { fitToWidth } from "./fit_to_width.ts";
 * fitToWidth("\x1b[1mflashlight\x1b[22m", 5); // "\x1b[1mflash\x1b[0m"
 * ```
 */
export function fitToWidth(line: string, columns: number): string {
  let out = "";
  let visible = 0;
  for (let i = 0; i < line.length;) {
    ESCAPE.lastIndex = i;
    const escape = ESCAPE.exec(line);
    if (escape) {
      out += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i)!);
    if (visible === columns) return out + "\x1b[0m";
    out += char;
    visible++;
    i += char.length;
  }
  return out;
}
