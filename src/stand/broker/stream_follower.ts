/**
 * The read side of the Redis broker: one connection that follows the command stream with
 * `XREAD BLOCK` from its place (the id of the last entry read here), delivers every entry once
 * and in stream order, and keeps this instance's copy of the retained state and Redis's in
 * agreement.
 *
 * - A malformed entry is logged (`broker_message_skipped`), counted and passed over.
 * - Right after every read, on the same connection, a script reads the stream's facts (its first
 *   id, the newest id it generated, Redis's clock), and {@linkcode judgePlace} says whether what
 *   was read follows on from the place. When it may not (the stream trimmed past the place,
 *   deleted, recreated, or its ids gone back), the follower logs `broker_gap` once, counts it,
 *   syncs its lamps to retained state it missed (only if there is any: versions older than where
 *   it resumes that it lacks) and goes on: every entry the stream still holds after the place is
 *   delivered one by one. Nothing kept beside the stream takes part.
 * - Every few seconds, and on every (re)connect, it compares its retained frames with Redis's:
 *   entries Redis lost, holds malformed or in an older version are written back (newest wins, in
 *   a script), announced by a `state` entry that every instance merges in stream order. A version
 *   from the future (newer than the stream's newest id and Redis's clock) is never written back
 *   and, read from Redis, is logged once, counted and skipped.
 *
 * @module
 */
import type { CommandTable } from "../../commands/command_table.ts";
import { abortableSleep } from "../../net/abortable_sleep.ts";
import type { LampState } from "../../lamp/lamp_state.ts";
import type { SendResult } from "../../commands/send_result.ts";
import type { BrokerCounters, BrokerSink } from "./broker.ts";
import { describeRedisError } from "./redis_error_text.ts";
import { hashPairs, type RawStreamEntry, streamFacts, xreadEntries } from "./redis_reply.ts";
import { type BrokerKeys, FACTS_SCRIPT, RESTORE_SCRIPT, SNAPSHOT_SCRIPT } from "./redis_scripts.ts";
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
import { compareStreamIds, isStreamId } from "./stream_id.ts";
import {
  judgePlace,
  olderThan,
  type Place,
  placeAfter,
  type PlaceJudgement,
  START,
  type StreamFacts,
  versionBound,
  withoutFuture,
} from "./stream_place.ts";
import { quoteWireText } from "./wire_text.ts";

/**
 * What the broker uses of a Redis client (node-redis's): raw commands, and whether, or when, it
 * is ready.
 */
export interface RedisClient {
  /** Sends one command; resolves with Redis's reply. */
  sendCommand(args: string[]): Promise<unknown>;
  /** Whether it is connected and ready for commands. */
  readonly isReady: boolean;
  /** Adds a listener for when it becomes ready. */
  on(name: "ready", listener: () => void): unknown;
  /** Removes that listener. */
  off(name: "ready", listener: () => void): unknown;
}

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
  /** Told, at a gap, which entries are gone: own commands among them will not be delivered here. */
  readonly onLost: (isLost: (id: string) => boolean) => void;
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

