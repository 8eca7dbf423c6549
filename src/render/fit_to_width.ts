/**
 * Cuts a line with escape sequences to a number of visible columns, so a redraw in place never
 * wraps (a wrapped line would throw off the cursor moves of the next redraw). Columns are counted
 * as a terminal draws them (`@std/cli`'s `unicodeWidth`): CJK and most emoji take two, combining
 * marks none.
 *
 * @module
 */
import { unicodeWidth } from "@std/cli/unicode-width";

// deno-lint-ignore no-control-regex -- matching escape sequences is the point
const ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/y;
// deno-lint-ignore no-control-regex -- matching escape sequences is the point
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Keeps as much of `line` as fits in `columns` terminal columns; escape sequences are kept whole
 * and cost nothing, a character that would cross the edge (a wide one in the last column) is left
 * out with everything after it, and combining marks stay with the character they follow. A cut
 * line ends with a style reset.
 *
 * @param line The line, possibly with SGR escape sequences.
 * @param columns The visible width available.
 * @returns The line, cut if needed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fitToWidth } from "./fit_to_width.ts";
 * assertEquals(fitToWidth("\x1b[1mflashlight\x1b[22m", 5), "\x1b[1mflash\x1b[0m");
 * assertEquals(fitToWidth("ランプ 127.0.0.1", 5), "ラン\x1b[0m");
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
    const width = unicodeWidth(char);
    if (visible + width > columns) return out + "\x1b[0m";
    out += char;
    visible += width;
    i += char.length;
  }
  return out;
}

/**
 * The number of columns a line takes in a terminal, escape sequences not counted.
 *
 * @param line The line, possibly with SGR escape sequences.
 * @returns Visible columns.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { visibleWidth } from "./fit_to_width.ts";
 * assertEquals(visibleWidth("\x1b[1mon\x1b[22m"), 2);
 * assertEquals(visibleWidth("🔦 on"), 5);
 * ```
 */
export function visibleWidth(line: string): number {
  return unicodeWidth(line.replace(ESCAPES, ""));
}

/** A piece of a line and how much it matters (1 most; higher numbers are dropped first). */
export interface Segment {
  /** The text, possibly styled. */
  readonly text: string;
  /** 1 is kept longest. */
  readonly priority: number;
}

/**
 * Joins segments into a line that fits `columns`: the least important segments are left out
 * first, and only when the most important one alone is too wide is it cut.
 *
 * @param segments The pieces, in display order.
 * @param columns The width available.
 * @param separator Between segments (default two spaces).
 * @returns The line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fitSegments } from "./fit_to_width.ts";
 * const line = [{ text: "● connected", priority: 1 }, { text: "127.0.0.1:9999", priority: 2 }];
 * assertEquals(fitSegments(line, 80), "● connected  127.0.0.1:9999");
 * assertEquals(fitSegments(line, 20), "● connected");
 * ```
 */
export function fitSegments(
  segments: readonly Segment[],
  columns: number,
  separator = "  ",
): string {
  let kept = segments.filter((segment) => segment.text !== "");
  const width = () =>
    kept.reduce((sum, segment) => sum + visibleWidth(segment.text), 0) +
    Math.max(0, kept.length - 1) * visibleWidth(separator);
  while (kept.length > 1 && width() > columns) {
    const least = Math.max(...kept.map((segment) => segment.priority));
    const drop = kept.findLastIndex((segment) => segment.priority === least);
    kept = kept.filter((_, index) => index !== drop);
  }
  return fitToWidth(kept.map((segment) => segment.text).join(separator), columns);
}
