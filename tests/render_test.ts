import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { bgRgb24, setColorEnabled, stripAnsiCode } from "@std/fmt/colors";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { COLOR } from "../src/commands/color.ts";
import { detectColorDepth } from "../src/render/color_depth.ts";
import { renderLampView } from "../src/render/lamp_view.ts";
import {
  initialLampView,
  type LampViewModel,
  reduceLampView,
} from "../src/render/lamp_view_model.ts";
import { fitToWidth } from "../src/render/fit_to_width.ts";
import { toLogRecord } from "../src/render/lamp_log_record.ts";
import { formatLogLine } from "../src/log/log_line.ts";
import { LogWriter } from "../src/log/log_writer.ts";
import { nearestAnsi256 } from "../src/render/paint_color.ts";
import { TerminalScreen } from "../src/render/terminal_screen.ts";

const ADDRESS = "127.0.0.1:9999";
const RED: LampEvent = {
  event: "command",
  address: ADDRESS,
  command: COLOR,
  args: 0xff0000,
  state: { on: true, color: 0xff0000 },
};

function viewAfter(events: LampEvent[], now = 0): LampViewModel {
  return events.reduce((view, event) => reduceLampView(view, event, now), initialLampView(ADDRESS));
}

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

Deno.test("nearest 256-color entries", () => {
  assertEquals(nearestAnsi256(0xff0000), 196);
  assertEquals(nearestAnsi256(0x000000), 16);
  assertEquals(nearestAnsi256(0x808080), 244);
});

Deno.test("lamp view: 24-bit block when on, dim outline when off, text only without color", () => {
  setColorEnabled(true);
  const on = renderLampView(
    viewAfter([{ event: "connected", address: ADDRESS }, RED]),
    "truecolor",
    0,
  );
  assertStringIncludes(on[0], "\x1b[48;2;255;0;0m");
  assertStringIncludes(stripAnsiCode(on.join("\n")), "● connected");
  assertStringIncludes(stripAnsiCode(on.join("\n")), "last: COLOR #ff0000");
  const off = renderLampView(viewAfter([]), "256", 0);
  assertStringIncludes(stripAnsiCode(off[0]), "╭");
  assertFalse(off.join("").includes("48;5"));
  assertStringIncludes(renderLampView(viewAfter([RED]), "256", 0)[0], "\x1b[48;5;196m");
  assertStringIncludes(renderLampView(viewAfter([RED]), "16", 0)[0], "\x1b[41m");
  setColorEnabled(false);
  try {
    const plain = renderLampView(viewAfter([RED]), "none", 0).join("\n");
    assertFalse(plain.includes("\x1b"));
    assertStringIncludes(plain, "[ lamp: ON  #ff0000 ]");
  } finally {
    setColorEnabled(true);
  }
});

Deno.test("lamp view: retry countdown and attempt, then stopped", () => {
  const retrying = viewAfter([
    { event: "disconnected", address: ADDRESS, reason: "connection refused" },
    { event: "retry", address: ADDRESS, delay_ms: 2500, attempt: 3 },
  ], 1000);
  const text = stripAnsiCode(renderLampView(retrying, "truecolor", 1000).join("\n"));
  assertStringIncludes(text, "retrying in 3 s (attempt 3) — connection refused");
  const later = stripAnsiCode(renderLampView(retrying, "truecolor", 2600).join("\n"));
  assertStringIncludes(later, "retrying in 1 s");
  const stopped = reduceLampView(retrying, { event: "shutdown", address: ADDRESS }, 0);
  assertStringIncludes(stripAnsiCode(renderLampView(stopped, "none", 0).join("")), "■ stopped");
});

Deno.test("view model keeps the lamp across disconnects and counts ignored frames", () => {
  const view = viewAfter([
    RED,
    { event: "ignored", address: ADDRESS, reason: "unknown", type: 0x99, length: 2, hex: "41 42" },
    { event: "disconnected", address: ADDRESS, reason: "connection reset" },
  ]);
  assertEquals(view.lamp, { on: true, color: 0xff0000 });
  assertEquals(view.ignored, 1);
});

