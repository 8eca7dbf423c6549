/**
 * Help text fitted to the terminal: a line too long for the width is wrapped at spaces, its
 * continuation lines indented under its description column (the text after the first run of two
 * or more spaces, as in `  --lamp-port N   lamp TCP port`) or, for a prose line, under its own
 * indent.
 *
 * @module
 */

/** The width help is wrapped to when stdout is not a terminal (a pipe, a file). */
export const PIPED_HELP_WIDTH = 80;

/** The narrowest a description column is made, however narrow the terminal. */
const MIN_DESCRIPTION = 20;

/**
 * Wraps every line of a help text that is wider than `width`. Words are never cut: one longer
 * than the room left stays whole on its own line.
 *
 * @param text The help text, one item per line.
 * @param width The columns to fit (the terminal's, or {@linkcode PIPED_HELP_WIDTH}).
 * @returns The text, no line wider than `width` except where a single word is.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { wrapHelp } from "./wrap_help.ts";
 * assertEquals(
 *   wrapHelp("  --log FORMAT   write log lines instead of the view", 40),
 *   "  --log FORMAT   write log lines instead\n                 of the view",
 * );
 * ```
 */
export function wrapHelp(text: string, width: number): string {
  return text.split("\n").flatMap((line) => wrapLine(line, width)).join("\n");
}

function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const columns = /^(\s*\S.*?\s{2,})(\S.*)$/.exec(line);
  const lead = columns?.[1] ?? /^\s*/.exec(line)![0];
  const indent = lead.length + MIN_DESCRIPTION <= width || !columns
    ? lead.length
    : /^\s*/.exec(line)![0].length + 4;
  const room = Math.max(MIN_DESCRIPTION, width - indent);
  const lines: string[] = [];
  let current = "";
  for (const word of line.slice(lead.length).split(/\s+/).filter(Boolean)) {
    if (current !== "" && current.length + 1 + word.length > room) {
      lines.push(current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") lines.push(current);
  const pad = " ".repeat(indent);
  if (indent !== lead.length) return [lead.trimEnd(), ...lines.map((part) => pad + part)];
  return lines.map((part, i) => (i === 0 ? lead : pad) + part);
}

/**
 * The width to wrap help to: the terminal's columns when stdout is a terminal, else
 * {@linkcode PIPED_HELP_WIDTH}.
 *
 * @returns The columns.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { helpWidth } from "./wrap_help.ts";
 * assert(helpWidth() > 0);
 * ```
 */
export function helpWidth(): number {
  if (!Deno.stdout.isTerminal()) return PIPED_HELP_WIDTH;
  try {
    return Deno.consoleSize().columns || PIPED_HELP_WIDTH;
  } catch {
    return PIPED_HELP_WIDTH;
  }
}
