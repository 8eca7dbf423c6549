/**
 * Logged lines per second when every applied command is logged (`--log text` and `--log json`):
 * a COLOR stream into each lamp, timed from the first byte until its last line (the final COLOR,
 * #123456) is read from the lamp's stdout pipe (by the C line sink, so the reader is never the
 * limit), median of some runs, beside the C lamp's logging mode (one write per read) in the same
 * run. Where the lamp and its reader run matters more than anything the lamp does (a pipe's
 * writer and reader on one core take turns cheaply; on two cores each wake-up crosses cores), so
 * with `taskset` the part also runs with both pinned to one core and to two.
 *
 * @module
 */
import { frameStream } from "./frame_streams.ts";
import { cProgram } from "./c_program.ts";
import { comparatorLamps, flashlightLamp, type Lamp } from "./lamp_contenders.ts";
import { feedLamp } from "./lamp_feed.ts";
import { cellsBeside, median, rate, type Table } from "./measure.ts";

/** Where the lamp and its reader run: anywhere, or pinned (`taskset -c`). */
interface Placement {
  /** The row label after the format. */
  readonly label: string;
  /** CPUs for the sink and the lamp, or none (the scheduler decides). */
  readonly cpus?: { readonly sink: string; readonly lamp: string };
}

const ANYWHERE: Placement = { label: "" };
const PINNED: readonly Placement[] = [
  { label: ", lamp and reader on one core", cpus: { sink: "0", lamp: "0" } },
  { label: ", on two cores", cpus: { sink: "0", lamp: "1" } },
];

async function hasTaskset(): Promise<boolean> {
  try {
    return (await new Deno.Command("taskset", { args: ["-c", "0", "true"] }).output()).success;
  } catch {
    return false;
  }
}

const LAST_LINE = { text: "color=#123456", json: '"color":"#123456"' } as const;

async function linesPerSecond(
  format: "text" | "json",
  frames: number,
  runs: number,
  sink: string | null,
  placement: Placement,
): Promise<{ names: string[]; rates: number[]; runs: number[][] }> {
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
        cpus: placement.cpus,
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
    runs: times.map((each) => each.map((ms) => stream.counts.applied / (ms / 1000))),
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
  const placements = [ANYWHERE];
  if (sink && navigator.hardwareConcurrency >= 2) {
    if (await hasTaskset()) placements.push(...PINNED);
    else {console.error(
        "SKIPPED: no taskset (util-linux): logged lines only where the scheduler puts them",
      );}
  }
  const rows: string[][] = [];
  const eachRun: string[][] = [];
  let columns: string[] = [];
  for (const placement of placements) {
    for (const format of ["text", "json"] as const) {
      const { names, rates, runs: perRun } = await linesPerSecond(
        format,
        frames,
        runs,
        sink,
        placement,
      );
      columns = ["--log", ...names];
      const c = names[0] === "C lamp" ? 0 : -1;
      rows.push([format + placement.label, ...cellsBeside(rates, rate, c)]);
      eachRun.push([
        format + placement.label,
        ...perRun.map((each) => each.map(rate).join(", ")),
      ]);
    }
  }
  // The C lamp's own rate moves most with the machine (its blocking writes and the reader share
  // the cores): each run is shown, to read the median's ratio against.
  const runsTable = {
    title: "Logged lines/s, each run (same order as the medians above)",
    columns,
    rows: eachRun,
  };
  return [{
    title: `Logged lines/s, one line per applied COLOR (${frames.toLocaleString("en")} frames), ` +
      `first byte → last line read from the lamp's stdout pipe ${
        sink ? "by a C reader (c_line_sink)" : "by this Deno process"
      } (median of ${runs}; ratio to the C lamp)`,
    columns,
    rows,
  }, runsTable];
}
