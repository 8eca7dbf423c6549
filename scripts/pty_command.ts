/**
 * Runs a command under a pseudo-terminal with util-linux `script`, whatever `$SHELL` is.
 *
 * @module
 */

/** Quotes one argument for a POSIX shell. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The arguments for `script` that run `command` under a fresh pseudo-terminal and exit with its
 * code. `script -c` goes through `$SHELL -c`; `exec` makes the command replace that shell, so a
 * Ctrl-C typed into the terminal reaches only the command (a non-interactive dash that stayed
 * in between would die of the SIGINT itself and `script` would report 130).
 *
 * @param command The program and its arguments.
 * @returns Arguments for the `script` program.
 * @example
 * ```ts
 * import { scriptArgs } from "./pty_command.ts";
 * new Deno.Command("script", { args: scriptArgs(["deno", "--version"]) });
 * ```
 */
export function scriptArgs(command: readonly string[]): string[] {
  return ["-qec", `exec ${command.map(shellQuote).join(" ")}`, "/dev/null"];
}