/** One read: the entries after the place, and the stream's facts right after. */
interface Read {
  readonly entries: RawStreamEntry[];
  readonly facts: StreamFacts;
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
 * const follower = new StreamFollower({ client, publisher, keys, table, sink, instanceId,
 *   maxLen: 10_000, retryDelay: () => 100, counters, onDelivered, onLost, onReady });
 * follower.start();
 * await follower.stop();
 * ```
 */
export class StreamFollower {
  #options: StreamFollowerOptions;
  #abort = new AbortController();
  #running: Promise<void> = Promise.resolve();
  #synced = false;
  #fresh = true;
  /** The last entry read here (`0-0`: none of the stream there now), and its count. */
  #place: Place = START;
  /** The newest entry known: the stream's last, as last read, or a command just published. */
  #newest = "0-0";
  #facts: StreamFacts = { exists: false, first: "", newest: "", last: "0-0", length: 0, now: 0 };
  #frames = new Map<number, RetainedFrame>();
  #nextCheck = 0;
  #reportedSkips = "";

  /**
   * A follower, not started yet.
   * @param options The client, keys, table, sink and callbacks.
   */
  constructor(options: StreamFollowerOptions) {
    this.#options = options;
  }

  /** Whether everything known to be in the stream was read here. */
  get caughtUp(): boolean {
    return compareStreamIds(this.#place.id, this.#newest) >= 0;
  }

  /** Entries in the stream not yet read here, from the stream's own count (at least 1 if any). */
  get lag(): number {
    if (this.caughtUp) return 0;
    const { added, length } = this.#facts;
    const { count } = this.#place;
    const behind = added !== undefined && count !== undefined ? added - count : length;
    return Math.max(1, behind);
  }

  /** Notes the id of an entry just published (the stream holds at least that). */
  notePublished(id: string): void {
    if (compareStreamIds(id, this.#newest) > 0) this.#newest = id;
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
   * instance work at the same time; when the place moved elsewhere that early read is dropped.
   */
  async #run(): Promise<void> {
    const { retryDelay } = this.#options;
    const signal = this.#abort.signal;
    let attempt = 0;
    let early: Promise<Read> | undefined;
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
        const read = await (early ?? this.#read(this.#place.id));
        early = undefined;
        const last = read.entries.at(-1)?.id;
        if (last && Date.now() < this.#nextCheck) early = this.#read(last);
        if (!(await this.#consume(read)) && early) {
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

  /**
   * Sends one `XREAD` for the entries after `id` and, behind it on the same connection, the
   * facts script: Redis answers it once the read is answered, so the facts describe a moment
   * after the read. (Its rejection is also handled here.)
   */
  #read(id: string): Promise<Read> {
    const { client, keys } = this.#options;
    const entries = client.sendCommand([
      ...["XREAD", "COUNT", String(BATCH), "BLOCK", String(BLOCK_MS)],
      ...["STREAMS", keys.stream, id],
    ]);
    const facts = FACTS_SCRIPT.run(client, [keys.stream], []);
    const read = Promise.all([entries, facts]).then(([entries, facts]) => ({
      entries: xreadEntries(entries),
      facts: streamFacts(facts),
    }));
    read.catch(() => {});
    return read;
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

  /**
   * Delivers a read, after or before handling a gap the facts show.
   * @returns `false` when the place moved elsewhere (a read sent from the old one is stale).
   */
  async #consume({ entries, facts }: Read): Promise<boolean> {
    const fresh = entries.filter((raw) => compareStreamIds(raw.id, this.#place.id) > 0);
    const ids = fresh.map((raw) => raw.id);
    const judgement = judgePlace(this.#place, ids, facts);
    this.#noteFacts(facts);
    const gap = judgement.kind === "gap" ? await this.#gap(judgement, facts) : undefined;
    const gapFirst = judgement.kind === "gap" && judgement.beforeRead;
    if (gapFirst) gap!();
    const place = placeAfter(this.#place, ids, facts);
    for (const raw of fresh) this.#take(raw);
    this.#place = place;
    if (!gap || gapFirst) return true;
    gap(); // the place moves elsewhere
    return false;
  }

  /** The stream's facts as last read: its newest entry, the bound on versions, the lag. */
  #noteFacts(facts: StreamFacts): void {
    this.#facts = facts;
    this.#newest = facts.newest || "0-0";
  }

  /** Delivers, merges or skips one entry read. */
  #take(raw: RawStreamEntry): void {
    const { table, sink, counters } = this.#options;
    const entry = parseStreamEntry(raw.id, raw.fields, table);
    if (entry.kind === "malformed") {
      counters.skipped_messages++;
      sink.onEvent({ event: "broker_message_skipped", id: entry.id, reason: entry.reason }, "warn");
    } else if (entry.kind === "state") {
      this.#merge(entry);
    } else {
      this.#deliver(entry);
    }
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

  /** Merges a `state` entry (less what is from the future); adopts it when it shows otherwise. */
  #merge(entry: Extract<StreamEntry, { kind: "state" }>): void {
    const { kept, skipped } = this.#withoutFuture(entry.frames, this.#facts);
    this.#reportSkipped([...entry.skipped, ...skipped]);
    this.#adoptMerged(mergeRetained(this.#frames, kept), false);
  }

  #adoptMerged(merged: Map<number, RetainedFrame>, always: boolean): void {
    const { table, sink } = this.#options;
    const before = replayRetained(table, this.#frames);
    const after = replayRetained(table, merged);
    this.#frames = merged;
    if (always || !sameState(before, after)) sink.adopt(after, retainedVersion(merged));
  }

  /**
   * Prepares a gap: reads what Redis retains when something may have been missed.
   * @returns What logs it, counts it, moves the place and adopts the state missed (if any).
   */
  async #gap(
    judgement: Extract<PlaceJudgement, { kind: "gap" }>,
    facts: StreamFacts,
    stored?: RetainedFrames,
  ): Promise<() => void> {
    const { sink, counters, publisher, keys } = this.#options;
    const { reason, place, resumedAt, missedBefore, lostBefore, missed: lost } = judgement;
    let missed: RetainedFrames = new Map();
    let skipped: SkippedEntry[] = [];
    if (missedBefore !== "0-0") {
      if (!stored) {
        // On the other connection: a read sent early may be blocking this one.
        const pairs = hashPairs(await publisher.sendCommand(["HGETALL", keys.state]));
        ({ stored, skipped } = this.#parseStored(pairs, facts));
      }
      missed = olderThan(stored, missedBefore);
    }
    return () => {
      const after = this.#place.id;
      counters.gaps++;
      counters.gap_entries += lost ?? 0;
      const counted: { missed?: number } = lost === undefined ? {} : { missed: lost };
      sink.onEvent(
        { event: "broker_gap", reason, after, resumed_at: resumedAt, ...counted },
        "warn",
      );
      this.#options.onLost((id) =>
        compareStreamIds(id, after) > 0 &&
        (lostBefore === undefined || compareStreamIds(id, lostBefore) < 0)
      );
      this.#place = place;
      this.#reportSkipped(skipped);
      this.#adoptMerged(mergeRetained(this.#frames, missed), false);
    };
  }

  /**
   * Takes a snapshot of Redis: the stream's facts and the retained state at one instant. A new
   * instance starts after the stream's newest entry with Redis's state; one that was here judges
   * its place (a gap, when the stream moved on without it) and keeps reading from it. Either way,
   * writes back what Redis lacks.
   *
   * Only Redis is touched here: the returned function moves this instance and logs what
   * happened, once the caller has said it is ready (so the log reads `broker_connected`,
   * `broker_gap`, `state_adopted`, `broker_state_restored`). When the sync fails, nothing here
   * changed, and the next one starts from the same place.
   */
  async #sync(): Promise<() => void> {
    const { client, keys } = this.#options;
    const reply = await SNAPSHOT_SCRIPT.run(client, [keys.stream, keys.state], [this.#place.id]);
    const [rawFacts, hash, atPlace] = Array.isArray(reply) ? reply : [];
    if (typeof atPlace !== "string" || (atPlace !== "" && !isStreamId(atPlace))) {
      throw new TypeError("snapshot reply is not {facts, hash, id}");
    }
    const facts = { ...streamFacts(rawFacts), atPlace };
    const pairs = hashPairs(hash);
    const { stored, skipped } = this.#parseStored(pairs, facts);
    if (this.#fresh) {
      return () => {
        this.#fresh = false;
        this.#reportSkipped(skipped);
        this.#noteFacts(facts);
        this.#place = facts.exists ? { id: facts.last, count: facts.added } : START;
        if (stored.size > 0) this.#adoptMerged(mergeRetained(this.#frames, stored), true);
      };
    }
    const judgement = judgePlace(this.#place, [], facts);
    const gap = judgement.kind === "gap" ? await this.#gap(judgement, facts, stored) : undefined;
    const restored = await this.#restore(this.#frames, pairs, stored, facts);
    return () => {
      this.#reportSkipped(skipped);
      this.#noteFacts(facts);
      gap?.();
      restored();
    };
  }

  /** Compares the retained state with Redis's and writes back what it lacks. */
  async #check(): Promise<void> {
    const { client, keys } = this.#options;
    this.#nextCheck = Date.now() + CHECK_MS;
    const pairs = hashPairs(await client.sendCommand(["HGETALL", keys.state]));
    const { stored, skipped } = this.#parseStored(pairs, this.#facts);
    this.#reportSkipped(skipped);
    (await this.#restore(this.#frames, pairs, stored, this.#facts))();
  }

  /** Reads the stored state, leaving out what is malformed or from the future (reported). */
  #parseStored(
    pairs: [string, string][],
    facts: StreamFacts,
  ): { stored: RetainedFrames; skipped: SkippedEntry[] } {
    const parsed = parseRetainedEntries(pairs, this.#options.table);
    const { kept, skipped } = this.#withoutFuture(parsed.frames, facts);
    return { stored: kept, skipped: [...parsed.skipped, ...skipped] };
  }

  #withoutFuture(
    frames: RetainedFrames,
    facts: StreamFacts,
  ): { kept: RetainedFrames; skipped: SkippedEntry[] } {
    const { kept, future } = withoutFuture(frames, versionBound(facts));
    const skipped = future.map(([type, id]) => ({
      field: quoteWireText(String(type), 20),
      reason:
        `version ${id} is from the future (newer than the stream's newest id and Redis's clock)`,
    }));
    return { kept, skipped };
  }

  /**
   * Writes back the entries of `frames` newer than Redis's (or where Redis's are malformed),
   * except those from the future.
   * @returns What logs and counts it, to be called once the caller has moved on.
   */
  async #restore(
    frames: RetainedFrames,
    pairs: [string, string][],
    stored: RetainedFrames,
    facts: StreamFacts,
  ): Promise<() => void> {
    const { client, keys, sink, counters, maxLen, instanceId } = this.#options;
    const newer = withoutFuture(newerEntries(frames, stored), versionBound(facts)).kept;
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
      [keys.state, keys.stream],
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
