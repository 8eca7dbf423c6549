/**
 * The broker's pure parts (issue 16): broker URLs, stream entries, the retained state and its
 * merge, heartbeats, reply shapes. No Redis needed.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import { parseBrokerUrl } from "../src/stand/broker/broker_url.ts";
import { sumHeartbeats } from "../src/stand/broker/fleet_counts.ts";
import { redactSecret, redisClientOptions } from "../src/stand/broker/redis_connection.ts";
import { hashPairs, xreadEntries } from "../src/stand/broker/redis_reply.ts";
import {
  mergeRetained,
  newerEntries,
  parseRetainedEntries,
  replayRetained,
  type RetainedFrame,
} from "../src/stand/broker/retained_frames.ts";
import { commandFields, parseStreamEntry } from "../src/stand/broker/stream_entry.ts";
import { compareStreamIds } from "../src/stand/broker/stream_id.ts";
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
  const entry = parseStreamEntry(
    "5-1",
    ["n", "4", ...commandFields(command, "inst-1").fields],
    table,
  );
  assertEquals(entry, {
    kind: "command",
    id: "5-1",
    n: 4,
    origin: "inst-1",
    command,
    retained: true,
  });
  const raw = { type: 0x20, value: new Uint8Array([0xff]), command: "COLOR", text: "ff" };
  const short = parseStreamEntry("5-2", ["n", "5", ...commandFields(raw, "inst-1").fields], table);
  assertEquals(short.kind === "command" && short.retained, false);
});

Deno.test("every malformed stream entry is reported with a reason, never thrown", () => {
  const good = ["n", "1", "origin", "o", "kind", "command", "frame", "18  ON "];
  assertEquals(parseStreamEntry("1-0", good, table).kind, "command");
  const replace = (name: string, value: unknown) =>
    good.map((field, i) => i % 2 === 1 && good[i - 1] === name ? value : field);
  const cases: [unknown[], string][] = [
    [[], "bad n"],
    [["n"], "not name/value"],
    [[1, 2], "not name/value"],
    [[...good, "n", "2"], "appears twice"],
    [replace("n", "0"), "bad n"],
    [replace("n", "1.5"), "bad n"],
    [replace("n", "\x1b[2J"), "bad n"],
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
    ["n", "3", "origin", "o", "kind", "state", "frame.32", "8-0 00ff00", "frame.18", "bad"],
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
