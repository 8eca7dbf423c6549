/**
 * The stand's browsers: the page's WebSockets, the first message each gets (the command table's
 * pieces and commands, the state, the counts, the last frames), and the counts kept current.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import type { Level } from "../log/level.ts";
import type { LogRecord } from "../log/log_line.ts";
import { BrowserHub } from "./browser_hub.ts";
import type { BrowserMessage, CommandView, Counts, PieceView } from "./page/messages.ts";
import type { StandCore } from "./stand_core.ts";

/** Counts reach the browsers at most this often: a thousand lamps arriving cost one message. */
export const COUNT_UPDATE_MS = 250;

/** What the browser side shows. */
export interface BrowserSideContext {
  /** The command table (its pieces of state and commands). */
  readonly table: CommandTable;
  /** The retained state and the last frames. */
  readonly core: StandCore;
  /** The lamps connected here. */
  readonly lamps: { readonly count: number };
  /** Unsent bytes a browser may have before it is closed. */
  readonly queueLimit: number;
  /** The stand's log (`browsers` when the count changes). */
  readonly log: (record: LogRecord, level: Level) => void;
}

/**
 * The browsers watching the stand.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { BrowserSide } from "./browser_side.ts";
 * import { StandCore } from "./stand_core.ts";
 * const table = createCommandTable();
 * const side = new BrowserSide({
 *   table,
 *   core: new StandCore(table),
 *   lamps: { count: 2 },
 *   queueLimit: 1 << 16,
 *   log: () => {},
 * });
 * assertEquals(side.counts(), { lamps: 2, browsers: 0 });
 * side.close();
 * ```
 */
export class BrowserSide {
  /** The open WebSockets. */
  readonly hub: BrowserHub;
  #context: BrowserSideContext;
  #pieces: readonly PieceView[];
  #commands: readonly CommandView[];
  #sent: Counts = { lamps: -1, browsers: -1 };
  #ticker: ReturnType<typeof setInterval>;

  /**
   * The browser side, with no browser yet.
   * @param context What it shows; counts go out on a tick from now on.
   */
  constructor(context: BrowserSideContext) {
    this.#context = context;
    this.hub = new BrowserHub(
      context.queueLimit,
      (count) => context.log({ event: "browsers", browsers: count }, "info"),
    );
    this.#pieces = context.table.state.map(({ name, shows }) => ({
      name,
      ...(shows ? { shows } : {}),
    }));
    this.#commands = context.table.commands.map(({ name, valueHint, state }) => ({
      name,
      valueHint,
      ...(state ? { state: state.name } : {}),
    }));
    this.#ticker = setInterval(() => this.#tick(), COUNT_UPDATE_MS);
  }

  /**
   * The counts shown to browsers.
   * @returns Lamps and browsers connected here now.
   */
  counts(): Counts {
    return { lamps: this.#context.lamps.count, browsers: this.hub.count };
  }

  /**
   * The first message a browser gets.
   * @returns The first message a browser gets.
   */
  hello(): BrowserMessage {
    const { core } = this.#context;
    return {
      type: "hello",
      pieces: this.#pieces,
      commands: this.#commands,
      state: core.shown,
      ...this.counts(),
      recent: [...core.recent],
    };
  }

  /** Sends the counts to every browser when they changed since the last tick. */
  #tick(): void {
    const now = this.counts();
    if (now.lamps === this.#sent.lamps && now.browsers === this.#sent.browsers) return;
    this.hub.broadcast({ type: "count", ...now });
    this.#sent = now;
  }

  /** Stops the counts and closes every browser. */
  close(): void {
    clearInterval(this.#ticker);
    this.hub.close();
  }
}
