/**
 * Where the lamp shows itself: the in-place terminal view, plain lines for a terminal that cannot
 * redraw, or log lines. All three write through a non-blocking output.
 *
 * @module
 */
import { setColorEnabled } from "@std/fmt/colors";
import type { LampEvent } from "../client/lamp_event.ts";
import type { DispatchListener } from "../commands/dispatcher.ts";
import type { LogRecord } from "../log/log_line.ts";
import type { LogWriter } from "../log/log_writer.ts";
import type { OutputWriter } from "../log/output_writer.ts";
import type { ColorDepth } from "./color_depth.ts";
import { LampLog } from "./lamp_log.ts";
import { plainLampLine, type TerminalSize } from "./lamp_view.ts";
import {
  initialLinkView,
  type LampShown,
  type LinkView,
  reduceLinkView,
} from "./lamp_view_model.ts";
import { TerminalScreen } from "./terminal_screen.ts";

/** A sink for what the lamp does. */
export interface LampOutput {
  /** The per-frame callbacks to give the client (empty when nothing is shown per frame). */
  readonly listener: DispatchListener;
  /** Shows one lifecycle event. */
  onEvent(event: LampEvent): void;
  /** Called after the frames of each read were applied (and when the terminal was resized). */
  onRead(): void;
  /** Shows the final state and why the lamp stopped. */
  stop(record: LogRecord): void;
  /** Makes the terminal usable again at once; for crash and forced-exit paths. */
  restore(): void;
}

/**
 * The terminal view: a colored lamp redrawn in place.
 *
 * @param address The address shown until the first event.
 * @param depth The terminal's color depth.
 * @param out The terminal's output.
 * @param lamp Reads the lamp at draw time.
 * @param size Reads the terminal's size.
 * @returns The output.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { terminalOutput } from "./lamp_output.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const lamp = () => ({
 *   state: { on: false, color: 0xffffff },
 *   last: null,
 *   counts: { applied: 0, unknown: 0, malformed: 0, keepalives: 0 },
 * });
 * const output = terminalOutput("127.0.0.1:9999", "none", out, lamp, () => ({ columns: 80, rows: 24 }));
 * output.stop({ event: "stopped" });
 * await out.flush(1000);
 * assertStringIncludes(text, "stopped");
 * ```
 */
export function terminalOutput(
  address: string,
  depth: ColorDepth,
  out: OutputWriter,
  lamp: () => LampShown,
  size: () => TerminalSize,
): LampOutput {
  setColorEnabled(depth !== "none");
  let view = initialLinkView(address);
  const screen = new TerminalScreen(view, {
    write: (text) => void out.write(text),
    busy: () => out.busy,
    written: () => out.idle(),
    depth,
    lamp,
    size,
  });
  return {
    listener: {},
    onEvent(event) {
      view = reduceLinkView(view, event, Date.now());
      screen.update(view);
    },
    onRead: () => screen.invalidate(),
    stop: () => screen.stop({ ...view, link: "stopped" }),
    restore: () => screen.restore(),
  };
}

/**
 * Plain lines for a terminal that cannot move the cursor (`TERM=dumb`): one line each time what
 * it would show changes, at most one per frame interval.
 *
 * @param address The address shown until the first event.
 * @param out The terminal's output.
 * @param lamp Reads the lamp.
 * @param frameMs The least time between two lines (default 16).
 * @returns The output.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { plainOutput } from "./lamp_output.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const lamp = () => ({
 *   state: { on: false, color: 0xffffff },
 *   last: null,
 *   counts: { applied: 0, unknown: 0, malformed: 0, keepalives: 0 },
 * });
 * const output = plainOutput("a:1", out, lamp);
 * output.onEvent({ event: "connected", address: "a:1" });
 * output.stop({ event: "stopped" });
 * await out.flush(1000);
 * assertEquals(text, "connecting a:1 | lamp OFF (color #ffffff)\nconnected a:1 | lamp OFF (color #ffffff)\nstopped a:1 | lamp OFF (color #ffffff)\n");
 * ```
 */
export function plainOutput(
  address: string,
  out: OutputWriter,
  lamp: () => LampShown,
  frameMs = 16,
): LampOutput {
  let view: LinkView = initialLinkView(address);
  let shown = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const print = () => {
    timer = undefined;
    const line = plainLampLine(view, lamp());
    if (line !== shown) out.write(line + "\n");
    shown = line;
  };
  const soon = () => timer ??= setTimeout(print, frameMs);
  print();
  return {
    listener: {},
    onEvent(event) {
      view = reduceLinkView(view, event, Date.now());
      soon();
    },
    onRead: soon,
    stop() {
      clearTimeout(timer);
      print();
      view = { ...view, link: "stopped" };
      print();
    },
    restore: () => {},
  };
}

/**
 * Log lines: one per event (and per command at info, per ignored frame at debug), text or JSON
 * Lines, filtered by the writer's level.
 *
 * @param log The log writer.
 * @returns The output.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { logOutput } from "./lamp_output.ts";
 * import { LogWriter } from "../log/log_writer.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const output = logOutput(new LogWriter(out, { format: "json", level: "info", now: () => 0 }));
 * output.onEvent({ event: "connected", address: "a:1" });
 * await out.flush(1000);
 * assertEquals(JSON.parse(text).event, "connected");
 * ```
 */
export function logOutput(log: LogWriter): LampOutput {
  const lampLog = new LampLog(log);
  return {
    listener: lampLog.listener,
    onEvent: (event) => lampLog.onEvent(event),
    onRead: () => {},
    stop: (record) => log.log(record, "info"),
    restore: () => {},
  };
}
