/**
 * The local `@std/*` stand-ins behave as the real modules document.
 */
import {
  assert,
  assertEquals,
  AssertionError,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  bgRgb24,
  bgRgb8,
  bold,
  getColorEnabled,
  red,
  rgb24,
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
    assertEquals(rgb24("x", 0xff8000), "\x1b[38;2;255;128;0mx\x1b[39m");
    assertEquals(bgRgb24("x", { r: 1, g: 2, b: 300 }), "\x1b[48;2;1;2;255mx\x1b[49m");
    assertEquals(bgRgb8("x", 196), "\x1b[48;5;196mx\x1b[49m");
    assertEquals(stripAnsiCode(bold(red("lamp"))), "lamp");
    setColorEnabled(false);
    assertEquals(red("x"), "x");
  } finally {
    setColorEnabled(was);
  }
});

Deno.test("@std/assert: failures throw AssertionError with the values", () => {
  assertEquals({ a: [1, new Uint8Array([2])] }, { a: [1, new Uint8Array([2])] });
  assertNotEquals(1, 2);
  assertStringIncludes("flashlight", "light");
  assertMatch("20 00 03", /^20/);
  const error = assertThrows(() => assertEquals(1, 2), AssertionError, "Values are not equal");
  assertStringIncludes(error.message, "actual: 1");
  assertThrows(() => assert(false, "nope"), AssertionError, "nope");
});

Deno.test("@std/assert: assertRejects checks the class and message", async () => {
  await assertRejects(() => Promise.reject(new RangeError("too big")), RangeError, "big");
  await assertRejects(
    () => assertRejects(() => Promise.resolve()),
    AssertionError,
    "Expected function to reject",
  );
});

Deno.test("@std/streams TextLineStream: splits on \\n and \\r\\n across chunks", async () => {
  const lines = ReadableStream.from(["a\nb", "\r\nc\n", "d"]).pipeThrough(new TextLineStream());
  assertEquals(await Array.fromAsync(lines), ["a", "b", "c", "d"]);
});

Deno.test("every @std specifier mapped locally has a JSR equivalent in use_jsr_std.ts", async () => {
  const { JSR_STD } = await import("../scripts/use_jsr_std.ts");
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const local = Object.keys(config.imports).filter((name) => name.startsWith("@std/"));
  assertEquals(local.sort(), Object.keys(JSR_STD).sort());
});
