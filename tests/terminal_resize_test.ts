/**
 * The lamp in a real terminal that is resized: tmux runs it, changes the window size, and the
 * pane (and its scrollback) must show one lamp that fits, never copies or wrapped lines.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parseHex } from "../src/protocol/hex.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { TestServer } from "./support/test_server.ts";
import { Tmux } from "./support/tmux.ts";

Deno.test("resizing the terminal redraws the lamp to fit; a short pane never fills the scrollback with copies", async () => {
  if (!requireProgram("tmux", "tmux")) return;
  using server = new TestServer();
  await using tmux = new Tmux();
  await tmux.startLamp([`:${server.port}`]);
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
  await tmux.waitFor((pane) => pane.includes("lamp ON #ff0000"));
  await tmux.run("resize-window", "-t", "lamp", "-x", "40", "-y", "20");
  const narrow = await tmux.waitFor((pane) =>
    pane.includes("● connected") && !pane.includes("127.0.0.1:" + server.port + "  ") &&
    pane.split("\n").every((line) => line.length <= 40)
  );
  for (const line of narrow.split("\n")) assert([...line].length <= 40, JSON.stringify(line));
  await tmux.run("resize-window", "-t", "lamp", "-x", "60", "-y", "4");
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
