/**
 * Where this instance is in the command stream, judged from the stream itself. Pure.
 *
 * The place is the id of the last entry read here (`0-0`: before the first entry of whatever
 * stream is there) and, where Redis 7 counts it, how many entries the stream had taken up to it
 * (its `entries-added` then). After every read the stream's facts (its first and last ids, the
 * newest id it generated, how many entries it took and holds, Redis's clock) say whether the
 * entries read follow on from the place:
 *
 * - The place is still in the stream, or the stream starts right after it: they do.
 * - The stream starts past the place (trimmed past it) and more entries left it than it had taken
 *   up to the place, besides entries read that left since (without the count: it starts later
 *   than the entry after the place): entries after the place left unread. A `trimmed` gap, placed
 *   before the entries read or, when they left too, after them; reading goes on with what is
 *   left.
 * - The stream is gone, or (by the count) made again since: a `stream_deleted` gap; reading
 *   starts again at the start of the stream there.
 * - The newest id the stream generated is older than the place (deleted and recreated with lower
 *   ids, or restored from an older copy): an `ids_went_back` gap. When the place is from the
 *   future (newer than Redis's clock), new entries would never pass it: reading starts again at
 *   the stream's start; otherwise it goes on after the stream's newest id. After a reconnect, an
 *   entry at the place gone from inside the stream is the same (an older copy that took new
 *   entries since): reading goes on after the place.
 *
 * Nothing kept beside the stream takes part: a write Redis refused moves nothing here.
 *
 * @module
 */
import { compareStreamIds, lastStreamIdAt, nextStreamId } from "./stream_id.ts";

/** Where an instance is in the stream. */
export interface Place {
  /** The id of the last entry read (`0-0`: none of this stream). */
  readonly id: string;
  /** The stream's `entries-added` up to that entry (Redis 7; unknown after some gaps). */
  readonly count?: number;
}

/** Before the first entry of whatever stream is there. */
export const START: Place = { id: "0-0", count: 0 };

/** The stream at one instant, as a script read it right after a read (see `redis_scripts.ts`). */
export interface StreamFacts {
  /** Whether the key holds a stream. */
  readonly exists: boolean;
  /** Its first entry's id; `""` when it has none. */
  readonly first: string;
  /** Its last entry's id; `""` when it has none. */
  readonly newest: string;
  /** The newest id it generated (`last-generated-id`); `0-0` when there is no stream. */
  readonly last: string;
  /** Entries in it now. */
  readonly length: number;
  /** Entries ever added to it (Redis 7 and later). */
  readonly added?: number;
  /** Redis's clock, in ms since the epoch. */
  readonly now: number;
  /** The first entry at or after the place (`""`: none), when the script looked (on a sync). */
  readonly atPlace?: string;
}

/** Why the entries read may not follow on from the place. */
export type GapReason = "trimmed" | "stream_deleted" | "ids_went_back";

/** The stream still holds what follows the place, or a gap and where to go on. */
export type PlaceJudgement = { readonly kind: "on" } | {
  readonly kind: "gap";
  /** Why. */
  readonly reason: GapReason;
  /** The place to go on from: before the entries read, or after them (see `beforeRead`). */
  readonly place: Place;
  /** The first entry delivered after the gap, or where reading goes on (`0-0`: the start). */
  readonly resumedAt: string;
  /** Whether the gap lies before the entries read (deliver them after it) or after them. */
  readonly beforeRead: boolean;
  /** Retained versions older than this and newer than the place were (maybe) missed here. */
  readonly missedBefore: string;
  /** Entries after the place and older than this are gone (`undefined`: all after the place). */
  readonly lostBefore?: string;
  /** How many entries were lost, when the stream's count tells. */
  readonly missed?: number;
};

