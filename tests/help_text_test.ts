/**
 * Every command's help fits the terminal it is printed on: the description column wraps to the
 * terminal's width (80 columns into a pipe), its continuation lines hang under the column.
 */
import { assert, assertEquals } from "@std/assert";
import { renderFlagHelp } from "../src/cli/flags.ts";
import { PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { LAMP_USAGE } from "../src/cli/lamp_args.ts";
import { SEND_USAGE } from "../src/cli/send_args.ts";
import { SERVE_FLAGS, SERVE_USAGE } from "../src/cli/serve_args.ts";
import { terminalEnv } from "../scripts/pty_command.ts";
import {
  REPO_ROOT,
  requireProgram,
  RUN_FLAGS,
  runFlashlight,
} from "../scripts/support/flashlight_process.ts";

const COMMANDS = [["--help"], ["serve", "--help"], ["send", "--help"]];

/** The lines wider than `width`, but for one that is a single word (a URL cannot wrap). */
function tooWide(text: string, width: number): string[] {
  return text.split("\n").map((line) => line.replace(/\r$/, "")).filter((line) =>
    line.length > width && /\S\s+\S/.test(line)
  );
}

Deno.test("wrapHelp hangs a long description under its column and keeps short lines", () => {
  const line =
    "  -q, --quiet          log errors only, and say once that the server is unreachable";
  assertEquals(
    wrapHelp(line, 50),
    [
      "  -q, --quiet          log errors only, and say",
      "                       once that the server is",
      "                       unreachable",
    ].join("\n"),
  );
  assertEquals(
    wrapHelp("Usage:\n  flashlight serve [flags]", 20),
    "Usage:\n  flashlight serve\n  [flags]",
  );
  assertEquals(wrapHelp("short", 10), "short");
  // A prose line hangs under its own indent; a word longer than the room stays whole.
  assertEquals(
    wrapHelp("  one two three four five six seven", 24),
    "  one two three four\n  five six seven",
  );
  assertEquals(
    wrapHelp("  averyveryveryveryverylongword x", 24),
    "  averyveryveryveryverylongword\n  x",
  );
  // A column too far right for a readable description: the description goes below it.
  assertEquals(
    wrapHelp("  --a-very-long-flag-name VALUE  what it does here", 40),
    "  --a-very-long-flag-name VALUE\n      what it does here",
  );
});

Deno.test("the flag help of serve fits 60 columns, every word kept in order", () => {
  const help = renderFlagHelp(SERVE_FLAGS);
  const wrapped = wrapHelp(help, 60);
  assertEquals(tooWide(wrapped, 60), []);
  assertEquals(wrapped.split(/\s+/).join(" "), help.split(/\s+/).join(" "));
});

Deno.test("every command's --help into a pipe fits 80 columns", async () => {
  for (const args of COMMANDS) {
    const { code, stdout } = await runFlashlight(args);
    assertEquals(code, 0, args.join(" "));
    assertEquals(tooWide(stdout, 80), [], args.join(" "));
  }
});

Deno.test("every command's --help on a 60-column terminal fits 60 columns", async () => {
  if (!requireProgram("script", "bsdutils")) return;
  for (const args of COMMANDS) {
    const command = [Deno.execPath(), ...RUN_FLAGS, "main.ts", ...args].map((arg) => `'${arg}'`);
    const { code, stdout } = await new Deno.Command("script", {
      args: ["-qec", `stty cols 60 rows 40; exec ${command.join(" ")}`, "/dev/null"],
      cwd: REPO_ROOT,
      clearEnv: true,
      env: terminalEnv({ TERM: "xterm-256color" }),
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assertEquals(code, 0, args.join(" "));
    assert(text.includes("Flags:"), text);
    assertEquals(tooWide(text, 60), [], args.join(" "));
  }
});

Deno.test("prose in every command's help fits 80 columns as written, so a pipe never breaks a sentence mid-line", () => {
  for (const usage of [LAMP_USAGE, SERVE_USAGE, SEND_USAGE]) {
    const prose = usage.split("\n").filter((line) => !/^\s*\S.*?\s{2,}\S/.test(line));
    assertEquals(tooWide(prose.join("\n"), PIPED_HELP_WIDTH), []);
  }
});
