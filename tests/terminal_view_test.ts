/**
 * The lamp's view in a real terminal (tmux): what the pane shows, scrollback included.
 */
import { assertEquals } from "@std/assert";
import { parseHex } from "../src/protocol/hex.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { TestServer } from "./support/test_server.ts";
import { Tmux } from "./support/tmux.ts";

Deno.test("in a terminal no log line is written into the view, so it is redrawn in place", async () => {
  if (!requireProgram("tmux", "tmux")) return;
  using server = new TestServer();
  await using tmux = new Tmux();
  await tmux.startLamp([`:${server.port}`]);
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00"));
  await tmux.waitFor((pane) => pane.includes("color #ff0000"));
  await conn.write(parseHex("12 00 00"));
  const pane = await tmux.waitFor((pane) => pane.includes("lamp ON #ff0000"));
  assertEquals(pane.includes("started"), false, `a log line in the view:\n${pane}`);
  assertEquals(pane.split("╭").length - 1, 0, `an outline left over above a lit lamp:\n${pane}`);
  conn.close();
});
