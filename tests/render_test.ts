/**
 * The terminal view: pure rendering (state in, lines out) and the in-place screen.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { bgRgb24, setColorEnabled, stripAnsiCode } from "@std/fmt/colors";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { COLOR } from "../src/commands/color.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import type { LampState } from "../src/lamp/lamp_state.ts";
import { canRedraw, detectColorDepth } from "../src/render/color_depth.ts";
import { fitSegments, fitToWidth, visibleWidth } from "../src/render/fit_to_width.ts";
import { plainLampLine, renderLampView } from "../src/render/lamp_view.ts";
import {
  initialLinkView,
  type LampShown,
  type LinkView,
  reduceLinkView,
} from "../src/render/lamp_view_model.ts";
import { nearestAnsi256, paintBackground } from "../src/render/paint_color.ts";
import { TerminalScreen } from "../src/render/terminal_screen.ts";

const ADDRESS = "127.0.0.1:9999";
const WIDE = { columns: 120, rows: 40 };

function shown(state: LampState, ignored = 0): LampShown {
  return {
    fields: createCommandTable().state,
    state,
    last: { command: COLOR, args: state.color as number },
    counts: { applied: 1, unknown: ignored, malformed: 0, keepalives: 0 },
  };
}

function linkAfter(events: LampEvent[], now = 0): LinkView {
  return events.reduce((view, event) => reduceLinkView(view, event, now), initialLinkView(ADDRESS));
}

const RED_ON = shown({ on: true, color: 0xff0000 });
const CONNECTED = linkAfter([{ event: "connected", address: ADDRESS }]);

Deno.test("color depth from FORCE_COLOR, NO_COLOR, COLORTERM and TERM", () => {
  const cases: [Record<string, string>, string][] = [
    [{ COLORTERM: "truecolor", TERM: "xterm" }, "truecolor"],
    [{ COLORTERM: "24bit" }, "truecolor"],
    [{ TERM: "xterm-256color" }, "256"],
    [{ TERM: "xterm" }, "16"],
    [{ TERM: "dumb" }, "none"],
    [{ NO_COLOR: "1", COLORTERM: "truecolor" }, "none"],
    [{ NO_COLOR: "", TERM: "xterm-256color" }, "256"],
    [{ FORCE_COLOR: "3", NO_COLOR: "1" }, "truecolor"],
    [{ FORCE_COLOR: "0", COLORTERM: "truecolor" }, "none"],
    [{ FORCE_COLOR: "1", TERM: "dumb" }, "16"],
    [{ FORCE_COLOR: "2" }, "256"],
  ];
  for (const [env, depth] of cases) {
    assertEquals(detectColorDepth((name) => env[name]), depth, JSON.stringify(env));
  }
});

Deno.test("FORCE_COLOR=true (or any other value) means colors on with detection, as other tools read it", () => {
  const cases: [Record<string, string>, string][] = [
    [{ FORCE_COLOR: "true", TERM: "xterm-256color" }, "256"],
    [{ FORCE_COLOR: "true", COLORTERM: "truecolor" }, "truecolor"],
    [{ FORCE_COLOR: "", TERM: "dumb" }, "16"],
    [{ FORCE_COLOR: "yes", TERM: "xterm-256color", NO_COLOR: "1" }, "256"],
    [{ FORCE_COLOR: "false", COLORTERM: "truecolor" }, "none"],
  ];
  for (const [env, depth] of cases) {
    assertEquals(detectColorDepth((name) => env[name]), depth, JSON.stringify(env));
  }
});

Deno.test("nearest 256-color entries", () => {
  assertEquals(nearestAnsi256(0xff0000), 196);
  assertEquals(nearestAnsi256(0x000000), 16);
  assertEquals(nearestAnsi256(0x808080), 244);
});

Deno.test("lamp view: 24-bit block when on, dim outline when off, text only without color", () => {
  setColorEnabled(true);
  const on = renderLampView(CONNECTED, RED_ON, "truecolor", 0, WIDE);
  assertStringIncludes(on[0], "\x1b[48;2;255;0;0m");
  assertStringIncludes(stripAnsiCode(on.join("\n")), "● connected");
  assertStringIncludes(stripAnsiCode(on.join("\n")), "last: COLOR #ff0000");
  const off = renderLampView(CONNECTED, shown({ on: false, color: 0xffffff }), "256", 0, WIDE);
  assertStringIncludes(stripAnsiCode(off[0]), "╭");
  assertStringIncludes(renderLampView(CONNECTED, RED_ON, "256", 0, WIDE)[0], "\x1b[48;5;196m");
  assertStringIncludes(renderLampView(CONNECTED, RED_ON, "16", 0, WIDE)[0], "\x1b[41m");
  setColorEnabled(false);
  try {
    const plain = renderLampView(CONNECTED, RED_ON, "none", 0, WIDE).join("\n");
    assertFalse(plain.includes("\x1b"));
    assertStringIncludes(plain, "lamp ON #ff0000");
  } finally {
    setColorEnabled(true);
  }
});

Deno.test("a lit lamp too dark to see on a dark terminal is outlined as the dark one is, and painted inside", () => {
  for (const color of [0x000000, 0x0a0a0a, 0x000080, 0x300000]) {
    for (const depth of ["truecolor", "256", "16"] as const) {
      const lines = renderLampView(CONNECTED, shown({ on: true, color }), depth, 0, WIDE);
      const where = `#${color.toString(16).padStart(6, "0")} at ${depth}`;
      assertEquals(lines.length, 6, where);
      assertEquals(stripAnsiCode(lines[0]), `╭${"─".repeat(14)}╮`, where);
      assertEquals(stripAnsiCode(lines[3]), `╰${"─".repeat(14)}╯`, where);
      assertStringIncludes(lines[1], paintBackground(" ".repeat(14), color, depth), where);
      assertStringIncludes(stripAnsiCode(lines[4] + lines[5]), "lamp ON", where);
    }
  }
  for (const color of [0xff0000, 0x808080, 0x00ff00, 0xffffff]) {
    const lines = renderLampView(CONNECTED, shown({ on: true, color }), "truecolor", 0, WIDE);
    assertFalse(stripAnsiCode(lines.join("")).includes("╭"), `#${color.toString(16)}`);
  }
});

Deno.test("a dark lamp shows its stored color (a swatch and the value), as the page does", () => {
  const lines = renderLampView(
    CONNECTED,
    shown({ on: false, color: 0xff0000 }),
    "truecolor",
    0,
    WIDE,
  );
  const text = stripAnsiCode(lines.join("\n"));
  assertStringIncludes(text, "lamp OFF color #ff0000");
  assertStringIncludes(text, "(shown when on)");
  assertStringIncludes(lines.at(-1)!, "\x1b[48;2;255;0;0m", "a swatch of the stored color");
});

Deno.test("lamp view: retry countdown and attempt, then stopped", () => {
  const retrying = linkAfter([
    { event: "connect_failed", address: ADDRESS, reason: "connection refused" },
    { event: "retry", address: ADDRESS, next: ADDRESS, delay_ms: 2500, attempt: 3 },
  ], 1000);
  const text = stripAnsiCode(renderLampView(retrying, RED_ON, "truecolor", 1000, WIDE).join("\n"));
  assertStringIncludes(text, "retrying in 3 s  (attempt 3)  127.0.0.1:9999  connection refused");
  const later = stripAnsiCode(renderLampView(retrying, RED_ON, "truecolor", 2600, WIDE).join("\n"));
  assertStringIncludes(later, "retrying in 1 s");
  const stopped = { ...retrying, link: "stopped" as const };
  assertStringIncludes(
    stripAnsiCode(renderLampView(stopped, RED_ON, "none", 0, WIDE).join("")),
    "■ stopped",
  );
});

Deno.test("a narrow terminal loses the least important parts first, never the connection state", () => {
  const retrying = linkAfter([
    { event: "connect_failed", address: ADDRESS, reason: "connection refused" },
    { event: "retry", address: ADDRESS, next: ADDRESS, delay_ms: 2500, attempt: 3 },
  ], 0);
  const at = (columns: number) =>
    renderLampView(retrying, shown({ on: true, color: 0xff0000 }, 7), "truecolor", 0, {
      columns,
      rows: 40,
    })
      .slice(-2).map(stripAnsiCode);
  const [status100, lamp100] = at(100);
  assertStringIncludes(status100, "○ retrying in 3 s");
  assertStringIncludes(status100, ADDRESS);
  assertStringIncludes(lamp100, "ignored frames: 7");
  const [status40, lamp40] = at(40);
  assertStringIncludes(status40, "○ retrying in 3 s");
  assertFalse(status40.includes("connection refused"), "the reason goes first");
  assertStringIncludes(lamp40, "lamp ON #ff0000");
  assertFalse(lamp40.includes("ignored"));
  const [status12] = at(12);
  assertEquals(status12, "○ retrying", "the countdown goes whole, the state stays (11 columns)");
  for (const columns of [10, 20, 40, 100]) {
    for (const line of renderLampView(retrying, RED_ON, "truecolor", 0, { columns, rows: 40 })) {
      assert(
        visibleWidth(line) <= columns - 1,
        `${columns}: ${JSON.stringify(stripAnsiCode(line))}`,
      );
    }
  }
});

Deno.test("a narrow terminal drops whole words: a color, an address, a count is shown whole or not at all", () => {
  const retrying = linkAfter([
    { event: "connect_failed", address: ADDRESS, reason: "connection refused" },
    { event: "retry", address: ADDRESS, next: ADDRESS, delay_ms: 2500, attempt: 3 },
  ], 0);
  const lamps = [
    shown({ on: true, color: 0xff0000 }, 7),
    shown({ on: false, color: 0x12ab34 }, 7),
    { ...shown({ on: true, color: 0x00ff00 }), last: null },
  ];
  for (const view of [retrying, CONNECTED]) {
    for (const lamp of lamps) {
      for (const depth of ["truecolor", "none"] as const) {
        const text = (columns: number) =>
          renderLampView(view, lamp, depth, 0, { columns, rows: 3 }).map(stripAnsiCode);
        const words = new Set(text(500).flatMap((line) => line.split(" ")));
        for (let columns = 12; columns <= 120; columns++) {
          for (const line of text(columns)) {
            const cut = line.split(" ").filter((word) => !words.has(word));
            assertEquals(cut, [], `${columns} columns: ${JSON.stringify(line)}`);
          }
        }
      }
    }
  }
});

Deno.test("a short pane gets fewer lamp rows, never more lines than fit without scrolling", () => {
  for (const rows of [1, 2, 3, 4, 5, 6, 7, 24]) {
    const lines = renderLampView(CONNECTED, RED_ON, "truecolor", 0, { columns: 80, rows });
    assertEquals(lines.length, Math.min(6, Math.max(1, rows - 1)), `${rows} rows`);
    assertStringIncludes(
      stripAnsiCode(lines[0] + lines.at(-1)),
      rows <= 2 ? "connected" : "lamp ON",
    );
  }
});

Deno.test("a dumb terminal gets one plain line per change, no escape codes", () => {
  assertEquals(canRedraw((name) => name === "TERM" ? "dumb" : "xterm"), false);
  assertEquals(canRedraw(() => undefined), true);
  assertEquals(
    plainLampLine(CONNECTED, RED_ON),
    "connected 127.0.0.1:9999 | lamp ON #ff0000 | last: COLOR #ff0000",
  );
});

Deno.test("link view follows connect, failure, retry (showing the next address) and connect", () => {
  const view = linkAfter([
    { event: "connecting", address: "a:1" },
    { event: "connect_failed", address: "a:1", reason: "connection refused" },
    { event: "retry", address: "a:1", next: "b:2", delay_ms: 100, attempt: 1 },
  ]);
  assertEquals([view.link, view.address, view.reason], ["retrying", "b:2", "connection refused"]);
  const up = reduceLinkView(view, { event: "connected", address: "b:2" }, 0);
  assertEquals([up.link, up.reason], ["connected", ""]);
});

function screenOn(
  size: () => { columns: number; rows: number },
  lamp: () => LampShown = () => RED_ON,
) {
  const out = { text: "", busy: false, now: 1000, taken: Promise.withResolvers<void>() };
  const screen = new TerminalScreen(CONNECTED, {
    write: (text) => out.text += text,
    busy: () => out.busy,
    written: () => out.taken.promise,
    depth: "truecolor",
    lamp,
    size,
    now: () => out.now,
  });
  return { screen, out };
}

Deno.test("terminal screen: a burst of updates draws at most twice, the last one included", async () => {
  let color = 0;
  const { screen, out } = screenOn(() => WIDE, () => shown({ on: true, color }));
  assert(out.text.startsWith("\x1b[?25l"));
  for (let i = 0; i < 1000; i++) {
    color = i % 256;
    screen.invalidate();
  }
  assertEquals(screen.draws, 1, "only the first draw so far: the burst is coalesced");
  out.now += 16;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(screen.draws, 2);
  assertStringIncludes(
    out.text,
    "\x1b[48;2;0;0;231m",
    "the final color (999 % 256 = 0xe7) is drawn",
  );
  assertStringIncludes(out.text, "\x1b[6A\r", "redrawn in place: cursor moved up over the 6 lines");
  screen.stop();
  assert(out.text.endsWith("\x1b[0m\x1b[?25h"), "cursor shown and colors reset at the end");
});

Deno.test("while the terminal has not taken the last frame, no new frame is queued behind it", async () => {
  const { screen, out } = screenOn(() => WIDE);
  out.busy = true;
  out.now += 100;
  for (let i = 0; i < 100; i++) screen.invalidate();
  assertEquals(screen.draws, 1, "a paused terminal holds one frame, never a backlog");
  out.busy = false;
  out.taken.resolve();
  await out.taken.promise;
  assertEquals(screen.draws, 2, "the latest view goes out once the terminal takes it");
  screen.stop();
});

Deno.test("after the terminal got narrower, the redraw goes up over the rows the old lines now take", () => {
  let size = { columns: 120, rows: 40 };
  const { screen, out } = screenOn(() => size);
  out.now += 100;
  size = { columns: 20, rows: 40 };
  const before = out.text.length;
  screen.invalidate();
  const redraw = out.text.slice(before);
  const up = Number(redraw.match(/\[(\d+)A/)?.[1]);
  assert(up > 6, `went up ${up} rows: the wide status lines now wrap`);
  assert(redraw.endsWith("\x1b[J"), "and cleared below");
  screen.stop();
});

Deno.test("after a shorter terminal grows back, the redraw goes up over the lines it had pushed out of view", () => {
  let size = { columns: 100, rows: 20 };
  const { screen, out } = screenOn(() => size);
  const redrawAt = (next: typeof size) => {
    size = next;
    out.now += 100;
    const before = out.text.length;
    screen.invalidate();
    return Number(out.text.slice(before).match(/^.\[(\d+)A/)?.[1]);
  };
  assertEquals(redrawAt({ columns: 100, rows: 5 }), 4, "as far as the screen's top");
  assertEquals(
    redrawAt({ columns: 100, rows: 20 }),
    6,
    "the two block rows out of view come back above the four lines drawn at 5 rows",
  );
  assertEquals(redrawAt({ columns: 100, rows: 20 }), 6, "then over the six lines drawn");
  screen.stop();
});

Deno.test("a terminal one row high gets no redraw (it would scroll a copy away each time)", () => {
  let size = { columns: 100, rows: 20 };
  const { screen, out } = screenOn(() => size);
  size = { columns: 100, rows: 1 };
  out.now += 100;
  const before = out.text.length;
  screen.invalidate();
  assertEquals(out.text.slice(before), "");
  screen.stop();
});

Deno.test("fitToWidth cuts visible text, keeps escape sequences whole, resets style when cut", () => {
  assertEquals(fitToWidth("\x1b[1mflashlight\x1b[22m", 5), "\x1b[1mflash\x1b[0m");
  assertEquals(fitToWidth("\x1b[31mab\x1b[39m", 5), "\x1b[31mab\x1b[39m");
  assertEquals(fitToWidth("○ retrying — refused", 9), "○ retryin\x1b[0m");
  assertEquals(stripAnsiCode(fitToWidth(bgRgb24("          ", 0xff0000), 4)).length, 4);
  assertEquals(
    fitSegments([{ text: "a", priority: 1 }, { text: "bbbb", priority: 3 }, {
      text: "cc",
      priority: 2,
    }], 6),
    "a  cc",
  );
});