Deno.test("log lines: text with key=value, JSON with the stable fields", () => {
  const time = new Date("2026-11-25T12:00:00.000Z");
  assertEquals(
    formatLogLine(toLogRecord(RED), "info", "text", time),
    "2026-11-25T12:00:00.000Z info  command address=127.0.0.1:9999 command=COLOR value=#ff0000 on=true color=#ff0000",
  );
  assertEquals(
    formatLogLine(
      { event: "disconnected", address: ADDRESS, reason: "connection reset" },
      "warn",
      "text",
      time,
    ),
    '2026-11-25T12:00:00.000Z warn  disconnected address=127.0.0.1:9999 reason="connection reset"',
  );
  assertEquals(JSON.parse(formatLogLine(toLogRecord(RED), "info", "json", time)), {
    time: "2026-11-25T12:00:00.000Z",
    level: "info",
    event: "command",
    address: ADDRESS,
    command: "COLOR",
    value: "#ff0000",
    on: true,
    color: "#ff0000",
  });
  assertEquals(toLogRecord({ event: "connected", address: ADDRESS }), {
    event: "connected",
    address: ADDRESS,
  });
});

Deno.test("log writer batches one turn's lines into one write and filters by level", async () => {
  const writes: string[] = [];
  const out = {
    writeSync: (bytes: Uint8Array) => (writes.push(new TextDecoder().decode(bytes)), bytes.length),
  };
  const log = new LogWriter(out, { format: "text", level: "info", now: () => 0 });
  log.log({ event: "a" }, "info");
  log.log({ event: "b" }, "debug");
  log.log({ event: "c" }, "warn");
  assertEquals(writes, []);
  await Promise.resolve();
  assertEquals(writes, ["1970-01-01T00:00:00.000Z info  a\n1970-01-01T00:00:00.000Z warn  c\n"]);
});

Deno.test("terminal screen: a burst of updates draws at most twice, the last one included", async () => {
  let output = "";
  let now = 1000;
  const screen = new TerminalScreen(initialLampView(ADDRESS), {
    write: (text) => output += text,
    depth: "truecolor",
    now: () => now,
  });
  assert(output.startsWith("\x1b[?25l"));
  let view = initialLampView(ADDRESS);
  for (let i = 0; i < 1000; i++) {
    const color = i % 256;
    view = reduceLampView(view, { ...RED, args: color, state: { on: true, color } }, now);
    screen.update(view);
  }
  assertEquals(screen.draws, 1, "only the first draw so far: the burst is coalesced");
  now += 16;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(screen.draws, 2);
  assertStringIncludes(output, "\x1b[48;2;0;0;231m", "the final color (999 % 256 = 0xe7) is drawn");
  assertStringIncludes(output, "\x1b[6A\r", "redrawn in place: cursor moved up over the 6 lines");
  screen.stop();
  assert(output.endsWith("\x1b[0m\x1b[?25h"), "cursor shown and colors reset at the end");
});

Deno.test("fitToWidth cuts visible text, keeps escape sequences whole, resets style when cut", () => {
  assertEquals(fitToWidth("\x1b[1mflashlight\x1b[22m", 5), "\x1b[1mflash\x1b[0m");
  assertEquals(fitToWidth("\x1b[31mab\x1b[39m", 5), "\x1b[31mab\x1b[39m");
  assertEquals(fitToWidth("○ retrying — refused", 9), "○ retryin\x1b[0m");
  assertEquals(stripAnsiCode(fitToWidth(bgRgb24("          ", 0xff0000), 4)).length, 4);
});

Deno.test("terminal screen never writes a line wider than the terminal", () => {
  let output = "";
  const view = reduceLampView(initialLampView(ADDRESS), {
    event: "disconnected",
    address: ADDRESS,
    reason: "connect failed: connection refused ".repeat(5),
  }, 0);
  const screen = new TerminalScreen(
    reduceLampView(view, { event: "retry", address: ADDRESS, delay_ms: 4000, attempt: 4 }, 0),
    {
      write: (text) => output += text,
      depth: "truecolor",
      columns: () => 40,
    },
  );
  screen.stop();
  for (const line of output.split("\n")) {
    assert(stripAnsiCode(line).length <= 39, JSON.stringify(stripAnsiCode(line)));
  }
});
