/**
 * Draws the lamp view in place on a terminal: cursor hidden while running, redraws coalesced to
 * at most one per frame interval (~60 per second) and never more than one write in flight (a
 * paused terminal holds one frame, never a backlog), the latest view always drawn, redrawn when
 * the terminal is resized, and the terminal restored on stop.
 *
 * Every redraw is relative to the cursor, which rests on the row below the view: it goes up over
 * the rows the view's earlier lines may take, overwrites them and erases what is below, so it
 * never scrolls and never clears the whole screen (which would push copies into the
 * scrollback). A terminal made shorter than the view pushes its top rows into the scrollback;
 * made taller again, it may pull them back above the view (tmux does): those lines stay on the
 * list of rows to go up over until a redraw has reached and overwritten them. Going up stops at
 * the screen's top, so a terminal that pulls back fewer, or none, loses nothing above the view.
 * A terminal one row high gets no redraw: with no row for the view above the cursor's, each one
 * would scroll a copy into the scrollback.
 *
 * @module
 */
import type { ColorDepth } from "./color_depth.ts";
import { visibleWidth } from "./fit_to_width.ts";
import { renderLampView, type TerminalSize } from "./lamp_view.ts";
import type { LampShown, LinkView } from "./lamp_view_model.ts";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[0m\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";

/** What a {@linkcode TerminalScreen} draws on and how often. */
export interface TerminalScreenOptions {
  /** Queues text for the terminal; never blocks. */
  readonly write: (text: string) => void;
  /** Whether an earlier write is still in flight (then the draw waits for it). */
  readonly busy: () => boolean;
  /** Resolves once the terminal took everything written so far. */
  readonly written: () => Promise<void>;
  /** The terminal's color depth. */
  readonly depth: ColorDepth;
  /** The lamp as it is now (read at every draw). */
  readonly lamp: () => LampShown;
  /** The terminal's size, asked at every draw. */
  readonly size: () => TerminalSize;
  /** The least time between two redraws, in ms (default 16, about 60 per second). */
  readonly frameMs?: number;
  /** The clock (defaults to `Date.now`). */
  readonly now?: () => number;
}

/**
 * The in-place terminal renderer.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { TerminalScreen } from "./terminal_screen.ts";
 * import { initialLinkView } from "./lamp_view_model.ts";
 * let out = "";
 * const screen = new TerminalScreen(initialLinkView("127.0.0.1:9999"), {
 *   write: (text) => out += text,
 *   busy: () => false,
 *   written: () => Promise.resolve(),
 *   depth: "none",
 *   lamp: () => ({
 *     fields: createCommandTable().state,
 *     state: { on: true, color: 0xff0000 },
 *     last: null,
 *     counts: { applied: 0, unknown: 0, malformed: 0, keepalives: 0 },
 *   }),
 *   size: () => ({ columns: 80, rows: 24 }),
 * });
 * screen.stop();
 * assertStringIncludes(out, "lamp ON #ff0000");
 * ```
 */
export class TerminalScreen {
  #view: LinkView;
  #options: TerminalScreenOptions;
  #now: () => number;
  /** The widths of the lines of ours above the cursor, top first (some may be out of view). */
  #above: number[] = [];
  #lastDraw = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #dirty = false;
  #waiting = false;
  #draws = 0;
  #cursorHidden = false;

  /**
   * Hides the cursor and draws the first view at once.
   * @param view The first view.
   * @param options Where and how to draw.
   */
  constructor(view: LinkView, options: TerminalScreenOptions) {
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
   * Shows a new connection view (the lamp is read at draw time).
   * @param view The view to show.
   */
  update(view: LinkView): void {
    this.#view = view;
    this.invalidate();
  }

  /** Asks for a redraw: now if the last draw is a frame interval old, else at the end of it. */
  invalidate(): void {
    this.#dirty = true;
    if (this.#timer !== undefined || this.#waitWhileBusy()) return;
    const wait = this.#lastDraw + (this.#options.frameMs ?? 16) - this.#now();
    if (wait <= 0) this.#draw();
    else {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#waitWhileBusy()) this.#draw();
      }, wait);
    }
  }

  /** While the terminal has not taken the last frame, waits for it instead of queueing another. */
  #waitWhileBusy(): boolean {
    if (!this.#options.busy()) return false;
    if (!this.#waiting) {
      this.#waiting = true;
      this.#options.written().then(() => {
        this.#waiting = false;
        if (this.#dirty && this.#cursorHidden) this.invalidate();
      });
    }
    return true;
  }

  /**
   * Draws the final view, stops all timers, restores the cursor.
   * @param view The final connection view.
   */
  stop(view: LinkView = this.#view): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#view = view;
    if (this.#cursorHidden) this.#draw();
    this.restore();
  }

  /** Shows the cursor and resets colors; safe to call on any exit path, any number of times. */
  restore(): void {
    if (!this.#cursorHidden) return;
    this.#cursorHidden = false;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#options.write(SHOW_CURSOR);
  }

  #draw(): void {
    this.#dirty = false;
    this.#lastDraw = this.#now();
    this.#draws++;
    const size = this.#options.size();
    this.#tickWhileRetrying();
    if (size.rows < 2) return;
    const lines = renderLampView(
      this.#view,
      this.#options.lamp(),
      this.#options.depth,
      this.#lastDraw,
      size,
    );
    // Up over the rows our lines take now (a line may wrap in a narrower terminal), as far as the
    // screen's top; overwrite them, erase what is left below.
    const reach = Math.min(rowsTaken(this.#above, size.columns), size.rows - 1);
    const up = reach > 0 ? `\x1b[${reach}A\r` : "";
    this.#options.write(up + lines.map((line) => CLEAR_LINE + line + "\n").join("") + "\x1b[J");
    this.#above = [...outOfReach(this.#above, size.columns, reach), ...lines.map(visibleWidth)];
  }

  /** Keeps the retry countdown moving: one redraw a second, only while retrying. */
  #tickWhileRetrying(): void {
    const retrying = this.#view.link === "retrying";
    if (retrying && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.invalidate(), 1000);
    } else if (!retrying && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }
}

/** The rows lines of these widths take on a terminal `columns` wide (an empty line takes one). */
function rowsTaken(widths: readonly number[], columns: number): number {
  const per = Math.max(1, columns);
  return widths.reduce((rows, width) => rows + Math.max(1, Math.ceil(width / per)), 0);
}

/**
 * The lines (widths, top first) a cursor below them cannot reach going up `reach` rows: the
 * terminal pushed them out of view. Of a line cut by the screen's top, the part out of view, as
 * that many whole rows.
 */
function outOfReach(widths: readonly number[], columns: number, reach: number): number[] {
  let rows = 0;
  for (let i = widths.length - 1; i >= 0; i--) {
    const taken = rowsTaken([widths[i]], columns);
    rows += taken;
    if (rows > reach) {
      const hidden = Math.min(taken, rows - reach);
      return [...widths.slice(0, i), hidden === taken ? widths[i] : hidden * columns];
    }
  }
  return [];
}
