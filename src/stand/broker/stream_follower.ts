/**
 * The read side of the Redis broker: one connection that follows the command stream with
 * `XREAD BLOCK` from the last id this instance delivered, delivers every entry once and in
 * order, and keeps this instance's copy of the retained state and Redis's in agreement.
 *
 * - A malformed entry is logged (`broker_message_skipped`), counted and passed over; when its
 *   number could be read, that number is no gap.
 * - Entries are numbered 1, 2, … per Redis lifetime; a jump in the numbers means entries were
 *   trimmed away before they were read: the follower logs `broker_gap`, jumps to the newest entry
 *   and syncs the lamps to the retained state (`sink.adopt`). A new Redis lifetime (a restart
 *   that lost the data) is handled the same way.
 * - Every few seconds, and on every (re)connect, it compares its retained frames with Redis's:
 *   entries Redis lost, holds malformed or in an older version are written back (newest wins,
 *   in a script), announced by a `state` entry that every instance merges in stream order.
 *
 * @module
 */
import type { CommandTable } from "../../commands/command_table.ts";
import { abortableSleep } from "../../net/abortable_sleep.ts";
import type { LampState } from "../../lamp/lamp_state.ts";
import type { createClient } from "redis";
import type { SendResult } from "../stand_core.ts";
import type { BrokerCounters, BrokerSink } from "./broker.ts";
import { describeRedisError } from "./redis_error_text.ts";
import { hashPairs, xreadEntries } from "./redis_reply.ts";
import { type BrokerKeys, CHECK_SCRIPT, RESTORE_SCRIPT, SNAPSHOT_SCRIPT } from "./redis_scripts.ts";
import {
  encodeRetainedEntry,
  mergeRetained,
  newerEntries,
  parseRetainedEntries,
  replayRetained,
  type RetainedFrame,
  type RetainedFrames,
  retainedVersion,
  type SkippedEntry,
} from "./retained_frames.ts";
import { parseStreamEntry, type StreamEntry } from "./stream_entry.ts";
import { compareStreamIds } from "./stream_id.ts";
import { quoteWireText } from "./wire_text.ts";

/** A connected node-redis client. */
export type RedisClient = ReturnType<typeof createClient>;

/** The broker's counters, writable by the parts that count. */
export type CounterSet = { -readonly [K in keyof BrokerCounters]: BrokerCounters[K] };

/** What a {@linkcode StreamFollower} needs. */
export interface StreamFollowerOptions {
  /** A client of its own (it blocks in `XREAD`). */
  readonly client: RedisClient;
  /** The client commands are published with: a sync waits until it is ready too. */
  readonly publisher: RedisClient;
  /** The fleet's keys. */
  readonly keys: BrokerKeys;
  /** The command table. */
  readonly table: CommandTable;
  /** Where deliveries, state and log events go. */
  readonly sink: BrokerSink;
  /** This instance's id. */
  readonly instanceId: string;
  /** About how many entries the stream keeps (`MAXLEN ~`). */
  readonly maxLen: number;
  /** The delay before retrying after an error, for attempt n. */
  readonly retryDelay: (attempt: number) => number;
  /** Counted into. */
  readonly counters: CounterSet;
  /** Told about each of this instance's own commands once delivered here. */
  readonly onDelivered: (id: string, result: SendResult) => void;
  /** Told when the follower jumped over entries: own commands not yet delivered never will be. */
  readonly onSkipped: () => void;
  /**
   * Told when it becomes able to deliver (synced with Redis: before the sync's own events are
   * logged and its state adopted) or stops being (with the reason, in words).
   */
  readonly onReady: (ready: boolean, reason: string) => void;
}

/** Entries read per `XREAD`. */
const BATCH = 256;
/** How long one `XREAD` waits for new entries, in ms. */
const BLOCK_MS = 1000;
/** How often the retained state is compared with Redis's, in ms. */
const CHECK_MS = 2000;
/** Malformed state entries logged one by one (the rest are counted). */
const MOST_LOGGED = 10;

