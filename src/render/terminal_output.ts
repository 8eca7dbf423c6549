/**
 * The lamp on a terminal: the in-place view, or plain lines for a terminal that cannot redraw.
 * Both write through a non-blocking output and read the lamp when they draw.
 *
 * @module
 */
import { setColorEnabled } from "@std/fmt/colors";
import type { OutputWriter } from "../log/output_writer.ts";
import type { ColorDepth } from "./color_depth.ts";
import type { LampOutput } from "./lamp_output.ts";
import { plainLampLine, type TerminalSize } from "./lamp_view.ts";
import {
  initialLinkView,
  type LampShown,
  type LinkView,
  reduceLinkView,
} from "./lamp_view_model.ts";
import { TerminalScreen } from "./terminal_screen.ts";

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
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { terminalOutput } from "./terminal_output.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const lamp = () => ({
 *   fields: createCommandTable().state,
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
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { plainOutput } from "./terminal_output.ts";
 * import { OutputWriter } from "../log/output_writer.ts";
 * let text = "";
 * const out = new OutputWriter({
 *   write: (bytes) => (text += new TextDecoder().decode(bytes), Promise.resolve(bytes.length)),
 * });
 * const lamp = () => ({
 *   fields: createCommandTable().state,
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
    onRead: () => void soon(),
    stop() {
      clearTimeout(timer);
      print();
      view = { ...view, link: "stopped" };
      print();
    },
    restore: () => {},
  };
}
