/**
 * The lamp in a real terminal that is resized: tmux runs it, changes the window size, and the
 * pane (and its scrollback) must show one lamp that fits, never copies or wrapped lines.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parseHex } from "../src/protocol/hex.ts";
import { REPO_ROOT, requireProgram, RUN_FLAGS } from "./support/flashlight_process.ts";
import { TestServer } from "./support/test_server.ts";

/** A private tmux server (its own socket name), killed by `await using`. */
class Tmux implements AsyncDisposable {
  readonly socket = `flashlight-test-${crypto.randomUUID().slice(0, 8)}`;

  async run(...args: string[]): Promise<string> {
    const { stdout, success, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
      cwd: REPO_ROOT,
    }).output();
    if (!success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(stderr)}`);
    return new TextDecoder().decode(stdout);
  }

  /** The pane's text, scrollback included, until `match` shows up (tmux has no event to await). */
  async waitFor(match: (pane: string) => boolean): Promise<string> {
    for (let tries = 0; tries < 200; tries++) {
      const pane = await this.run("capture-pane", "-p", "-S", "-", "-t", "lamp");
      if (match(pane)) return pane;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(
      `pane never matched:\n${await this.run("capture-pane", "-p", "-S", "-", "-t", "lamp")}`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("kill-server").catch(() => {});
  }
}

Deno.test("#11.6: resizing the terminal redraws the lamp to fit; a short pane never fills the scrollback with copies", async () => {
  if (!requireProgram("tmux", "tmux")) return;
  using server = new TestServer();
  await using tmux = new Tmux();
  const command = [Deno.execPath(), ...RUN_FLAGS, "main.ts", `:${server.port}`].map((arg) =>
    `'${arg}'`
  ).join(" ");
  await tmux.run(
    "new-session",
    "-d",
    "-s",
    "lamp",
    "-x",
    "100",
    "-y",
    "20",
    "env",
    "-i",
    `PATH=${Deno.env.get("PATH")}`,
    `HOME=${Deno.env.get("HOME")}`,
    "TERM=xterm-256color",
    "COLORTERM=truecolor",
    "sh",
    "-c",
    `exec ${command}`,
  );
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
