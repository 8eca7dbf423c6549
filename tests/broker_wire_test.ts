/**
 * The broker's pure parts (issue 16): broker URLs, stream entries, the retained state and its
 * merge, heartbeats, reply shapes. No Redis needed.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import { parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { sumHeartbeats } from "../src/stand/broker/fleet_counts.ts";
import { redactSecret, redisClientOptions } from "../src/stand/broker/redis_connection.ts";
import { hashPairs, streamFacts, xreadEntries } from "../src/stand/broker/redis_reply.ts";
import {
  mergeRetained,
  newerEntries,
  parseRetainedEntries,
  replayRetained,
  type RetainedFrame,
} from "../src/stand/broker/retained_frames.ts";
import { commandFields, parseStreamEntry } from "../src/stand/broker/stream_entry.ts";
import { compareStreamIds, nextStreamId } from "../src/stand/broker/stream_id.ts";
import {
  gapJudgement,
  judgePlace,
  type Place,
  placeAfter,
  START,
  type StreamFacts,
  versionBound,
  withoutFuture,
} from "../src/stand/broker/stream_place.ts";
import { quoteWireText } from "../src/stand/broker/wire_text.ts";
import { CONTROL } from "./support/fleet.ts";
import { seededRandom } from "../scripts/fuzz/random.ts";

const table = createCommandTable();

Deno.test("broker URLs with credentials and TLS parse; the url shown has no credentials", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["redis://127.0.0.1", { hostname: "127.0.0.1", port: 6379, db: 0, tls: false }],
    ["redis://:secret@h:6380/3", { hostname: "h", port: 6380, db: 3, password: "secret" }],
    ["redis://alice:p%40ss%3Aw@h", { username: "alice", password: "p@ss:w", url: "redis://h/0" }],
    ["rediss://h:6390", { tls: true, port: 6390, url: "rediss://h:6390/0" }],
    ["rediss://u:pw@[::1]:7000/15", { hostname: "::1", db: 15, url: "rediss://[::1]:7000/15" }],
  ];
  for (const [text, expected] of cases) {
    const address = parseBrokerUrl(text);
    for (const [key, value] of Object.entries(expected)) {
      assertEquals(address[key as keyof typeof address], value, `${text} ${key}`);
    }
    assert(!address.url.includes("@"), address.url);
  }
});

Deno.test("a bad broker URL gets a clear error that never shows its password", () => {
  const cases: [string, string][] = [
    ["http://x", "expected redis://"],
    ["redis://", "expected redis://"],
    ["not a url", "expected redis://"],
    ["redis://:hunter2@h/16", "database must be 0-15"],
    ["rediss://bob:hunter2@h/x", "database must be 0-15"],
    ["redis://:hunter2@h:99999", "expected redis://"],
    ["redis://:hunter2@h/0?tls=1", "no query"],
    ["redis://:hunter%zz@h", "percent-encoding"],
  ];
  for (const [text, reason] of cases) {
    const error = assertThrows(() => parseBrokerUrl(text), RangeError);
    assertStringIncludes(error.message, reason);
    assert(!error.message.includes("hunter"), error.message);
  }
});

Deno.test("client options carry TLS, the CA and the login; redaction removes the password", () => {
  const address = { ...parseBrokerUrl("rediss://app:pa ss@h:1/2"), caPem: "PEM" };
  const options = redisClientOptions(address, () => 5, 1000);
  assertEquals(
    [options.username, options.password, options.database, options.disableOfflineQueue],
    ["app", "pa ss", 2, true],
  );
  assertEquals(
    options.socket,
    {
      host: "h",
      port: 1,
      connectTimeout: 5000,
      reconnectStrategy: (options.socket as { reconnectStrategy: unknown }).reconnectStrategy,
      socketTimeout: 1000,
      tls: true,
      ca: "PEM",
    } as typeof options.socket,
  );
  assertEquals(redactSecret("bad pa ss / pa%20ss", address), "bad *** / ***");
});

Deno.test("a command entry reads back as written", () => {
  const command = {
    type: 0x20,
    value: new Uint8Array([1, 2, 3]),
    command: "COLOR",
    text: "#010203",
  };
  const entry = parseStreamEntry("5-1", commandFields(command, "inst-1").fields, table);
  assertEquals(entry, {
    kind: "command",
    id: "5-1",
    origin: "inst-1",
    command,
    retained: true,
  });
  const raw = { type: 0x20, value: new Uint8Array([0xff]), command: "COLOR", text: "ff" };
  const short = parseStreamEntry("5-2", commandFields(raw, "inst-1").fields, table);
  assertEquals(short.kind === "command" && short.retained, false);
  // A field this version does not write (the `n` of older entries, true or bogus) is ignored.
  const numbered = ["n", "99999", ...commandFields(command, "inst-1").fields];
  assertEquals(parseStreamEntry("5-1", numbered, table), entry);
});

Deno.test("every malformed stream entry is reported with a reason, never thrown", () => {
  const good = ["origin", "o", "kind", "command", "frame", "18  ON "];
  assertEquals(parseStreamEntry("1-0", good, table).kind, "command");
  const replace = (name: string, value: unknown) =>
    good.map((field, i) => i % 2 === 1 && good[i - 1] === name ? value : field);
  const cases: [unknown[], string][] = [
    [[], "bad origin"],
    [["n"], "not name/value"],
    [[1, 2], "not name/value"],
    [[...good, "kind", "command"], "appears twice"],
    [replace("origin", ""), "bad origin"],
    [replace("origin", "a b"), "bad origin"],
    [replace("kind", "evil"), "bad kind"],
    [replace("frame", ""), "bad frame"],
    [replace("frame", "256  FRAME "), "bad type"],
    [replace("frame", "-1  FRAME "), "bad frame"],
    [replace("frame", "32 zz COLOR "), "bad frame"],
    [replace("frame", "32 ABCDEF COLOR "), "bad frame"],
    [replace("frame", "18  OFF "), "is not ON"],
    [replace("frame", "32 ff0000 COLOR #00ff00"), "text"], // attack: the log would lie
    [replace("frame", "18  ON x"), "text"],
    [replace("frame", "51 0102 FRAME 01 03"), "text"],
    [replace("frame", "18  ON \x1b]0;x\x07"), "bad frame"],
    [replace("frame", "18 ON"), "bad frame"],
    [replace("frame", null), "not name/value"],
  ];
  for (const [fields, reason] of cases) {
    const entry = parseStreamEntry("1-0", fields, table);
    assertEquals(entry.kind, "malformed", JSON.stringify(fields));
    if (entry.kind === "malformed") {
      assertStringIncludes(entry.reason, reason);
      assert(!CONTROL.test(entry.reason), entry.reason);
    }
  }
});

Deno.test("stream and hash replies are read by shape; a state entry carries its frames", () => {
  assertEquals(xreadEntries(null), []);
  assertEquals(xreadEntries([["k", [["1-0", ["a", "b"]]]]]), [{ id: "1-0", fields: ["a", "b"] }]);
  assertThrows(() => xreadEntries([["k", [["nope", []]]]]), TypeError);
  assertThrows(() => xreadEntries("OK"), TypeError);
  assertEquals(hashPairs(["a", "1", "b"]), [["a", "1"]]);
  assertEquals(hashPairs({ a: "1", b: 2 }), [["a", "1"], ["b", ""]]);
  const state = parseStreamEntry(
    "9-0",
    ["origin", "o", "kind", "state", "frame.32", "8-0 00ff00", "frame.18", "bad"],
    table,
  );
  assert(state.kind === "state");
  assertEquals([state.frames.get(32)?.id, state.skipped.length], ["8-0", 1]);
});

Deno.test("only frames a lamp would apply are kept from the stored state", () => {
  const { frames, skipped } = parseRetainedEntries(
    [
      ["32", "7-0 ff0000"],
      ["18", "6-0 "],
      ["19", "1-0 00"], // OFF with a value: a lamp ignores it
      ["32x", "1-0 ff0000"],
      ["300", "1-0 ff0000"],
      ["33", "1-0 0a0b"], // unknown type
      ["20", "1-0 ff"],
      ["21", "garbage \x1b[31m"],
    ],
    table,
  );
  assertEquals([...frames.keys()].sort(), [18, 32]);
  assertEquals(skipped.length, 6);
  for (const { field, reason } of skipped) {
    assert(!CONTROL.test(field + reason), field + reason);
  }
});

Deno.test("merging copies of the retained state gives the same state in any order (newest wins)", () => {
  const random = seededRandom(163);
  const types = [0x12, 0x13, 0x20];
  for (let round = 0; round < 200; round++) {
    // One history of commands (ids unique, as in a stream); each copy saw some of them.
    const history = Array.from({ length: 12 }, (_, i) => {
      const type = types[random.int(0, 2)];
      const value = type === 0x20 ? random.bytes(3) : new Uint8Array();
      return { type, frame: { id: `${1000 + i}-${random.int(0, 2)}`, value } };
    });
    const copy = () => {
      const frames = new Map<number, RetainedFrame>();
      for (const { type, frame } of history) if (random.next() < 0.5) frames.set(type, frame);
      return frames;
    };
    const [a, b, c] = [copy(), copy(), copy()];
    const one = replayRetained(table, mergeRetained(mergeRetained(a, b), c));
    const other = replayRetained(table, mergeRetained(c, mergeRetained(b, a)));
    assertEquals(one, other, `round ${round}`);
    const everything = new Map(history.map(({ type, frame }) => [type, frame]));
    assertEquals(
      replayRetained(table, mergeRetained(a, everything)),
      replayRetained(table, everything),
    );
  }
  const older = new Map([[0x20, { id: "1-0", value: new Uint8Array([1, 1, 1]) }]]);
  const newer = new Map([[0x20, { id: "2-0", value: new Uint8Array([2, 2, 2]) }]]);
  assertEquals(newerEntries(older, newer).size, 0);
  assertEquals(newerEntries(newer, older).get(0x20)?.id, "2-0");
});

Deno.test("stream ids order by time then sequence, as numbers", () => {
  assert(compareStreamIds("10-0", "9-0") > 0);
  assert(compareStreamIds("9-10", "9-9") > 0);
  assertEquals(compareStreamIds("9-9", "9-9"), 0);
  assertThrows(() => compareStreamIds("x", "1-0"), RangeError);
});

Deno.test("heartbeats sum the well-formed entries and name the others", () => {
  const fleet = sumHeartbeats([
    ["a", '{"lamps":3,"browsers":2}'],
    ["b", '{"lamps":1,"browsers":0}'],
    ["gone", null],
    ["text", "garbage"],
    ["neg", '{"lamps":-1,"browsers":0}'],
    ["str", '{"lamps":"1","browsers":0}'],
    ["big", `{"lamps":1,"browsers":1,"pad":"${"x".repeat(300)}"}`],
    ["arr", "[1,2]"],
    ["wrongtype", ""],
    ["\x1b[2J", "{}"],
  ]);
  assertEquals([fleet.instances, fleet.lamps, fleet.browsers], [2, 4, 2]);
  assertEquals(fleet.skipped, [
    '"text"',
    '"neg"',
    '"str"',
    '"big"',
    '"arr"',
    '"wrongtype"',
    '"\\u001b[2J"',
  ]);
});

Deno.test("text from the wire is quoted and escaped before it is logged", () => {
  assertEquals(quoteWireText('a"b\\c\n'), '"a\\"b\\\\c\\u000a"');
  assertEquals(quoteWireText("x".repeat(70), 60), `"${"x".repeat(60)}..."`);
  assertEquals(quoteWireText("é"), '"\\u00e9"');
});

Deno.test("the place in the stream is judged from the stream's own ids and counts", () => {
  const facts: StreamFacts = {
    exists: true,
    first: "10-0",
    newest: "20-0",
    last: "20-0",
    length: 11,
    added: 11,
    now: 30,
  };
  const gap = gapJudgement;
  const on = { kind: "on" };
  const empty = { ...facts, first: "", newest: "", length: 0 };
  const ids = { ...facts, added: undefined }; // before Redis 7: ids alone
  const cases: [Place, string | undefined, StreamFacts, unknown][] = [
    [{ id: "15-0", count: 6 }, "16-0", facts, on],
    [{ id: "15-0" }, undefined, facts, on],
    [START, "10-0", facts, on], // from the start, nothing ever removed
    [
      START,
      "10-0",
      { ...facts, added: 40 },
      gap("trimmed", { id: "0-0", count: 29 }, "10-0", true, "10-0", "10-0", 29),
    ],
    [START, undefined, { ...facts, added: 40 }, on], // the next read brings the first entry
    [START, "10-0", ids, on], // not counted: never known
    // Trimmed past the place: by the count, only if entries after it left unread.
    [{ id: "5-0", count: 5 }, "10-0", { ...facts, added: 16 }, on],
    [
      { id: "5-0", count: 4 },
      "10-0",
      { ...facts, added: 16 },
      gap("trimmed", { id: "5-0", count: 5 }, "10-0", true, "10-0", "10-0", 1),
    ],
    [
      { id: "5-0" },
      "10-0",
      ids,
      gap("trimmed", { id: "5-0", count: undefined }, "10-0", true, "10-0", "10-0"),
    ],
    [{ id: "5-0" }, undefined, ids, on],
    [{ id: "9-18446744073709551615" }, "10-0", ids, on], // nothing can lie between
    [{ id: "9-7" }, "10-0", { ...ids, first: "9-8" }, on], // the place alone was trimmed
    [
      { id: "15-0" },
      undefined,
      { ...facts, exists: false },
      gap("stream_deleted", START, "0-0", false, "30-0"),
    ],
    [START, undefined, { ...facts, exists: false }, on],
    [{ id: "99999-0" }, undefined, facts, gap("ids_went_back", START, "0-0", false, "0-0")], // future
    [
      { id: "25-0" },
      undefined,
      facts,
      gap("ids_went_back", { id: "20-0", count: 11 }, "20-0", false, "0-0", "25-0"),
    ],
    [{ id: "15-0" }, undefined, { ...facts, atPlace: "15-0" }, on],
    [
      { id: "15-0" },
      undefined,
      { ...facts, atPlace: "17-0" },
      gap("ids_went_back", { id: "15-0" }, "17-0", false, "17-0", "17-0"),
    ],
    [{ id: "20-0", count: 11 }, undefined, empty, on],
    [
      { id: "15-0", count: 6 },
      undefined,
      empty,
      gap("trimmed", { id: "20-0", count: 11 }, "20-0", false, "20-1", undefined, 5),
    ],
    [
      { id: "15-0" },
      undefined,
      { ...empty, added: undefined },
      gap("trimmed", { id: "20-0", count: undefined }, "20-0", false, "20-1"),
    ],
    [{ id: "15-0", count: 10 }, "16-0", { ...empty, last: "16-0" }, on], // read, then all left
    [
      { id: "15-0", count: 4 },
      "16-0",
      empty, // read, then all left: the loss is placed after what was read
      gap("trimmed", { id: "20-0", count: 11 }, "20-0", false, "20-1", undefined, 6),
    ],
    // Made again: fewer entries left it than had been added up to the place.
    [{ id: "5-0", count: 30 }, "10-0", facts, gap("stream_deleted", START, "10-0", true, "10-0")],
    [{ id: "5-0", count: 30 }, undefined, empty, gap("stream_deleted", START, "0-0", true, "30-0")],
    // An empty stream anchored at its newest id: new entries later are no gap.
    [{ id: "20-0", count: 11 }, "35-0", {
      ...facts,
      first: "35-0",
      last: "35-0",
      added: 12,
      length: 1,
    }, on],
  ];
  for (const [place, firstRead, at, expected] of cases) {
    const read = firstRead === undefined ? [] : [firstRead];
    assertEquals(judgePlace(place, read, at), expected, `${JSON.stringify(place)} ${firstRead}`);
  }
  // Entries read, then trimmed before the facts, do not count as gone unread.
  const trimmedAfter = { ...facts, first: "12-0", added: 13, length: 9 };
  assertEquals(judgePlace(START, ["10-0", "11-0", "11-1", "11-2"], trimmedAfter), on);
  assertEquals(judgePlace(START, ["10-0", "11-0", "11-1"], trimmedAfter).kind, "gap");
});

Deno.test("a reader of a trimmed stream reports a gap exactly when entries it had not read left, and delivers the rest in order", () => {
  // A model stream whose ids follow on (`1-0`, `1-1`, …), trimmed at the head at random, also
  // between a read and its facts; the reader follows it as the follower does, with the stream's
  // count of entries added (Redis 7) and without it (ids alone: exact too, as the ids follow on,
  // except from the start, where nothing is known).
  const random = seededRandom(23);
  for (const counted of [true, false]) {
    for (let round = 0; round < 300; round++) {
      let stream: number[] = [];
      let added = 0;
      const id = (seq: number) => `1-${seq}`;
      const trim = () => stream = stream.slice(random.int(0, stream.length));
      let place: Place = START;
      let placeSeq = -1;
      const delivered: number[] = [];
      const lost = new Set<number>();
      for (let step = 0; step < 40; step++) {
        for (let n = random.int(0, 4); n > 0; n--) stream.push(added++);
        if (random.next() < 0.3) trim();
        const read = stream.filter((seq) => seq > placeSeq).slice(0, random.int(1, 5));
        if (random.next() < 0.3) trim();
        const facts: StreamFacts = {
          exists: true,
          first: stream.length ? id(stream[0]) : "",
          newest: stream.length ? id(stream.at(-1)!) : "",
          last: added ? id(added - 1) : "0-0",
          length: stream.length,
          ...(counted ? { added } : {}),
          now: 2,
        };
        const judgement = judgePlace(place, read.map(id), facts);
        // Unread entries that left: before the first read, or (with the count) up to the first
        // entry left.
        const upTo = counted
          ? (stream[0] ?? added)
          : (read[0] ?? (stream.length ? placeSeq + 1 : added));
        const missing = Array.from(
          { length: Math.max(0, upTo - placeSeq - 1) },
          (_, i) => placeSeq + 1 + i,
        ).filter((seq) => !read.includes(seq));
        const where = `${counted} round ${round} step ${step}`;
        if (!(!counted && place.id === "0-0")) {
          assertEquals(
            judgement.kind === "gap",
            missing.length > 0,
            `${where} ${JSON.stringify({ place, read, facts, judgement })}`,
          );
        }
        if (counted && judgement.kind === "gap") assertEquals(judgement.missed, missing.length);
        for (const seq of missing) lost.add(seq);
        if (judgement.kind === "gap" && judgement.beforeRead) place = judgement.place;
        if (read.length) {
          place = placeAfter(place, read.map(id), facts);
          placeSeq = read.at(-1)!;
        }
        if (judgement.kind === "gap" && !judgement.beforeRead) {
          place = judgement.place;
          placeSeq = Math.max(placeSeq, upTo - 1);
        }
        delivered.push(...read);
        if (counted) assertEquals(place.count, placeSeq + 1, where);
      }
      const all = Array.from({ length: added }, (_, seq) => seq);
      assertEquals(delivered, all.filter((seq) => !lost.has(seq) && seq <= placeSeq));
    }
  }
});

Deno.test("stream ids: the next id, and versions from the future are set apart", () => {
  assertEquals(nextStreamId("7-0"), "7-1");
  assertEquals(nextStreamId("7-18446744073709551615"), "8-0");
  const facts = streamFacts(["1800000000000", "1-0", "1800000000000-4", "1800000000000-4", 5, 5]);
  assertEquals(versionBound(facts), "1800000000000-18446744073709551615");
  assertEquals(versionBound({ ...facts, last: "9999999999999-2" }), "9999999999999-2");
  const versions = new Map([[32, { id: "1-0" }], [18, { id: "9999999999999-0" }]]);
  const { kept, future } = withoutFuture(versions, versionBound(facts));
  assertEquals([[...kept.keys()], future], [[32], [[18, "9999999999999-0"]]]);
  assertEquals(streamFacts(["5", "", "", "3-0", 0, -1]), {
    exists: true,
    first: "",
    newest: "",
    last: "3-0",
    length: 0,
    now: 5,
  });
  for (
    const bad of [null, [], ["x"], ["5", "1-0"], ["5", "1-0", "3-0", -1, 2], [
      "5",
      "x",
      "3-0",
      1,
      1,
    ]]
  ) {
    assertThrows(() => streamFacts(bad), TypeError, undefined, JSON.stringify(bad));
  }
});