/**
 * Judges whether the entries read after `place` follow on from it.
 *
 * @param place Where this instance is.
 * @param read The ids of the entries read after it, in order (perhaps none).
 * @param facts The stream right after the read.
 * @returns `on`, or the gap and where to go on.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { judgePlace } from "./stream_place.ts";
 * const facts = { exists: true, first: "1-0", newest: "9-0", last: "9-0", length: 9, now: 10 };
 * assertEquals(judgePlace({ id: "4-0" }, ["5-0"], facts), { kind: "on" });
 * assertEquals(judgePlace({ id: "4-0" }, ["7-0"], { ...facts, first: "6-0" }).kind, "gap");
 * ```
 */
export function judgePlace(
  place: Place,
  read: readonly string[],
  facts: StreamFacts,
): PlaceJudgement {
  const start = place.id === "0-0";
  const { first, last, added, length } = facts;
  if (!facts.exists) {
    if (start) return { kind: "on" };
    return gapJudgement("stream_deleted", START, "0-0", false, `${facts.now}-0`, undefined);
  }
  if (!start && compareStreamIds(last, place.id) < 0) {
    if (compareStreamIds(place.id, lastStreamIdAt(facts.now)) > 0) {
      return gapJudgement("ids_went_back", START, "0-0", false, "0-0", undefined);
    }
    return gapJudgement("ids_went_back", { id: last, count: added }, last, false, "0-0", place.id);
  }
  const gone = start || first === "" || compareStreamIds(first, place.id) > 0;
  const removed = added === undefined ? undefined : added - length;
  const counted = place.count !== undefined && removed !== undefined;
  if (gone && !start && counted && removed! < place.count!) {
    // Fewer entries left this stream than had been added up to the place: a new stream (deleted
    // and made again, its ids past the place). All of it is new here.
    const next = read[0] ?? (first || `${facts.now}-0`);
    return gapJudgement("stream_deleted", START, read[0] ?? "0-0", true, next, undefined);
  }
  if (!gone && facts.atPlace !== undefined && facts.atPlace !== place.id) {
    // The entry at the place left from inside the stream: Redis came back from an older copy
    // that took new entries since (or it was deleted by hand). What followed it may be gone.
    const next = facts.atPlace || nextStreamId(last);
    return gapJudgement("ids_went_back", { id: place.id }, next, false, next, next);
  }
  if (!gone) return { kind: "on" };
  // Entries read that left since the read were read: they are no gap.
  const readAndLeft = read.filter((id) => first === "" || compareStreamIds(id, first) < 0).length;
  const left = counted
    ? removed! - readAndLeft > place.count!
    : !start && read[0] !== nextStreamId(place.id) &&
      compareStreamIds(first || nextStreamId(last), nextStreamId(place.id)) > 0;
  if (!left) return { kind: "on" };
  const allLeft = read.length > 0 && readAndLeft === read.length;
  const missed = counted ? removed! - readAndLeft - place.count! : undefined;
  if (read.length > 0 && !(counted && allLeft)) {
    // Before the entries read (one of them is still there, so the count places the loss).
    const count = removed === undefined ? undefined : removed - readAndLeft;
    return gapJudgement(
      "trimmed",
      { id: place.id, count },
      read[0],
      true,
      read[0],
      read[0],
      missed,
    );
  }
  if (read.length === 0 && first !== "") return { kind: "on" }; // the next read brings it
  // Gone up to the stream's first entry, or its end: after the entries read (before them too,
  // perhaps; the newest version of each wins either way).
  const after: Place = first === ""
    ? { id: last, count: added }
    : { id: read.at(-1)!, count: removed };
  const resumedAt = first || last;
  const missedBefore = first || nextStreamId(last);
  return gapJudgement("trimmed", after, resumedAt, false, missedBefore, first || undefined, missed);
}

/**
 * The place after entries read that follow on from `place`: the last of them, counted on (or, at
 * the stream's newest id, its count of entries added).
 *
 * @param place Where this instance was.
 * @param read The ids of the entries read, in order.
 * @param facts The stream right after the read.
 * @returns Where it is now.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { placeAfter } from "./stream_place.ts";
 * const facts = { exists: true, first: "1-0", newest: "9-0", last: "9-0", length: 9, now: 10 };
 * assertEquals(placeAfter({ id: "4-0", count: 4 }, ["5-0"], facts), { id: "5-0", count: 5 });
 * assertEquals(placeAfter({ id: "4-0" }, ["8-0", "9-0"], facts), { id: "9-0", count: undefined });
 * assertEquals(placeAfter({ id: "4-0" }, ["8-0", "9-0"], { ...facts, added: 9 }).count, 9);
 * ```
 */
