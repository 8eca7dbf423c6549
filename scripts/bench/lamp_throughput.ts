/**
 * The lamp end to end, one frame kind per part: the same byte stream over loopback into each
 * lamp, timed from the sender's first byte until the lamp closes its end after EOF
 * (`lamp_feed.ts`), median of some runs, the lamps taking turns within each run. flashlight runs
 * in the modes that write nothing per frame: `--log text --quiet`, `--log json --quiet` and its
 * terminal view under a pseudo-terminal. Rates are beside the C lamp's in the same run.
 *
 * @module
 */
import { type FrameStream, frameStream, type StreamKind } from "./frame_streams.ts";
import {
  comparatorLamps,
  flashlightLamp,
  flashlightWebSocketLamp,
  type Lamp,
} from "./lamp_contenders.ts";
import { type Feed, feedLamp } from "./lamp_feed.ts";
import { cellsBeside, mb, median, rate, type Table } from "./measure.ts";

/** A slow lamp (Python asyncio) reads this share of each stream (all of it would take minutes). */
const SLOW_SHARE = 10;

/** How big the streams are and how often each is fed. */
export interface ThroughputSizes {
  /** Frames per stream of small frames. */
  readonly frames: number;
  /** Frames in the 64 KiB stream. */
  readonly bigFrames: number;
  /** Runs per lamp (the median is shown). */
  readonly runs: number;
}

/** The title of the frames/s table, which every kind's part adds a row to. */
function throughputTitle(sizes: ThroughputSizes): string {
  return `Lamp end to end: frames/s from the first byte until the lamp closes after EOF ` +
    `(same bytes for every lamp, loopback, median of ${sizes.runs}; ratio to the C lamp; ` +
    `Python asyncio reads the first 1/${SLOW_SHARE} of each stream)`;
}

function lampsUnderTest(comparators: Lamp[]): Lamp[] {
  return [
    ...comparators,
    flashlightLamp(["--log", "text", "--quiet"]),
    flashlightLamp(["--log", "json", "--quiet"]),
    flashlightLamp([]),
  ];
}

/**
 * Runs one frame kind through every lamp.
 *
 * @param kind The frame kind.
 * @param sizes Stream sizes and runs.
 * @returns A row for the frames/s table and one for the peak-RSS table.
 * @example
 * ```ts ignore
 * import { lampThroughput } from "./lamp_throughput.ts";
 * const tables = await lampThroughput("COLOR", { frames: 1_000_000, bigFrames: 500, runs: 3 });
 * ```
 */
export async function lampThroughput(kind: StreamKind, sizes: ThroughputSizes): Promise<Table[]> {
  const count = kind === "64 KiB unknown" ? sizes.bigFrames : sizes.frames;
  const stream = frameStream(kind, count);
  const share = frameStream(kind, Math.ceil(count / SLOW_SHARE));
  const lamps = lampsUnderTest(await comparatorLamps("quiet"));
  const feeds = new Map<Lamp, Feed[]>(lamps.map((lamp) => [lamp, []]));
  for (let run = 0; run < sizes.runs; run++) {
    for (const lamp of lamps) {
      const input: FrameStream = lamp.slow ? share : stream;
      const watch = lamp.terminal ? "COLOR #123456" : undefined; // the final color drawn
      feeds.get(lamp)!.push(await feedLamp(lamp, input, { watch }));
    }
  }
  const rates = lamps.map((lamp) => {
    const input = lamp.slow ? share : stream;
    return input.frames / (median(feeds.get(lamp)!.map((feed) => feed.ms)) / 1000);
  });
  const c = lamps[0].name === "C lamp" ? 0 : -1;
  const bytesPerSecond = (stream.bytes.length / stream.frames) * rates[0];
  const label = `${kind}: ${stream.description}`;
  return [
    {
      title: throughputTitle(sizes),
      columns: ["stream", ...lamps.map((lamp) => lamp.name)],
      rows: [[
        kind === "64 KiB unknown"
          ? `${label} (${lamps[0].name}: ${(bytesPerSecond / 1e9).toFixed(2)} GB/s)`
          : label,
        ...cellsBeside(rates, rate, c),
      ]],
    },
    {
      title: "Lamp peak RSS while reading the stream (VmHWM; median over the runs)",
      columns: ["stream", ...lamps.map((lamp) => lamp.name)],
      rows: [[
        kind,
        ...lamps.map((lamp) => mb(median(feeds.get(lamp)!.map((feed) => feed.peakRss)))),
      ]],
    },
  ];
}

/** Message sizes a lamp is fed over ws://: large (a stand's batch under a flood) and small. */
const MESSAGE_BYTES = [64 * 1024, 1024];

/**
 * The lamp over ws:// against the same lamp over TCP: one frame kind through flashlight
 * (`--log text --quiet`) on its TCP port and as a WebSocket lamp fed the same bytes in binary
 * messages of 64 KiB and of 1 KiB, beside the C lamp on TCP; the lamps take turns in each run.
 *
 * @param kind The frame kind.
 * @param sizes Stream sizes and runs.
 * @returns A row of the ws:// table.
 * @example
 * ```ts ignore
 * import { lampOverWebSocket } from "./lamp_throughput.ts";
 * const tables = await lampOverWebSocket("COLOR", { frames: 1_000_000, bigFrames: 500, runs: 3 });
 * ```
 */
export async function lampOverWebSocket(
  kind: StreamKind,
  sizes: ThroughputSizes,
): Promise<Table[]> {
  const stream = frameStream(kind, kind === "64 KiB unknown" ? sizes.bigFrames : sizes.frames);
  const flags = ["--log", "text", "--quiet"];
  const c = (await comparatorLamps("quiet")).filter((lamp) => lamp.name === "C lamp");
  const tcp = flashlightLamp(flags);
  const lamps = [
    ...c,
    tcp,
    ...MESSAGE_BYTES.map((bytes) => flashlightWebSocketLamp(flags, bytes)),
  ];
  const feeds = new Map<Lamp, number[]>(lamps.map((lamp) => [lamp, []]));
  for (let run = 0; run < sizes.runs; run++) {
    for (const lamp of lamps) feeds.get(lamp)!.push((await feedLamp(lamp, stream)).ms);
  }
  const rates = lamps.map((lamp) => stream.frames / (median(feeds.get(lamp)!) / 1000));
  return [{
    title: `Lamp over ws:// against TCP: frames/s from the first byte until the lamp closes ` +
      `after the end (TCP: EOF; ws://: the close frame, answered with 1000), same bytes for ` +
      `every lamp, loopback, median of ${sizes.runs}; ratio to flashlight over TCP, same run`,
    columns: ["stream", ...lamps.map((lamp) => lamp.name)],
    rows: [[`${kind}: ${stream.description}`, ...cellsBeside(rates, rate, lamps.indexOf(tcp))]],
  }];
}
