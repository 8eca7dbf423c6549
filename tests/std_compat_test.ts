/**
 * The local `@std/*` stand-ins behave as the real modules document. Every case here holds for the
 * real modules too (`scripts/use_jsr_std.ts` maps them where JSR is reachable), so the suite passes
 * on either.
 */
import {
  assert,
  assertEquals,
  assertFalse,
  assertGreater,
  AssertionError,
  assertLessOrEqual,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { concat } from "@std/bytes/concat";
import * as cli from "@std/cli";
import { parseArgs } from "@std/cli/parse-args";
import { unicodeWidth } from "@std/cli/unicode-width";
import {
  bgRgb24,
  bgRgb8,
  bold,
  getColorEnabled,
  gray,
  red,
  rgb24,
  rgb8,
  setColorEnabled,
  stripAnsiCode,
} from "@std/fmt/colors";
import { TextLineStream } from "@std/streams/text-line-stream";

Deno.test("@std/fmt/colors: escape sequences as documented", () => {
  const was = getColorEnabled();
  setColorEnabled(true);
  try {
    assertEquals(red("x"), "\x1b[31mx\x1b[39m");
    assertEquals(bold("x"), "\x1b[1mx\x1b[22m");
    assertEquals(gray("x"), "\x1b[90mx\x1b[39m");
    assertEquals(rgb24("x", 0xff8000), "\x1b[38;2;255;128;0mx\x1b[39m");
    assertEquals(bgRgb24("x", { r: 1, g: 2, b: 300 }), "\x1b[48;2;1;2;255mx\x1b[49m");
    assertEquals(rgb8("x", 300.7), "\x1b[38;5;255mx\x1b[39m");
    assertEquals(bgRgb8("x", 196), "\x1b[48;5;196mx\x1b[49m");
    // A nested style's close code reopens the outer one.
    assertEquals(red(`a${red("b")}c`), "\x1b[31ma\x1b[31mb\x1b[31mc\x1b[39m");
    assertEquals(stripAnsiCode(bold(red("lamp"))), "lamp");
    assertEquals(stripAnsiCode("\x1b]8;;https://deno.land\x07link\x1b]8;;\x07"), "link");
    assertEquals(stripAnsiCode("a\x1b[2Xb"), "ab");
    setColorEnabled(false);
    assertEquals(red("x"), "x");
  } finally {
    setColorEnabled(was);
  }
});

Deno.test("@std/fmt/colors: NO_COLOR starts with colors off and setColorEnabled cannot turn them on", async () => {
  const script = `import { getColorEnabled, red, setColorEnabled } from "@std/fmt/colors";
    const before = getColorEnabled();
    setColorEnabled(true);
    console.log(JSON.stringify([before, getColorEnabled(), red("x")]));`;
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("../deno.json", import.meta.url).pathname, script],
    env: { NO_COLOR: "1" },
  }).output();
  assert(success);
  assertEquals(JSON.parse(new TextDecoder().decode(stdout)), [false, false, "x"]);
});

Deno.test("@std/assert: assertEquals compares as the real equal() does", () => {
  assertEquals({ a: [1, new Uint8Array([2])] }, { a: [1, new Uint8Array([2])] });
  assertEquals(0, -0);
  assertEquals(NaN, NaN);
  assertEquals(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]));
  assertEquals(new Set([{ a: 1 }, 2]), new Set([2, { a: 1 }]));
  assertEquals(new Date(5), new Date(5));
  assertEquals(new URL("http://a/b"), new URL("http://a/b"));
  assertEquals(/x/g, /x/g);
  assertEquals(Object.assign(Object.create(null), { a: 1 }), { a: 1 });
  const cyclic: { self?: unknown } = {};
  cyclic.self = cyclic;
  const cyclic2: { self?: unknown } = {};
  cyclic2.self = cyclic2;
  assertEquals(cyclic, cyclic2);
  const unequal: [unknown, unknown][] = [
    [new Error("x"), new Error("x")], // their stacks differ
    [{ a: undefined }, {}],
    [[1, 2], [2, 1]],
    [new Uint8Array([1]), new Uint16Array([1])],
    [new Uint8Array([1, 2]), new Uint8Array([1, 3])],
    [new Date(1), new Date(2)],
    [new Map([[1, 2]]), new Map([[1, 3]])],
    [new Set([1]), new Set([2])],
    [1, "1"],
    [null, undefined],
    [{ a: 1 }, { a: 1, b: 2 }],
    [new URL("http://a/b"), new URL("http://a/c")],
  ];
  for (const [a, b] of unequal) {
    assertThrows(() => assertEquals(a, b), AssertionError, "Values are not equal");
    assertNotEquals(a, b);
  }
  assertThrows(() => assertNotEquals(-0, 0), AssertionError, "not to be");
});

