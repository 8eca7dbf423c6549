/**
 * A private tmux server for tests that need a real terminal: run commands in a pane, read the
 * pane (scrollback included) until it shows what is awaited.
 *
 * @module
 */
import { REPO_ROOT, RUN_FLAGS } from "../../scripts/support/flashlight_process.ts";

/** A private tmux server (its own socket name), killed by `await using`. */
export class Tmux implements AsyncDisposable {
  readonly socket = `flashlight-test-${crypto.randomUUID().slice(0, 8)}`;

  /**
   * Starts the lamp (`main.ts` with `args`) in a 100x20 pane named `lamp`, with a clean
   * environment and a 256-color, truecolor terminal.
   */
  async startLamp(args: readonly string[]): Promise<void> {
    const command = [Deno.execPath(), ...RUN_FLAGS, "main.ts", ...args].map((arg) => `'${arg}'`)
      .join(" ");
    await this.run(
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
  }

  async run(...args: string[]): Promise<string> {
    const { stdout, success, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
      cwd: REPO_ROOT,
    }).output();
    if (!success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(stderr)}`);
    return new TextDecoder().decode(stdout);
  }

  /**
   * Resizes the window and waits until the lamp's terminal has the new size (tmux resizes the
   * pane at once but may tell the terminal, and so the program, up to a quarter second later).
   */
  async resize(columns: number, rows: number): Promise<void> {
    await this.run("resize-window", "-t", "lamp", "-x", `${columns}`, "-y", `${rows}`);
    const tty = (await this.run("display-message", "-p", "-t", "lamp", "#{pane_tty}")).trim();
    for (let tries = 0; tries < 200; tries++) {
      const size = await new Deno.Command("stty", { args: ["-F", tty, "size"] }).output();
      if (new TextDecoder().decode(size.stdout).trim() === `${rows} ${columns}`) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the terminal ${tty} never became ${columns}x${rows}`);
  }

  /**
   * The pane's text, scrollback included unless `visible`; with `escapes`, its colors and styles
   * as SGR sequences (tmux writes one only where the style changes, so a style runs on across
   * rows) and trailing spaces kept.
   */
  capture({ visible = false, escapes = false } = {}): Promise<string> {
    return this.run(
      "capture-pane",
      "-p",
      ...(visible ? [] : ["-S", "-"]),
      ...(escapes ? ["-e", "-N"] : []),
      "-t",
      "lamp",
    );
  }

  /**
   * The pane (scrollback included; `capture` says how) until `match` shows up (tmux has no event
   * to await).
   */
  async waitFor(
    match: (pane: string) => boolean,
    capture: Parameters<Tmux["capture"]>[0] = {},
  ): Promise<string> {
    for (let tries = 0; tries < 200; tries++) {
      const pane = await this.capture(capture);
      if (match(pane)) return pane;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`pane never matched:\n${await this.capture(capture)}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("kill-server").catch(() => {});
  }
}
