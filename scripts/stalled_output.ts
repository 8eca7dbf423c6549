/**
 * `deno run -A scripts/stalled_output.ts [--seconds 60]`: what a stdout nobody reads costs. Two
 * stands get the same commands for the given time, each with one lamp; one stand and its lamp
 * have their stdout read, the other stand and its lamp write into pipes nobody reads. Every
 * second the four processes' memory is read; at the end it prints, as JSON, the most each stalled
 * process held beyond its read twin and what the stalled ones said on stderr. Exits 1 when that
 * reached 50 MB.
 *
 * @module
 */
import { type FlagSpec, integerFlag, parseFlags, renderFlagHelp } from "../src/cli/flags.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { postPipelined } from "./support/pipelined_posts.ts";
import { heldBeyond, type ProcessMemory } from "./support/process_memory.ts";
import { startStalledTwins, type Twin } from "./support/stalled_twins.ts";

/** What a stalled process may hold beyond its read twin, in MB. */
export const MARGIN_MB = 50;

/** One pair of twins in a run. */
export interface TwinsReport {
  /** The most the stalled twin held beyond the read one at any sample, in MB. */
  mostBeyond: number;
  /** The last sample. */
  last: Record<Twin, ProcessMemory>;
  /** What the stalled twin said on stderr. */
  said: readonly string[];
}

/** What a run saw. */
export interface StalledOutputReport {
  /** Seconds it ran. */
  seconds: number;
  /** Commands each stand took. */
  commands: number;
  /** The stands. */
  stand: TwinsReport;
  /** Their lamps. */
  lamp: TwinsReport;
}

const listening = (service: string, head: string) =>
  Number(
    new RegExp(`"service":"${service}","(?:url|address)":"[a-z:/]*127\\.0\\.0\\.1:(\\d+)`)
      .exec(head)![1],
  );

/**
 * Runs the measurement.
 * @param seconds How long commands flow.
 * @returns The report.
 */
export async function measureStalledOutput(seconds: number): Promise<StalledOutputReport> {
  const stands = await startStalledTwins(
    () => ["serve", "--lamp-port=0", "--api-port=0", "--web-port=0", "--log=json"],
    '"event":"listening","service":"api"',
  );
  const lamps = await startStalledTwins(
    (twin) => [`127.0.0.1:${listening("lamps", stands.heads[twin])}`, "--log=json"],
    '"event":"connected"',
  );
  const apiPorts = [listening("api", stands.heads.read), listening("api", stands.heads.stalled)];
  const most = { stand: 0, lamp: 0 };
  const sample = async () => {
    const [stand, lamp] = [await stands.memory(), await lamps.memory()];
    most.stand = Math.max(most.stand, heldBeyond(stand.stalled, stand.read));
    most.lamp = Math.max(most.lamp, heldBeyond(lamp.stalled, lamp.read));
    return { stand, lamp };
  };
  let commands = 0;
  const color = (i: number) => ({
    method: "message",
    params: { command: "COLOR", value: ((commands + i) & 0xffffff).toString(16).padStart(6, "0") },
  });
  const start = performance.now();
  for (let sampled = start; performance.now() - start < seconds * 1000;) {
    await Promise.all(apiPorts.map((port) => postPipelined(port, 200, color)));
    commands += 200;
    if (performance.now() - sampled >= 1000) {
      sampled = performance.now();
      await sample();
    }
  }
  const last = await sample();
  await lamps.stop();
  await stands.stop();
  return {
    seconds,
    commands,
    stand: { mostBeyond: most.stand, last: last.stand, said: stands.said },
    lamp: { mostBeyond: most.lamp, last: last.lamp, said: lamps.said },
  };
}

const FLAGS: readonly FlagSpec[] = [
  { name: "seconds", kind: "value", value: "S", help: "how long commands flow", default: "60" },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
];

const USAGE = `stalled_output — what a stdout nobody reads costs the stand and the lamp

Usage: deno run -A scripts/stalled_output.ts [flags]

Two stands, each with a lamp, get the same commands; one pair's stdout is read, the
other's is a pipe nobody reads. Exits 1 when a stalled process held ${MARGIN_MB} MB or more
beyond its twin.

Flags:
${renderFlagHelp(FLAGS)}`;

if (import.meta.main) {
  let seconds: number;
  try {
    const { values } = parseFlags(Deno.args, FLAGS, "stalled_output");
    if (values.get("help")) {
      console.log(wrapHelp(USAGE, helpWidth()));
      Deno.exit(0);
    }
    seconds = integerFlag(
      (values.get("seconds") as string | undefined) ?? "60",
      "seconds",
      1,
      1e6,
      "stalled_output",
    );
  } catch (error) {
    console.error(
      `stalled_output: ${(error as Error).message}\n\n${wrapHelp(USAGE, PIPED_HELP_WIDTH)}`,
    );
    Deno.exit(2);
  }
  const report = await measureStalledOutput(seconds);
  console.log(JSON.stringify(report, null, 2));
  if (Math.max(report.stand.mostBeyond, report.lamp.mostBeyond) >= MARGIN_MB) {
    console.error(`stalled_output FAILED: a stalled process held ${MARGIN_MB} MB or more`);
    Deno.exit(1);
  }
}
