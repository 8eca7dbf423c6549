/**
 * The terminal view measures text in terminal columns: CJK and emoji take two, combining marks
 * none, so a line fitted to the terminal never wraps.
 */
import { assert, assertEquals } from "@std/assert";
import { unicodeWidth } from "@std/cli/unicode-width";
import { stripAnsiCode } from "@std/fmt/colors";
import type { Command } from "../src/commands/command.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { ON } from "../src/commands/power.ts";
import { fitSegments, fitToWidth, visibleWidth } from "../src/render/fit_to_width.ts";
import { renderLampView } from "../src/render/lamp_view.ts";
import { initialLinkView, reduceLinkView } from "../src/render/lamp_view_model.ts";

Deno.test("visibleWidth counts the columns a terminal draws, escape sequences aside", () => {
  assertEquals(visibleWidth("🔦 on"), 5);
  assertEquals(visibleWidth("ランプ 127.0.0.1"), 16);
  assertEquals(visibleWidth("\x1b[1mランプ\x1b[22m"), 6);
  assertEquals(visibleWidth("cafe\u0301"), 4);
});

Deno.test("fitToWidth cuts at columns, never through a wide character", () => {
  assertEquals(fitToWidth("ランプ 127.0.0.1", 4), "ラン\x1b[0m");
  assertEquals(fitToWidth("ランプ 127.0.0.1", 5), "ラン\x1b[0m");
  assertEquals(fitToWidth("ランプ 127.0.0.1", 7), "ランプ \x1b[0m");
  assertEquals(fitToWidth("🔦 on", 2), "🔦\x1b[0m");
  assertEquals(fitToWidth("🔦 on", 5), "🔦 on");
  assertEquals(fitToWidth("cafe\u0301 au lait", 4), "cafe\u0301\x1b[0m");
  assertEquals(fitToWidth("\x1b[1mランプ\x1b[22m", 3), "\x1b[1mラ\x1b[0m");
  for (let columns = 0; columns < 20; columns++) {
    assert(visibleWidth(fitToWidth("ランプ 🔦 127.0.0.1", columns)) <= columns, String(columns));
  }
});

Deno.test("fitSegments drops a segment by its width in columns", () => {
  const segments = [{ text: "● connected", priority: 1 }, { text: "ランプ:9999", priority: 2 }];
  assertEquals(fitSegments(segments, 24), "● connected  ランプ:9999");
  assertEquals(fitSegments(segments, 23), "● connected");
});

Deno.test("the lamp view with CJK and emoji in the address and a command name fits every width", () => {
  const address = "ランプ🔦.example:9999";
  const view = reduceLinkView(initialLinkView(address), { event: "connected", address }, 0);
  const torch: Command<boolean> = Object.assign(Object.create(ON), { name: "🔦点灯" });
  const lamp = {
    fields: createCommandTable().state,
    state: { on: true, color: 0xff0000 },
    last: { command: torch as Command, args: true },
    counts: { applied: 1, unknown: 0, malformed: 0, keepalives: 0 },
  };
  const full = renderLampView(view, lamp, "truecolor", 0, { columns: 120, rows: 40 })
    .map(stripAnsiCode);
  assertEquals(full.slice(-2), [
    "● connected  ランプ🔦.example:9999",
    "lamp ON #ff0000  last: 🔦点灯",
  ]);
  for (let columns = 2; columns <= 60; columns++) {
    for (const line of renderLampView(view, lamp, "truecolor", 0, { columns, rows: 40 })) {
      const width = unicodeWidth(stripAnsiCode(line));
      assert(width <= columns - 1, `${columns} columns: ${JSON.stringify(stripAnsiCode(line))}`);
    }
  }
});
