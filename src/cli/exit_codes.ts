/**
 * The process exit codes, what each means and which command can end with it: the help texts and
 * the README's table are rendered from here.
 *
 * @module
 */

/** The commands, as exit codes and help texts name them. */
export type CommandName = "lamp" | "serve" | "send";

/** Every exit code flashlight uses. */
export const EXIT = {
  /** Done, or stopped cleanly by a signal. */
  ok: 0,
  /** An unexpected internal error (a bug: please report it). */
  internal: 1,
  /** Bad command line: unknown flag, bad value, bad address. */
  usage: 2,
  /**
   * The network said no, try again: the stand is unreachable or cannot take commands now (`send`,
   * a 503), or a port cannot be bound (`serve`).
   */
  unavailable: 3,
  /** `send`: the stand refused the command (an error answer other than 503). */
  rejected: 4,
  /** The output (log or terminal) could not be written: a closed pipe, a full disk. */
  output: 5,
  /** The lamp's `--timeout`: no command arrived for that long. */
  timeout: 6,
  /** A second Ctrl-C during shutdown. */
  interrupted: 130,
} as const;

/** Each code's meaning and the commands that can end with it, in code order. */
export const EXIT_CODES: readonly {
  readonly code: number;
  readonly meaning: string;
  readonly commands: readonly CommandName[];
}[] = [
  {
    code: EXIT.ok,
    meaning: "done, or stopped cleanly (Ctrl-C, SIGTERM, SIGHUP)",
    commands: ["lamp", "serve", "send"],
  },
  {
    code: EXIT.internal,
    meaning: "internal error (a bug: please report it)",
    commands: ["lamp", "serve", "send"],
  },
  {
    code: EXIT.usage,
    meaning: "bad command line: unknown flag, bad value, bad address",
    commands: ["lamp", "serve", "send"],
  },
  {
    code: EXIT.unavailable,
    meaning: "a port cannot be bound (taken, not an address of this machine, not allowed)",
    commands: ["serve"],
  },
  {
    code: EXIT.unavailable,
    meaning:
      "the stand is unreachable, is not a flashlight stand, or cannot take commands now (503): try again",
    commands: ["send"],
  },
  {
    code: EXIT.rejected,
    meaning: "the stand refused the command (bad token, bad value, a redirect: any error but 503)",
    commands: ["send"],
  },
  {
    code: EXIT.output,
    meaning: "the log or terminal output failed (closed pipe, full disk): restart the pipeline",
    commands: ["lamp", "serve"],
  },
  {
    code: EXIT.timeout,
    meaning: "-W/--timeout: no command arrived for that many seconds",
    commands: ["lamp"],
  },
  {
    code: EXIT.interrupted,
    meaning: "a second Ctrl-C during shutdown",
    commands: ["lamp", "serve"],
  },
];

/**
 * The "Exit codes" part of a command's help: only the codes that command can end with.
 *
 * @param command The command.
 * @returns The text, without a trailing newline.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { exitCodeHelp } from "./exit_codes.ts";
 * assertStringIncludes(exitCodeHelp("send"), "4    the stand refused the command");
 * ```
 */
export function exitCodeHelp(command: CommandName): string {
  const rows = EXIT_CODES.filter((row) => row.commands.includes(command));
  return ["Exit codes:", ...rows.map((row) => `  ${String(row.code).padEnd(5)}${row.meaning}`)]
    .join("\n");
}

/**
 * The README's exit code table: every code, its meaning and the commands it applies to.
 *
 * @returns The Markdown table, without a trailing newline.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { exitCodeTable } from "./exit_codes.ts";
 * assertStringIncludes(exitCodeTable(), "| 4 | `send` | the stand refused the command");
 * ```
 */
export function exitCodeTable(): string {
  const rows = EXIT_CODES.map((row) =>
    `| ${row.code} | ${row.commands.map((name) => `\`${name}\``).join(", ")} | ${row.meaning} |`
  );
  return ["| code | commands | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}