export function placeAfter(place: Place, read: readonly string[], facts: StreamFacts): Place {
  const id = read.at(-1) ?? place.id;
  if (id === facts.last && facts.added !== undefined) return { id, count: facts.added };
  return { id, count: place.count === undefined ? undefined : place.count + read.length };
}

/**
 * The judgement that a gap was found: where to resume, what was missed and why.
 *
 * @param reason Why.
 * @param place The place to go on from: before the entries read, or after them.
 * @param resumedAt The first entry delivered after the gap, or where reading goes on.
 * @param beforeRead Whether the gap lies before the entries read.
 * @param missedBefore Retained versions older than this and newer than the place were missed.
 * @param lostBefore Entries after the place and older than this are gone (omitted: all).
 * @param missed How many entries were lost, when the stream's count tells.
 * @returns The judgement.
 */
export function gapJudgement(
  reason: GapReason,
  place: Place,
  resumedAt: string,
  beforeRead: boolean,
  missedBefore: string,
  lostBefore?: string,
  missed?: number,
): PlaceJudgement {
  return {
    kind: "gap",
    reason,
    place,
    resumedAt,
    beforeRead,
    missedBefore,
    lostBefore,
    ...(missed === undefined ? {} : { missed }),
  };
}

/**
 * The newest version a retained entry can rightly have: the stream's newest id or Redis's clock,
 * whichever is later. A newer one is from the future (forged, or left from a stream whose ids
 * went back) and is skipped.
 *
 * @param facts The stream's facts.
 * @returns The bound.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { versionBound } from "./stream_place.ts";
 * const facts = {
 *   exists: true, first: "1-0", newest: "9999999999999-3", last: "9999999999999-3", length: 4, now: 10,
 * };
 * assertEquals(versionBound(facts), "9999999999999-3");
 * ```
 */
export function versionBound(facts: StreamFacts): string {
  const clock = lastStreamIdAt(facts.now);
  return compareStreamIds(facts.last, clock) > 0 ? facts.last : clock;
}

/**
 * The entries of a versioned map whose version is older than `id`.
 *
 * @param entries Versioned entries (e.g. retained frames).
 * @param id The bound (excluded).
 * @returns Those entries.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { olderThan } from "./stream_place.ts";
 * const entries = new Map([[1, { id: "1-0" }], [2, { id: "5-0" }]]);
 * assertEquals([...olderThan(entries, "5-0").keys()], [1]);
 * ```
 */
export function olderThan<K, V extends { readonly id: string }>(
  entries: ReadonlyMap<K, V>,
  id: string,
): Map<K, V> {
  return new Map([...entries].filter(([, entry]) => compareStreamIds(entry.id, id) < 0));
}

/**
 * Splits versioned entries into those a stream with these facts can have written and those from
 * the future (see {@linkcode versionBound}).
 *
 * @param entries Versioned entries.
 * @param bound The newest version that can be right.
 * @returns The entries kept, and the keys and versions of those from the future.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { withoutFuture } from "./stream_place.ts";
 * const entries = new Map([[1, { id: "1-0" }], [2, { id: "9999999999999-0" }]]);
 * const { kept, future } = withoutFuture(entries, "1800000000000-0");
 * assertEquals([[...kept.keys()], future], [[1], [[2, "9999999999999-0"]]]);
 * ```
 */
export function withoutFuture<K, V extends { readonly id: string }>(
  entries: ReadonlyMap<K, V>,
  bound: string,
): { kept: Map<K, V>; future: [K, string][] } {
  const kept = new Map<K, V>();
  const future: [K, string][] = [];
  for (const [key, entry] of entries) {
    if (compareStreamIds(entry.id, bound) > 0) future.push([key, entry.id]);
    else kept.set(key, entry);
  }
  return { kept, future };
}