Deno.test("@std/assert: a failed assertEquals shows a line diff, actual against expected", () => {
  const error = assertThrows(() => assertEquals(1, 2), AssertionError);
  const text = stripAnsiCode(error.message);
  assert(text.startsWith("Values are not equal."), text);
  assertStringIncludes(text, "[Diff] Actual / Expected");
  assertStringIncludes(text, "-   1\n+   2");
  const labelled = assertThrows(() => assertEquals({ a: 1, b: 2 }, { a: 1, b: 3 }, "the config"));
  const lines = stripAnsiCode((labelled as Error).message);
  assert(lines.startsWith("Values are not equal: the config"), lines);
  assertStringIncludes(lines, "\n      a: 1,\n-     b: 2,\n+     b: 3,\n");
});

/** A function that throws `error`. */
const throwing = (error: unknown) => (): never => {
  throw error;
};

Deno.test("@std/assert: the other assertions pass and fail as documented", async () => {
  assert(1 + 1 === 2);
  assertFalse(0);
  assertStringIncludes("flashlight", "light");
  assertMatch("20 00 03", /^20/);
  assertGreater(2, 1);
  assertLessOrEqual(2, 2);
  assertThrows(() => assert(false, "nope"), AssertionError, "nope");
  assertThrows(() => assertFalse(1), AssertionError);
  assertThrows(() => assertStringIncludes("a", "b"), AssertionError, 'to contain: "b"');
  assertThrows(() => assertMatch("a", /b/), AssertionError, 'to match: "/b/"');
  assertThrows(() => assertGreater(1, 1), AssertionError, "Expect 1 > 1");
  assertThrows(() => assertLessOrEqual(3, 2), AssertionError, "Expect 3 <= 2");
  assertThrows(() => assertThrows(() => {}), AssertionError, "Expected function to throw.");
  assertThrows(
    () => assertThrows(throwing(new TypeError("x")), RangeError),
    AssertionError,
    'Expected error to be instance of "RangeError", but was "TypeError"',
  );
  assertThrows(
    () => assertThrows(throwing(new TypeError("x")), TypeError, "y"),
    AssertionError,
    'Expected error message to include "y", but got "x"',
  );
  assertThrows(
    () => assertThrows(throwing("text"), Error),
    AssertionError,
    "A non-Error object was thrown",
  );
  assertEquals(assertThrows(throwing("text")), "text");
  await assertRejects(() => Promise.reject(new RangeError("too big")), RangeError, "big");
  await assertRejects(
    () => assertRejects(() => Promise.resolve()),
    AssertionError,
    "Expected function to reject",
  );
  await assertRejects(
    () => assertRejects(throwing(new Error("sync"))),
    AssertionError,
    "Function throws when expected to reject",
  );
  const cause = new Error("why");
  assertEquals(new AssertionError("x", { cause }).cause, cause);
  assertEquals(new AssertionError("x").name, "AssertionError");
});

Deno.test("@std/streams TextLineStream: splits on \\n and \\r\\n across chunks", async () => {
  const lines = (chunks: string[], options?: { allowCR: boolean }) =>
    Array.fromAsync(ReadableStream.from(chunks).pipeThrough(new TextLineStream(options)));
  assertEquals(await lines(["a\nb", "\r\nc\n", "d"]), ["a", "b", "c", "d"]);
  assertEquals(await lines(["a\r", "\nb\rc\n", "\n", "d\r"]), ["a", "b\rc", "", "d\r"]);
  assertEquals(await lines(["x\n"]), ["x"]);
  assertEquals(await lines(["\n\n"]), ["", ""]);
  assertEquals(await lines(["a\rb\r", "\nc\r"], { allowCR: true }), ["a", "b", "c"]);
});

Deno.test("@std/cli parseArgs: the documented examples", () => {
  assertEquals(parseArgs(["--foo", "--bar=baz", "./quux.txt"]), {
    foo: true,
    bar: "baz",
    _: ["./quux.txt"],
  });
  assertEquals(parseArgs(["--foo", "--bar", "baz"], { boolean: ["foo"], string: ["bar"] }), {
    foo: true,
    bar: "baz",
    _: [],
  });
  assertEquals(parseArgs(["--foo", "bar", "--foo", "baz"], { collect: ["foo"] }), {
    foo: ["bar", "baz"],
    _: [],
  });
  assertEquals(parseArgs(["--no-foo"], { boolean: ["foo"], negatable: ["foo"] }), {
    foo: false,
    _: [],
  });
  assertEquals(parseArgs(["-a", "--", "b"], { "--": true }), { a: true, _: [], "--": ["b"] });
  assertEquals(cli.parseArgs(["-x"]), { x: true, _: [] });
});

