/**
 * Draws the lamp and its status lines as terminal text. Pure: view in, lines out, already fitted
 * to the terminal's size.
 *
 * @module
 */
import * as colors from "@std/fmt/colors";
import { escapeText } from "../log/escape_text.ts";
import { type Rgb, WHITE } from "../lamp/rgb.ts";
import type { ColorDepth } from "./color_depth.ts";
import { fitSegments, fitToWidth, type Segment } from "./fit_to_width.ts";
import type { LampShown, LinkView } from "./lamp_view_model.ts";
import { paintBackground, tooDarkToSee } from "./paint_color.ts";

const WIDTH = 16;
const BODY_ROWS = 4;

type Style = (text: string) => string;
const plain: Style = (text) => text;

/** The text styles for a depth: none at all for a terminal without colors. */
function stylesFor(depth: ColorDepth) {
  const on = depth !== "none";
  return {
    bold: on ? colors.bold : plain,
    dim: on ? colors.dim : plain,
    gray: on ? colors.gray : plain,
    green: on ? colors.green : plain,
    red: on ? colors.red : plain,
    yellow: on ? colors.yellow : plain,
  };
}

/** The terminal's size in character cells. */
export interface TerminalSize {
  /** Columns. */
  readonly columns: number;
  /** Rows. */
  readonly rows: number;
}

function linkSegments(view: LinkView, now: number, depth: ColorDepth): Segment[] {
  const { dim, gray, green, red, yellow } = stylesFor(depth);
  const address = { text: escapeText(view.address), priority: 2 };
  switch (view.link) {
    case "connected":
      return [{ text: green("● connected"), priority: 1 }, address];
    case "connecting":
      return [{ text: yellow("○ connecting…"), priority: 1 }, address];
    case "retrying": {
      const seconds = Math.max(0, Math.ceil((view.retryAt - now) / 1000));
      return [
        { text: red("○ retrying"), priority: 1 },
        { text: red(`in ${seconds} s`), priority: 1, gap: " " },
        { text: red(`(attempt ${view.attempt})`), priority: 3 },
        address,
        { text: dim(escapeText(view.reason)), priority: 4 }, // may quote the server (TLS names)
      ];
    }
    case "stopped":
      return [{ text: gray("■ stopped"), priority: 1 }, address];
  }
}

function commandText(last: NonNullable<LampShown["last"]>): string {
  const value = escapeText(last.command.format(last.args));
  return value ? `${last.command.name} ${value}` : last.command.name;
}

/**
 * What the block shows: lit or dark (the `light` piece; lit when the lamp has none) and its color
 * (the `color` piece, white when none) with its text.
 */
function blockOf(lamp: LampShown): { on: boolean; color: Rgb; colorText: string } {
  const light = lamp.fields.find((field) => field.shows === "light");
  const color = lamp.fields.find((field) => field.shows === "color");
  const value = color ? lamp.state[color.name] as Rgb : WHITE;
  return {
    on: light ? lamp.state[light.name] === true : true,
    color: value,
    colorText: color ? escapeText(color.text(value)) : "",
  };
}

/** Every other piece of state as a labelled value: `brightness 128`. */
function pieceTexts(lamp: LampShown): string[] {
  return lamp.fields.filter((field) => !field.shows).map((field) =>
    `${field.name} ${escapeText(field.text(lamp.state[field.name]))}`
  );
}

function lampSegments(lamp: LampShown, depth: ColorDepth): Segment[] {
  const { bold, dim } = stylesFor(depth);
  const { on, color, colorText } = blockOf(lamp);
  const ignored = lamp.counts.unknown + lamp.counts.malformed;
  const stored = depth === "none" ? "" : paintBackground("  ", color, depth);
  // Each value its own segment: too narrow, it goes whole, never cut through.
  const state: Segment[] = on
    ? [{ text: bold("lamp ON"), priority: 1 }, { text: bold(colorText), priority: 1, gap: " " }]
    : [
      { text: dim("lamp OFF"), priority: 1 },
      { text: colorText && `color ${colorText}`, priority: 1, gap: " " },
      { text: stored, priority: 1, gap: " " },
      { text: dim("(shown when on)"), priority: 1, gap: " " },
    ];
  return [
    ...state,
    // Further pieces of state go first when the line is too narrow.
    ...pieceTexts(lamp).map((text) => ({ text, priority: 4 })),
    { text: lamp.last ? `last: ${commandText(lamp.last)}` : "", priority: 2 },
    { text: ignored ? dim(`ignored frames: ${ignored}`) : "", priority: 3 },
  ];
}

