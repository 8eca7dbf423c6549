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

/**
 * The whole environment for a program under the pseudo-terminal (pass it with `clearEnv: true`):
 * `PATH`, `HOME` and `DENO_DIR` from ours plus `extra`, so an inherited `NO_COLOR`, `FORCE_COLOR`
 * or `TERM` cannot change what the program draws.
 *
 * @param extra The variables the run is about, e.g. `{ COLORTERM: "truecolor" }`.
 * @returns The environment.
 * @example
 * ```ts
 * import { scriptArgs, terminalEnv } from "./pty_command.ts";
 * new Deno.Command("script", {
 *   args: scriptArgs(["deno", "--version"]),
 *   clearEnv: true,
 *   env: terminalEnv({ TERM: "xterm-256color" }),
 * });
 * ```
 */
export function terminalEnv(extra: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) kept[name] = value;
  }
  return { ...kept, ...extra };
}
