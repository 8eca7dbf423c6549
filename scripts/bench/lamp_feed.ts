/**
 * Feeds one byte stream to one lamp over loopback and times it from the sender's side, the same
 * way for every lamp: from the first byte written until the lamp, having read everything, closes
 * its end (the sender half-closes after the last byte; every lamp closes when it reads EOF), or
 * until a given text is read from the lamp's stdout (its last log line). Nothing is asked of the
 * lamp while it works. A WebSocket lamp gets the same bytes in binary messages after its upgrade,
 * then a close frame, which it must answer with 1000 (see `websocket_feed.ts`).
 *
 * @module
 */
import { FINAL_COLOR, type FrameStream } from "./frame_streams.ts";
import { type Lamp, type LampStats, startLamp, type WatchOptions } from "./lamp_contenders.ts";
import { procStatusBytes, within } from "./measure.ts";
import {
  answerUpgrade,
  checkCleanClose,
  CLOSE_FRAME,
  websocketMessages,
} from "./websocket_feed.ts";

/** One timed feed. */
export interface Feed {
  /** Milliseconds from the first byte to the end (EOF, or the watched text read). */
  readonly ms: number;
  /** The lamp's peak RSS in bytes. */
  readonly peakRss: number;
  /** Lines the lamp wrote to stdout until the watched text (0 when nothing was watched). */
  readonly lines: number;
}

/** What to watch on the lamp's stdout, and whether the clock stops there. */
export interface FeedOptions extends WatchOptions {
  /**
   * Stop the clock when the watched text is read (the lamp's last log line), not at EOF;
   * otherwise the text is only checked for after timing (e.g. the final color drawn).
   */
  readonly timeToWatch?: boolean;
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
  const running = startLamp(lamp, listener.addr.port, options);
  let conn: Deno.Conn;
  try {
    conn = await within(listener.accept(), WAIT_MS, `${lamp.name} connecting`);
  } finally {
    listener.close();
  }
  const messageBytes = lamp.websocket?.messageBytes;
  if (messageBytes) await within(answerUpgrade(conn), WAIT_MS, `${lamp.name} upgrading`);
  const bytes = messageBytes ? websocketMessages(stream.bytes, messageBytes) : stream.bytes;
  const started = performance.now();
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
  if (messageBytes) await conn.write(CLOSE_FRAME); // short: one write takes it
  await conn.closeWrite();
  const answer = new Uint8Array(256);
  let answered = 0;
  for (let count; (count = await conn.read(answer.subarray(answered))) !== null;) {
    answered = Math.min(answered + count, answer.length - 1); // what is past the close is noise
  }
  const eof = performance.now();
  if (messageBytes) checkCleanClose(answer.subarray(0, answered), lamp.name);
  let peakRss = NaN;
  try {
    peakRss = procStatusBytes(await running.pid(), "VmHWM");
  } catch {
    // a comparator has exited already: its own figure is used
  }
  const seen = running.seen
    ? await within(running.seen, WAIT_MS, `${lamp.name} writing ${options.watch}`)
    : null;
  conn.close();
  const stats = await running.finish();
  check(lamp, stream, stats);
  const ended = options.timeToWatch && seen ? seen.at : eof;
  return { ms: ended - started, peakRss: stats?.peak_rss ?? peakRss, lines: seen?.lines ?? 0 };
}