/**
 * The block: painted in the lamp's color when lit; an outline when dark, and around the paint when
 * lit in a color too dark to see on a dark terminal.
 */
function lampBody(lamp: LampShown, depth: ColorDepth): string[] {
  const { dim, gray } = stylesFor(depth);
  const outline = (text: string) => dim(gray(text));
  const { on, color } = blockOf(lamp);
  if (on && !tooDarkToSee(color)) {
    const row = paintBackground(" ".repeat(WIDTH), color, depth);
    return Array.from({ length: BODY_ROWS }, () => row);
  }
  const edge = "─".repeat(WIDTH - 2);
  const inside = " ".repeat(WIDTH - 2);
  const side = outline("│") + (on ? paintBackground(inside, color, depth) : inside) + outline("│");
  return [outline(`╭${edge}╮`), side, side, outline(`╰${edge}╯`)];
}

/**
 * Renders the lamp block, a status line (link, address, reason) and a lamp line (state, last
 * command, ignored frames), fitted to the terminal: too narrow, the least important parts go first;
 * too short, the lamp block shrinks first, so a redraw never scrolls.
 *
 * @param view The connection part.
 * @param lamp The lamp part.
 * @param depth The terminal's color depth (`none`: no block, text only).
 * @param now The current time in ms since epoch, for the retry countdown.
 * @param size The terminal's size.
 * @returns The lines to draw (at most `rows - 1`), without newlines.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { renderLampView } from "./lamp_view.ts";
 * import { initialLinkView } from "./lamp_view_model.ts";
 * const lamp = {
 *   fields: createCommandTable().state,
 *   state: { on: false, color: 0xff0000 },
 *   last: null,
 *   counts: { applied: 0, unknown: 0, malformed: 0, keepalives: 0 },
 * };
 * const lines = renderLampView(initialLinkView("127.0.0.1:9999"), lamp, "none", 0, {
 *   columns: 80,
 *   rows: 24,
 * });
 * assertEquals(lines, [
 *   "○ connecting…  127.0.0.1:9999",
 *   "lamp OFF color #ff0000 (shown when on)",
 * ]);
 * ```
 */
export function renderLampView(
  view: LinkView,
  lamp: LampShown,
  depth: ColorDepth,
  now: number,
  size: TerminalSize,
): string[] {
  // One column short of the width: a line that fills the last column may wrap on some terminals.
  const columns = Math.max(1, size.columns - 1);
  const text = [
    fitSegments(linkSegments(view, now, depth), columns),
    fitSegments(lampSegments(lamp, depth), columns),
  ];
  const room = Math.max(1, size.rows - 1); // the cursor rests on the row below the last line
  if (room <= text.length) return text.slice(0, room);
  const body = depth === "none"
    ? []
    : lampBody(lamp, depth).map((line) => fitToWidth(line, columns));
  return [...body.slice(0, room - text.length), ...text];
}

/**
 * The view as one plain line, for a terminal that cannot redraw (`TERM=dumb`): printed once per
 * change.
 *
 * @param view The connection part.
 * @param lamp The lamp part.
 * @returns The line, without styling.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { plainLampLine } from "./lamp_view.ts";
 * import { initialLinkView } from "./lamp_view_model.ts";
 * const lamp = {
 *   fields: createCommandTable().state,
 *   state: { on: true, color: 0x00ff00 },
 *   last: null,
 *   counts: { applied: 1, unknown: 0, malformed: 0, keepalives: 0 },
 * };
 * assertEquals(plainLampLine(initialLinkView("a:1"), lamp), "connecting a:1 | lamp ON #00ff00");
 * ```
 */
export function plainLampLine(view: LinkView, lamp: LampShown): string {
  const address = escapeText(view.address);
  const reason = escapeText(view.reason);
  const link = view.link === "retrying"
    ? `retrying (attempt ${view.attempt}) ${address}${reason ? `: ${reason}` : ""}`
    : `${view.link} ${address}`;
  const { on, colorText } = blockOf(lamp);
  const state = [on ? `lamp ON ${colorText}` : `lamp OFF (color ${colorText})`, ...pieceTexts(lamp)]
    .join(" | ");
  const last = lamp.last ? ` | last: ${commandText(lamp.last)}` : "";
  const ignored = lamp.counts.unknown + lamp.counts.malformed;
  return `${link} | ${state}${last}${ignored ? ` | ignored frames: ${ignored}` : ""}`;
}
