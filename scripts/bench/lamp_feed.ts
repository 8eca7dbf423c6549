/**
 * Feeds one byte stream to one lamp over loopback and times it from the sender's side, the same
 * way for every lamp: from the first byte written until the lamp, having read everything, closes
 * its end (the sender half-closes after the last byte; every lamp closes when it reads EOF), or
 * until a given text appears on the lamp's stdout (its last log line). Nothing is asked of the
 * lamp while it works.
 *
 * @module
 */
import { FINAL_COLOR, type FrameStream } from "./frame_streams.ts";
import type { Lamp, LampStats } from "./lamp_contenders.ts";
import { procStatusBytes, within } from "./measure.ts";

/** One timed feed. */
export interface Feed {
  /** Milliseconds from the first byte to the end (EOF, or the awaited output). */
  readonly ms: number;
  /** The lamp's peak RSS in bytes. */
  readonly peakRss: number;
  /** Lines the lamp wrote to stdout. */
  readonly lines: number;
}

/** When a feed ends, and what must be seen to trust it. */
export interface FeedOptions {
  /** End the timing when this appears on stdout (the lamp's last log line), not at EOF. */
  readonly until?: string;
  /** After timing: this must appear on stdout (e.g. the final color drawn). */
  readonly expect?: string;
}

const WAIT_MS = 30_000;

function check(lamp: Lamp, stream: FrameStream, stats: LampStats | null): void {
  if (stats === null) return;
  const { applied, unknown, malformed } = stats;
  const final = `#${FINAL_COLOR.toString(16).padStart(6, "0")}`;
  const want = stream.counts;
  if (
    applied !== want.applied || unknown !== want.unknown || malformed !== want.malformed ||
    stats.color !== final
  ) {
    throw new Error(
      `${lamp.name} misread the ${stream.kind} stream: got ${JSON.stringify(stats)}, want ${
        JSON.stringify({ ...want, color: final })
      }`,
    );
  }
}

/**
 * Starts `lamp`, sends it `stream` and times it (see the module doc); checks a comparator's counts
 * and final color against the stream's, and stops the lamp.
 *
 * @param lamp The lamp.
 * @param stream The bytes.
 * @param options When to stop the clock, and what must be seen.
 * @returns The timing.
 * @example
 * ```ts ignore
 * import { feedLamp } from "./lamp_feed.ts";
 * import { frameStream } from "./frame_streams.ts";
 * import { comparatorLamps } from "./lamp_contenders.ts";
 * const [lamp] = await comparatorLamps("quiet");
 * const { ms } = await feedLamp(lamp, frameStream("COLOR", 1_000_000));
 * ```
 */
export async function feedLamp(
  lamp: Lamp,
  stream: FrameStream,
  options: FeedOptions = {},
): Promise<Feed> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const running = lamp.start(listener.addr.port);
  let conn: Deno.Conn;
  try {
    conn = await within(listener.accept(), WAIT_MS, `${lamp.name} connecting`);
  } finally {
    listener.close();
  }
  const last = options.until ? running.stdout.until(options.until) : null;
  const expected = options.expect ? running.stdout.until(options.expect) : null;
  const { bytes } = stream;
  const started = performance.now();
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
  await conn.closeWrite();
  const sink = new Uint8Array(256);
  while (await conn.read(sink) !== null);
  const ended = last ? await within(last, WAIT_MS, `${lamp.name} logging`) : performance.now();
  let peakRss = NaN;
  try {
    peakRss = procStatusBytes(running.pid(), "VmHWM");
  } catch {
    // a comparator has exited already: its own figure is used
  }
  if (expected) await within(expected, WAIT_MS, `${lamp.name} showing ${options.expect}`);
  conn.close();
  const stats = await running.finish();
  check(lamp, stream, stats);
  return { ms: ended - started, peakRss: stats?.peak_rss ?? peakRss, lines: running.stdout.lines };
}
