/**
 * Logged lines per second when every applied command is logged (`--log text` and `--log json`):
 * a COLOR stream into each lamp, timed from the first byte until its last line (the final COLOR,
 * #123456) is read from the lamp's stdout pipe (by the C line sink, so the reader is never the
 * limit), median of some runs, beside the C lamp's logging mode (one write per read) in the same
 * run.
 *
 * @module
 */
import { frameStream } from "./frame_streams.ts";
import { cProgram } from "./c_program.ts";
import { comparatorLamps, flashlightLamp, type Lamp } from "./lamp_contenders.ts";
import { feedLamp } from "./lamp_feed.ts";
import { cellsBeside, median, rate, type Table } from "./measure.ts";

const LAST_LINE = { text: "color=#123456", json: '"color":"#123456"' } as const;

async function linesPerSecond(
  format: "text" | "json",
  frames: number,
  runs: number,
  sink: string | null,
): Promise<{ names: string[]; rates: number[] }> {
  const stream = frameStream("COLOR", frames);
  const lamps: Lamp[] = [
    ...await comparatorLamps(`log ${format}`),
    flashlightLamp(["--log", format]),
  ];
  const times = lamps.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, lamp] of lamps.entries()) {
      const feed = await feedLamp(lamp, stream, {
        watch: LAST_LINE[format],
        sink,
        timeToWatch: true,
      });
      if (feed.lines < stream.counts.applied) {
        throw new Error(
          `${lamp.name} wrote ${feed.lines} lines for ${stream.counts.applied} commands`,
        );
      }
      times[i].push(feed.ms);
    }
  }
  return {
    names: lamps.map((lamp) => lamp.name.replace(/ --log (text|json)$/, "")),
    rates: times.map((ms) => stream.counts.applied / (median(ms) / 1000)),
  };
}

/**
 * Runs the part: text, then JSON.
 *
 * @param frames COLOR frames per stream (one line each).
 * @param runs Runs per lamp (the median is shown).
 * @returns The table.
 * @example
 * ```ts ignore
 * import { logLines } from "./log_lines.ts";
 * const [table] = await logLines(200_000, 3);
 * ```
 */
export async function logLines(frames: number, runs: number): Promise<Table[]> {
  const sink = await cProgram("c_line_sink");
  const rows: string[][] = [];
  let columns: string[] = [];
  for (const format of ["text", "json"] as const) {
    const { names, rates } = await linesPerSecond(format, frames, runs, sink);
    columns = ["--log", ...names];
    const c = names[0] === "C lamp" ? 0 : -1;
    rows.push([
      format,
      ...cellsBeside(rates, rate, c),
    ]);
  }
  return [{
    title: `Logged lines/s, one line per applied COLOR (${frames.toLocaleString("en")} frames), ` +
      `first byte → last line read from the lamp's stdout pipe ${
        sink ? "by a C reader (c_line_sink)" : "by this Deno process"
      } (median of ${runs}; ratio to the C lamp)`,
    columns,
    rows,
  }];
}
