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
  return cut(line, columns, false);
}

/**
 * Keeps as much of `line` as fits in `columns`, cut where a word ends (before a space); by a
 * character only when even the first word is too wide.
 */
function cut(line: string, columns: number, atWord: boolean): string {
  let out = "";
  let visible = 0;
  let wordEnd = -1;
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
    if (visible + width > columns) {
      return (atWord && wordEnd > 0 ? out.slice(0, wordEnd) : out) + "\x1b[0m";
    }
    if (char === " " && visible > 0) wordEnd = out.length;
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
  /** 1 is kept longest; of equal ones, the last is dropped first. */
  readonly priority: number;
  /** What joins it to the segment before it (default: the line's separator). */
  readonly gap?: string;
}

/**
 * Joins segments into a line that fits `columns`: the least important segments are left out
 * first, each whole (a value is never cut, `#ff00` of `#ff0000`); only when the first one alone is
 * too wide is it cut, where a word ends.
 *
 * @param segments The pieces, in display order.
 * @param columns The width available.
 * @param separator Between segments (default two spaces).
 * @returns The line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fitSegments } from "./fit_to_width.ts";
 * const line = [
 *   { text: "lamp ON", priority: 1 },
 *   { text: "#ff0000", priority: 1, gap: " " },
 *   { text: "last: ON", priority: 2 },
 * ];
 * assertEquals(fitSegments(line, 80), "lamp ON #ff0000  last: ON");
 * assertEquals(fitSegments(line, 20), "lamp ON #ff0000");
 * assertEquals(fitSegments(line, 14), "lamp ON");
 * assertEquals(fitSegments([{ text: "○ retrying in 3 s", priority: 1 }], 12), "○ retrying\x1b[0m");
 * ```
 */
export function fitSegments(
  segments: readonly Segment[],
  columns: number,
  separator = "  ",
): string {
  let kept = segments.filter((segment) => segment.text !== "");
  const joined = () =>
    kept.map((segment, index) => (index === 0 ? "" : segment.gap ?? separator) + segment.text)
      .join("");
  while (kept.length > 1 && visibleWidth(joined()) > columns) {
    const least = Math.max(...kept.map((segment) => segment.priority));
    const drop = kept.findLastIndex((segment) => segment.priority === least);
    kept = kept.filter((_, index) => index !== drop);
  }
  return cut(joined(), columns, true);
}
