/**
 * Draws the lamp and its status line as terminal text. Pure: state in, lines out.
 *
 * @module
 */
import { bold, dim, gray, green, red, yellow } from "@std/fmt/colors";
import { formatColor } from "../lamp/rgb.ts";
import type { ColorDepth } from "./color_depth.ts";
import type { LampViewModel } from "./lamp_view_model.ts";
import { paintBackground } from "./paint_color.ts";

const WIDTH = 16;
const BODY_ROWS = 4;

function statusText(view: LampViewModel, now: number): string {
  switch (view.link) {
    case "connected":
      return green("● connected");
    case "connecting":
      return yellow("○ connecting…");
    case "retrying": {
      const seconds = Math.max(0, Math.ceil((view.retryAt - now) / 1000));
      const why = view.reason ? ` — ${view.reason}` : "";
      return red(`○ disconnected, retrying in ${seconds} s (attempt ${view.attempt})`) + dim(why);
    }
    case "stopped":
      return gray("■ stopped");
  }
}

function lampRows(view: LampViewModel, depth: ColorDepth): string[] {
  const { on, color } = view.lamp;
  if (depth === "none") {
    const label = on ? `ON  ${formatColor(color)}` : `OFF (${formatColor(color)} when on)`;
    return [`[ lamp: ${label} ]`];
  }
  if (!on) {
    const inner = " ".repeat(WIDTH - 2);
    return [
      dim(gray(`╭${"─".repeat(WIDTH - 2)}╮`)),
      ...Array.from({ length: BODY_ROWS - 2 }, () => dim(gray(`│${inner}│`))),
      dim(gray(`╰${"─".repeat(WIDTH - 2)}╯`)),
    ];
  }
  const row = paintBackground(" ".repeat(WIDTH), color, depth);
  return Array.from({ length: BODY_ROWS }, () => row);
}

function commandText(last: NonNullable<LampViewModel["lastCommand"]>): string {
  const value = last.command.format(last.args);
  return value ? `${last.command.name} ${value}` : last.command.name;
}

/**
 * Renders the lamp block plus a status line (address, link, last command).
 *
 * @param view What to show.
 * @param depth The terminal's color depth (`none`: text only).
 * @param now The current time in ms since epoch, for the retry countdown.
 * @returns The lines to draw, without newlines.
 * @example
 * ```ts
 * import { renderLampView } from "./lamp_view.ts";
 * import { initialLampView } from "./lamp_view_model.ts";
 * renderLampView(initialLampView("127.0.0.1:9999"), "none", 0);
 * ```
 */
export function renderLampView(view: LampViewModel, depth: ColorDepth, now: number): string[] {
  const state = view.lamp.on ? bold(`ON ${formatColor(view.lamp.color)}`) : dim("OFF");
  const last = view.lastCommand ? `  last: ${commandText(view.lastCommand)}` : "";
  const ignored = view.ignored ? dim(`  ignored frames: ${view.ignored}`) : "";
  return [
    ...lampRows(view, depth),
    `${bold("flashlight")} ${view.address}  ${statusText(view, now)}`,
    `lamp ${state}${last}${ignored}`,
  ];
}