/** Whether a reply is an entry number as the counter holds it. */
function isCount(value: unknown): value is string {
  return typeof value === "string" && /^\d{1,15}$/.test(value);
}

function sameState(a: LampState, b: LampState): boolean {
  const keys = Object.keys(a) as (keyof LampState)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * Follows the command stream until stopped.
 *
 * @example
 * ```ts ignore
 * import { StreamFollower } from "./stream_follower.ts";
 * const follower = new StreamFollower({ client, keys, table, sink, instanceId, maxLen: 10_000,
 *   retryDelay: () => 100, counters, onDelivered, onSkipped, onReady });
 * follower.start();
 * await follower.stop();
 * ```
 */
export class StreamFollower {
  #options: StreamFollowerOptions;
  #abort = new AbortController();
  #running: Promise<void> = Promise.resolve();
  #synced = false;
  #epoch = "";
  #lastId = "0-0";
  #lastN = 0;
  #topN = 0;
  /** Numbers of malformed entries read since the last good one: skipped, yet no gap. */
  #skippedNs = new Set<number>();
  #frames = new Map<number, RetainedFrame>();
  #nextCheck = 0;
  #reportedSkips = "";

  /** @param options The client, keys, table, sink and callbacks. */
  constructor(options: StreamFollowerOptions) {
    this.#options = options;
  }

  /** Entries published and not yet delivered here, as last seen. */
  get lag(): number {
    return Math.max(0, this.#topN - this.#lastN);
  }

  /** Notes the number of an entry just published (the stream is at least that long). */
  notePublished(n: number): void {
    this.#topN = Math.max(this.#topN, n);
  }

  /** Starts following. */
  start(): void {
    this.#running = this.#run();
  }

  /** Stops following and waits until the loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /**
   * The loop: sync when (re)connected, check every few seconds, read and deliver. While entries
   * keep coming, the next read is sent before the batch is delivered, so Redis and this
   * instance work at the same time; after a resync that early read is dropped.
   */
  async #run(): Promise<void> {
    const { retryDelay } = this.#options;
    const signal = this.#abort.signal;
    let attempt = 0;
    let early: Promise<unknown> | undefined;
    while (!signal.aborted) {
      try {
        await this.#untilReady();
        if (signal.aborted) break;
        if (!this.#synced) {
          const apply = await this.#sync();
          this.#synced = true;
          attempt = 0;
          this.#options.onReady(true, "");
          apply();
        }
        if (!early && Date.now() >= this.#nextCheck) await this.#check();
        const entries = xreadEntries(await (early ?? this.#read(this.#lastId)));
        early = undefined;
        const last = entries.at(-1)?.id;
        if (last && Date.now() < this.#nextCheck) early = this.#read(last);
        if (!(await this.#consume(entries)) && early) {
          await early.catch(() => {});
          early = undefined;
        }
      } catch (error) {
        early = undefined;
        if (signal.aborted) break;
        this.#synced = false;
        this.#options.onReady(false, describeRedisError(error));
        await abortableSleep(retryDelay(attempt++), signal);
      }
    }
  }

  /** Sends one `XREAD` for the entries after `id` (its rejection is also handled here). */
  #read(id: string): Promise<unknown> {
    const { client, keys } = this.#options;
    const reply = client.sendCommand([
      ...["XREAD", "COUNT", String(BATCH), "BLOCK", String(BLOCK_MS)],
      ...["STREAMS", keys.stream, id],
    ]);
    reply.catch(() => {});
    return reply;
  }

  /** Waits until both clients are ready (or the follower is stopped). */
  async #untilReady(): Promise<void> {
    const { client, publisher } = this.#options;
    const signal = this.#abort.signal;
    for (const waiting of [client, publisher, client]) {
      if (waiting.isReady || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          waiting.off("ready", done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        waiting.on("ready", done);
        signal.addEventListener("abort", done);
      });
    }
  }

  /** Delivers a batch; `false` when it had to resync instead (the place in the stream moved). */
  async #consume(entries: { id: string; fields: readonly unknown[] }[]): Promise<boolean> {
    const { table, sink, counters } = this.#options;
    for (const raw of entries) {
      if (compareStreamIds(raw.id, this.#lastId) <= 0) continue;
      const entry = parseStreamEntry(raw.id, raw.fields, table);
      if (entry.kind === "malformed") {
        counters.skipped_messages++;
        sink.onEvent(
          { event: "broker_message_skipped", id: entry.id, reason: entry.reason },
          "warn",
        );
        this.#lastId = entry.id;
        if (entry.n !== undefined && entry.n > this.#lastN && this.#skippedNs.size < BATCH) {
          this.#skippedNs.add(entry.n);
        }
        continue;
      }
      if (entry.n !== this.#lastN + 1 && !this.#onlySkippedBefore(entry.n)) {
        (await this.#sync(entry.n > this.#lastN ? "trimmed" : "renumbered", entry.n))();
        return false;
      }
      this.#lastId = entry.id;
      this.#lastN = entry.n;
      this.#skippedNs.clear();
      this.notePublished(entry.n);
      if (entry.kind === "state") this.#merge(entry);
      else this.#deliver(entry);
    }
    return true;
  }

  /** Whether every number between the last delivered entry and `n` was a malformed entry read. */
  #onlySkippedBefore(n: number): boolean {
    if (n <= this.#lastN + 1 || n - this.#lastN - 1 > this.#skippedNs.size) return false;
    for (let k = this.#lastN + 1; k < n; k++) if (!this.#skippedNs.has(k)) return false;
    return true;
  }

  #deliver(entry: Extract<StreamEntry, { kind: "command" }>): void {
    const { sink, counters, instanceId } = this.#options;
    let result: SendResult;
    try {
      result = sink.deliver({ id: entry.id, origin: entry.origin, command: entry.command });
    } catch (error) {
      sink.onEvent({ event: "broker_delivery_error", id: entry.id, error: String(error) }, "error");
      return;
    }
    counters.delivered++;
    if (entry.retained) {
      this.#frames.set(entry.command.type, { id: entry.id, value: entry.command.value });
    }
    if (entry.origin === instanceId) this.#options.onDelivered(entry.id, result);
  }

  /** Merges a `state` entry; adopts the result when it shows differently. */
  #merge(entry: Extract<StreamEntry, { kind: "state" }>): void {
    this.#reportSkipped(entry.skipped);
    this.#adoptMerged(mergeRetained(this.#frames, entry.frames), false);
  }

  #adoptMerged(merged: Map<number, RetainedFrame>, always: boolean): void {
    const { table, sink } = this.#options;
    const before = replayRetained(table, this.#frames);
    const after = replayRetained(table, merged);
    this.#frames = merged;
    if (always || !sameState(before, after)) sink.adopt(after, retainedVersion(merged));
  }

  /**
   * Takes a snapshot of Redis. When this instance is new, Redis is new (restarted empty) or
   * entries were lost (`gap`), it continues from the newest entry with the merged state;
   * otherwise it keeps its place and reads on. Either way, writes back what Redis lacks.
   *
   * Only Redis is touched here: the returned function moves this instance to its new place and
   * state and logs what happened, once the caller has said it is ready (so the log reads
   * `broker_connected`, `broker_gap`, `state_adopted`, `broker_state_restored`). When the sync
   * fails, nothing here changed, and the next one starts from the same place.
   */
  async #sync(gap?: "trimmed" | "renumbered", seenN?: number): Promise<() => void> {
    const { client, keys, sink, counters } = this.#options;
    const reply = await SNAPSHOT_SCRIPT.run(
      client,
      [keys.epoch, keys.state, keys.stream, keys.counter],
      [crypto.randomUUID()],
    );
    const [epoch, hash, top, count] = Array.isArray(reply) ? reply : [];
    if (typeof epoch !== "string" || typeof top !== "string" || !isCount(count)) {
      throw new TypeError(
        `snapshot reply is not {epoch, hash, id, n} (n: ${quoteWireText(String(count))})`,
      );
    }
    const pairs = hashPairs(hash);
    const { frames: stored, skipped } = parseRetainedEntries(pairs, this.#options.table);
    const fresh = this.#epoch === "";
    const restarted = !fresh && epoch !== this.#epoch;
    const newest = Number(count);
    const jump = fresh || restarted || gap !== undefined;
    const frames = jump ? mergeRetained(this.#frames, stored) : this.#frames;
    const restored = await this.#restore(frames, pairs, stored);
    return () => {
      this.#reportSkipped(skipped);
      this.notePublished(newest);
      if (jump) {
        if (!fresh) {
          const missed = gap === "trimmed" && !restarted ? newest - this.#lastN : undefined;
          counters.gaps++;
          counters.gap_entries += missed ?? 0;
          sink.onEvent({
            event: "broker_gap",
            reason: restarted ? "redis_restarted" : gap!,
            after: this.#lastId,
            resumed_at: top,
            ...(missed === undefined ? {} : { missed }),
            ...(gap === "trimmed" && seenN ? { trimmed: seenN - this.#lastN - 1 } : {}),
          }, "warn");
          this.#options.onSkipped();
        }
        this.#epoch = epoch;
        this.#lastId = top;
        this.#lastN = newest;
        this.#skippedNs.clear();
        this.#topN = newest;
        if (!fresh || frames.size > 0) this.#adoptMerged(frames, true);
      }
      restored();
    };
  }

  /** Compares with Redis: a new epoch means a resync; otherwise writes back what it lacks. */
  async #check(): Promise<void> {
    const { client, keys, table } = this.#options;
    this.#nextCheck = Date.now() + CHECK_MS;
    const reply = await CHECK_SCRIPT.run(client, [keys.epoch, keys.counter, keys.state], []);
    const [epoch, count, hash] = Array.isArray(reply) ? reply : [];
    if (typeof epoch !== "string" || !isCount(count)) {
      throw new TypeError(
        `check reply is not {epoch, n, hash} (n: ${quoteWireText(String(count))})`,
      );
    }
    if (epoch !== this.#epoch) return (await this.#sync())();
    this.notePublished(Number(count));
    const pairs = hashPairs(hash);
    const { frames: stored, skipped } = parseRetainedEntries(pairs, table);
    this.#reportSkipped(skipped);
    (await this.#restore(this.#frames, pairs, stored))();
  }

  /**
   * Writes back the entries of `frames` newer than Redis's (or where Redis's are malformed).
   * @returns What logs and counts it, to be called once the caller has moved on.
   */
  async #restore(
    frames: RetainedFrames,
    pairs: [string, string][],
    stored: RetainedFrames,
  ): Promise<() => void> {
    const { client, keys, sink, counters, maxLen, instanceId } = this.#options;
    const newer = newerEntries(frames, stored);
    const nothing = () => {};
    if (newer.size === 0) return nothing;
    const raw = new Map(pairs);
    const args = [...newer].flatMap(([type, frame]) => [
      String(type),
      encodeRetainedEntry(frame),
      raw.get(String(type)) ?? "",
    ]);
    const id = await RESTORE_SCRIPT.run(
      client,
      [keys.state, keys.stream, keys.counter],
      [String(maxLen), instanceId, ...args],
    );
    if (typeof id !== "string") return nothing;
    return () => {
      counters.state_restores++;
      sink.onEvent(
        { event: "broker_state_restored", entries: newer.size, version: retainedVersion(newer) },
        "info",
      );
    };
  }

  /** Logs (the first few) and counts malformed state entries, once for each distinct set seen. */
  #reportSkipped(skipped: readonly SkippedEntry[]): void {
    const key = JSON.stringify(skipped);
    if (skipped.length === 0 || key === this.#reportedSkips) return;
    this.#reportedSkips = key;
    this.#options.counters.skipped_state_entries += skipped.length;
    for (const { field, reason } of skipped.slice(0, MOST_LOGGED)) {
      this.#options.sink.onEvent({ event: "broker_state_entry_skipped", field, reason }, "warn");
    }
    if (skipped.length > MOST_LOGGED) {
      this.#options.sink.onEvent(
        { event: "broker_state_entry_skipped", more: skipped.length - MOST_LOGGED },
        "warn",
      );
    }
  }
}