Deno.test("@std/cli parseArgs: numbers unless listed in string, and `_` kept as typed", () => {
  assertEquals(parseArgs(["COLOR", "000000", "-n", "0x10", "--e", "1e3"]), {
    n: 16,
    e: 1000,
    _: ["COLOR", 0],
  });
  assertEquals(parseArgs(["COLOR", "0001234", "--v", "007"], { string: ["_", "v"] }), {
    v: "007",
    _: ["COLOR", "0001234"],
  });
  assertEquals(parseArgs(["-s", "0001234"], { string: "s" }), { s: "0001234", _: [] });
  assertEquals(parseArgs(["  "], { string: "_" }), { _: ["  "] });
  assertEquals(parseArgs(["--str"], { string: "str" }), { str: "", _: [] });
});

Deno.test("@std/cli parseArgs: short groups, aliases, booleans, defaults, stopEarly, unknown", () => {
  assertEquals(parseArgs(["-abc", "x"]), { a: true, b: true, c: "x", _: [] });
  assertEquals(parseArgs(["-n5", "-f=abc=def", "-I/usr"]), {
    n: 5,
    f: "abc=def",
    I: "/usr",
    _: [],
  });
  assertEquals(parseArgs(["-n", "-"]), { n: "-", _: [] });
  assertEquals(parseArgs(["-b", "-"], { boolean: "b" }), { b: true, _: ["-"] });
  assertEquals(parseArgs(["-h", "derp"], { boolean: "herp", alias: { h: "herp" } }), {
    h: true,
    herp: true,
    _: ["derp"],
  });
  assertEquals(parseArgs(["--v", "false", "moo"], { boolean: ["v", "t"] }), {
    v: false,
    t: false,
    _: ["moo"],
  });
  assertEquals(parseArgs(["--b=false"], { boolean: ["b"], default: { b: true } }), {
    b: false,
    _: [],
  });
  assertEquals(parseArgs([], { default: { "a.b": 11 } }), { a: { b: 11 }, _: [] });
  assertEquals(parseArgs(["--a.b", "x", "--a.c"]), { a: { b: "x", c: true }, _: [] });
  assertEquals(parseArgs(["a", "--b", "c"], { stopEarly: true }), { _: ["a", "--b", "c"] });
  assertEquals(parseArgs(["--x", "--y=1"], { boolean: true }), { x: true, y: 1, _: [] });
  const seen: unknown[][] = [];
  const parsed = parseArgs(["--known", "1", "--other=2", "pos"], {
    string: ["known"],
    unknown: (...args) => (seen.push(args), false),
  });
  assertEquals(parsed, { known: "1", _: [] });
  assertEquals(seen, [["--other=2", "other", "2"], ["pos"]]);
  assertEquals(parseArgs(["--toString", "--valueOf", "foo"]), {
    toString: true,
    valueOf: "foo",
    _: [],
  });
});

Deno.test("@std/cli unicodeWidth: wide East Asian characters and emoji two, marks none", () => {
  const cases: [string, number][] = [
    ["hello world", 11],
    ["ランプ", 6],
    ["天地玄黃", 8],
    ["ｆｕｌｌ", 8],
    ["🔦", 2],
    ["🔦 on", 5],
    ["👩‍🔬", 4], // two emoji joined by a zero-width joiner
    ["e\u0301", 1],
    ["á".normalize("NFD"), 1],
    ["голубой", 7],
    ["\0\n\r\t\u0080\u009f", 0],
    ["\u00ad", 1],
    ["\u200b", 0],
    ["\u1100\u1161", 2], // a Hangul syllable as leading and vowel jamo
    ["한", 2],
  ];
  for (const [text, width] of cases) assertEquals(unicodeWidth(text), width, JSON.stringify(text));
  assertEquals(cli.unicodeWidth("ランプ"), 6);
});

Deno.test("every @std specifier mapped locally has a JSR equivalent in use_jsr_std.ts", async () => {
  const { JSR_STD } = await import("../scripts/use_jsr_std.ts");
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const local = Object.keys(config.imports).filter((name) => name.startsWith("@std/"));
  assertEquals(local.sort(), Object.keys(JSR_STD).sort());
});

Deno.test("@std/bytes/concat: a new array with the slices in order, the inputs untouched", () => {
  const a = new Uint8Array([0, 1, 2]);
  const b = new Uint8Array([3, 4, 5]).subarray(1);
  const joined = concat([a, b]);
  assertEquals(joined, new Uint8Array([0, 1, 2, 4, 5]));
  joined[0] = 9;
  assertEquals(a[0], 0, "a copy, not a view");
  assertEquals(concat([]), new Uint8Array(0));
  assertEquals(joined.buffer.byteLength, 5, "exactly the bytes joined");
});
