/**
 * Where lamp events go: the in-place terminal view, or log lines.
 *
 * @module
 */
import { setColorEnabled } from "@std/fmt/colors";
import { type LampEvent, levelOf } from "../client/lamp_event.ts";
import { toLogRecord } from "./lamp_log_record.ts";
import type { ColorDepth } from "./color_depth.ts";
import { initialLampView, reduceLampView } from "./lamp_view_model.ts";
import type { LogFormat } from "../log/log_line.ts";
import { type Level, LogWriter, type SyncWriter } from "../log/log_writer.ts";
import { TerminalScreen } from "./terminal_screen.ts";

/** A sink for lamp events. */
export interface LampOutput {
  /** Shows one event. */
  onEvent(event: LampEvent): void;
  /** Shows the final state and releases the output (cursor restored, lines flushed). */
  stop(): void;
  /** Makes the terminal usable again at once; for crash and forced-exit paths. */
  restore(): void;
}

/**
 * The terminal view: a colored lamp redrawn in place.
 *
 * @param address The address shown until the first event.
 * @param depth The terminal's color depth.
 * @param out The terminal.
 * @returns The output.
 * @example
 * ```ts ignore
 * import { terminalOutput } from "./lamp_output.ts";
 * const output = terminalOutput("127.0.0.1:9999", "truecolor", Deno.stdout);
 * output.stop();
 * ```
 */
export function terminalOutput(address: string, depth: ColorDepth, out: SyncWriter): LampOutput {
  setColorEnabled(depth !== "none");
  const encoder = new TextEncoder();
  const write = (text: string) => {
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += out.writeSync(bytes.subarray(written));
    }
  };
  let view = initialLampView(address);
  const columns = () => {
    try {
      return Deno.consoleSize().columns || 80; // a pseudo-terminal may report 0 columns: unknown
    } catch {
      return 80; // not a terminal after all (e.g. redirected mid-run)
    }
  };
  const screen = new TerminalScreen(view, { write, depth, columns });
  return {
    onEvent(event) {
      view = reduceLampView(view, event, Date.now());
      screen.update(view);
    },
    stop: () => screen.stop(),
    restore: () => screen.restore(),
  };
}

/**
 * Log lines: one per event, text or JSON Lines, filtered by level.
 *
 * @param out Where lines go (stdout).
 * @param format `text` or `json`.
 * @param level The least severe level written.
 * @returns The output.
 * @example
 * ```ts
 * import { logOutput } from "./lamp_output.ts";
 * const output = logOutput(Deno.stdout, "json", "error");
 * output.stop();
 * ```
 */
export function logOutput(out: SyncWriter, format: LogFormat, level: Level): LampOutput {
  const writer = new LogWriter(out, { format, level });
  return {
    onEvent: (event) => {
      const level = levelOf(event);
      if (writer.enabled(level)) writer.log(toLogRecord(event), level);
    },
    stop: () => writer.flush(),
    restore: () => writer.flush(),
  };
}
