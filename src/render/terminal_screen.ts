/**
 * Draws the lamp view in place on a terminal: cursor hidden while running, redraws coalesced
 * to at most one per frame interval (~60 per second), the latest view always drawn, and the
 * terminal restored on stop.
 *
 * @module
 */
import type { ColorDepth } from "./color_depth.ts";
import { fitToWidth } from "./fit_to_width.ts";
import { renderLampView } from "./lamp_view.ts";
import type { LampViewModel } from "./lamp_view_model.ts";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[0m\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";

/** What a {@linkcode TerminalScreen} draws on and how often. */
export interface TerminalScreenOptions {
  /** Writes text to the terminal. */
  readonly write: (text: string) => void;
  /** The terminal's color depth. */
  readonly depth: ColorDepth;
  /** The least time between two redraws, in ms (default 16, about 60 per second). */
  readonly frameMs?: number;
  /** The clock (defaults to `Date.now`). */
  readonly now?: () => number;
  /** The terminal's width in columns, asked at every draw (default 80). */
  readonly columns?: () => number;
}

/**
 * The in-place terminal renderer.
 *
 * @example
 * ```ts ignore
 * import { TerminalScreen } from "./terminal_screen.ts";
 * import { initialLampView } from "./lamp_view_model.ts";
 * const screen = new TerminalScreen(initialLampView("127.0.0.1:9999"), {
 *   write: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
 *   depth: "truecolor",
 * });
 * screen.stop();
 * ```
 */
export class TerminalScreen {
  #view: LampViewModel;
  #options: TerminalScreenOptions;
  #now: () => number;
  #linesOnScreen = 0;
  #lastDraw = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #draws = 0;
  #cursorHidden = false;

  /**
   * Hides the cursor and draws the first view at once.
   * @param view The first view.
   * @param options Where and how to draw.
   */
  constructor(view: LampViewModel, options: TerminalScreenOptions) {
    this.#view = view;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    options.write(HIDE_CURSOR);
    this.#cursorHidden = true;
    this.#draw();
  }

  /** How many times the view was drawn. */
  get draws(): number {
    return this.#draws;
  }

  /**
   * Shows a new view: drawn now if the last draw is a frame interval old, else at the end of it.
   * @param view The view to show.
   */
  update(view: LampViewModel): void {
    this.#view = view;
    if (this.#timer !== undefined) return;
    const wait = this.#lastDraw + (this.#options.frameMs ?? 16) - this.#now();
    if (wait <= 0) this.#draw();
    else {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#draw();
      }, wait);
    }
  }

  /** Draws the latest view if it is not on screen yet, stops all timers, restores the cursor. */
  stop(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#draw();
    }
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.restore();
  }

  /** Shows the cursor and resets colors; safe to call on any exit path, any number of times. */
  restore(): void {
    if (!this.#cursorHidden) return;
    this.#cursorHidden = false;
    this.#options.write(SHOW_CURSOR);
  }

  #draw(): void {
    this.#lastDraw = this.#now();
    this.#draws++;
    // One column short of the width: a line that fills the last column may wrap on some terminals.
    const width = Math.max(1, (this.#options.columns?.() ?? 80) - 1);
    const lines = renderLampView(this.#view, this.#options.depth, this.#lastDraw)
      .map((line) => fitToWidth(line, width));
    while (lines.length < this.#linesOnScreen) lines.push("");
    const up = this.#linesOnScreen > 0 ? `\x1b[${this.#linesOnScreen}A\r` : "";
    this.#options.write(up + lines.map((line) => CLEAR_LINE + line + "\n").join(""));
    this.#linesOnScreen = lines.length;
    this.#tickWhileRetrying();
  }

  /** Keeps the retry countdown moving: one redraw a second, only while retrying. */
  #tickWhileRetrying(): void {
    const retrying = this.#view.link === "retrying";
    if (retrying && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.update(this.#view), 1000);
    } else if (!retrying && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }
}
