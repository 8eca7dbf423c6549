/**
 * The process exit codes (documented in the README and `--help`).
 *
 * @module
 */

/** Every exit code flashlight uses. */
export const EXIT = {
  /** Done, or stopped cleanly by a signal. */
  ok: 0,
  /** An unexpected internal error (a bug: please report it). */
  internal: 1,
  /** Bad command line: unknown flag, bad value, bad address. */
  usage: 2,
  /** The network said no: the stand is unreachable (`send`) or a port is taken (`serve`). */
  unavailable: 3,
  /** `send`: the stand answered with an error. */
  rejected: 4,
  /** A second Ctrl-C during shutdown. */
  interrupted: 130,
} as const;
