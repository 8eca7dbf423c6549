/**
 * The lamp in a real terminal that is resized: tmux runs it, changes the window size, and the
 * pane (and its scrollback) must show one lamp that fits, never copies, wrapped lines or stale
 * rows of an earlier frame.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parseHex } from "../src/protocol/hex.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { TestServer } from "./support/test_server.ts";
import { Tmux } from "./support/tmux.ts";

/** Starts a lamp in `tmux` connected to `server`, turned on in red; returns its connection. */
async function redLampIn(tmux: Tmux, server: TestServer) {
  await tmux.startLamp([`:${server.port}`]);
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
  await tmux.waitFor((pane) => pane.includes("lamp ON #ff0000"));
  return conn;
}

Deno.test("resizing the terminal redraws the lamp to fit; a short pane never fills the scrollback with copies", async () => {
  if (!requireProgram("tmux", "tmux")) return;
  using server = new TestServer();
  await using tmux = new Tmux();
  const conn = await redLampIn(tmux, server);
  await tmux.resize(40, 20);
  const narrow = await tmux.waitFor((pane) =>
    pane.includes("● connected") && !pane.includes("127.0.0.1:" + server.port + "  ") &&
    pane.split("\n").every((line) => line.length <= 40)
  );
  for (const line of narrow.split("\n")) assert([...line].length <= 40, JSON.stringify(line));
  await tmux.resize(60, 4);
  const short = await tmux.waitFor((pane) =>
    pane.trimEnd().split("\n").length <= 20 && pane.includes("lamp ON")
  );
  // Many redraws happen in a 4-row pane: the lamp must be drawn once, not once per redraw.
  for (let i = 0; i < 20; i++) {
    await conn.write(parseHex(`20 00 03 00 ${i.toString(16).padStart(2, "0")} 00`));
  }
  const after = await tmux.waitFor((pane) => pane.includes("lamp ON #001300"));
  assertEquals(
    after.split("lamp ON").length - 1,
    1,
    `one lamp line in pane and scrollback:\n${after}`,
  );
  assertStringIncludes(short, "connected");
  conn.close();
});

// deno-lint-ignore no-control-regex -- reading the terminal's escape sequences is the point
const SGR = /\x1b\[([0-9;]*)m/g;

/** One row of a `capture-pane -e -N` text: its visible text and the background painted on it. */
interface Row {
  readonly text: string;
  /** The SGR codes of the background on the row's cells (`""`: none). */
  readonly background: string;
}

/** The rows of a capture, where a background set on one row runs on until it is reset. */
function rows(capture: string): Row[] {
  let background = "";
  return capture.replace(/\n$/, "").split("\n").map((row) => {
    let painted = "";
    let at = 0;
    for (const sgr of row.matchAll(SGR)) {
      if (background && row.slice(at, sgr.index).length > 0) painted = background;
      const codes = sgr[1] === "" ? ["0"] : sgr[1].split(";");
      for (let c = 0; c < codes.length; c++) {
        const code = Number(codes[c]);
        if (code === 0 || code === 49) background = "";
        else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) background = codes[c];
        else if (code === 48) {
          background = codes.slice(c, c += codes[c + 1] === "2" ? 5 : 3).join(";");
        } else if (code === 38) c += codes[c + 1] === "2" ? 4 : 2; // a foreground color's codes
      }
      at = sgr.index + sgr[0].length;
    }
    if (background && row.length > at) painted = background;
    return { text: row.replace(SGR, ""), background: painted };
  });
}

/** The background SGR codes of a lamp color as the lamp paints it (24-bit). */
function backgroundOf(hex: string): string {
  const [r, g, b] = [0, 2, 4].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `48;2;${r};${g};${b}`;
}

/**
 * Whether the visible pane shows the lamp drawn at `rows` rows in `hex`: its block rows (as many
 * as fit above the two text lines and the cursor's row), all in that color, and its lamp line.
 */
function drawnAt(capture: string, paneRows: number, hex: string): boolean {
  const shown = rows(capture);
  const painted = shown.filter((row) => row.background !== "");
  return painted.length === Math.max(0, Math.min(4, paneRows - 3)) &&
    painted.every((row) => row.background === backgroundOf(hex)) &&
    shown.some((row) => row.text.includes(`lamp ON #${hex}`));
}

/** Window sizes in turn, from the 100x20 the lamp starts in: the last one fits the whole lamp. */
const RESIZES: readonly (readonly [columns: number, rows: number][])[] = [
  [[100, 5], [100, 20]], // shorter, then back: the old block's top rows come back above the new
  [[20, 5], [300, 40]],
  [[60, 4], [100, 20]],
  [[100, 3], [100, 40]], // the whole block goes into the scrollback
  [[16, 8], [100, 20]], // the status lines wrap in the narrow window
  [[40, 20], [100, 20]],
  [[20, 5], [20, 3], [100, 4], [300, 40]],
];

/** The pane's height after the last resize. */
function paneRowsAtEnd(sizes: readonly (readonly [number, number])[]): number {
  return sizes.at(-1)![1];
}

for (const sizes of RESIZES) {
  const named = sizes.map(([columns, rows]) => `${columns}x${rows}`).join(" → ");
  Deno.test(`resized 100x20 → ${named}, the terminal shows one lamp, no stale rows above it or in the scrollback`, async () => {
    if (!requireProgram("tmux", "tmux")) return;
    using server = new TestServer();
    await using tmux = new Tmux();
    const conn = await redLampIn(tmux, server);
    let hex = "ff0000";
    for (const [step, [columns, paneRows]] of sizes.entries()) {
      await tmux.resize(columns, paneRows);
      // A new color after the resize: once the pane shows it, the lamp has drawn at this size.
      hex = `ff00${(step + 1).toString(16).padStart(2, "0")}`;
      await conn.write(parseHex(`20 00 03 ${hex}`));
      await tmux.waitFor((pane) => drawnAt(pane, paneRows, hex), { visible: true, escapes: true });
    }
    // The pane: the block once, in the lamp's color, right above the one status line.
    const all = rows(await tmux.capture({ escapes: true }));
    const report = all.map((row) => `${row.background.padEnd(14)}|${row.text.trimEnd()}`)
      .join("\n");
    const pane = all.slice(-paneRowsAtEnd(sizes));
    const painted = pane.flatMap((row, index) => row.background ? [index] : []);
    const status = pane.findIndex((row) => row.text.includes("● connected"));
    assertEquals(painted, [status - 4, status - 3, status - 2, status - 1], report);
    assertEquals(pane.filter((row) => row.text.includes("lamp ON")).length, 1, report);
    // The scrollback: no copy of any line a redraw made. What it may hold: block rows of the
    // first color that the first resize pushed out before the lamp could redraw (tmux keeps rows
    // that a narrower width pushed out there, even when the window grows again).
    const scrollback = all.slice(0, -paneRowsAtEnd(sizes));
    for (const row of scrollback) {
      assert(row.text.trim() === "", `a line of the lamp in the scrollback:\n${report}`);
      assert(
        row.background === "" || row.background === backgroundOf("ff0000"),
        `a row a redraw made is in the scrollback:\n${report}`,
      );
    }
    assert(scrollback.filter((row) => row.background).length <= 4, report);
    conn.close();
  });
}
