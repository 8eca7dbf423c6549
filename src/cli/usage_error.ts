/**
 * The error for a bad command line; `src/cli/main.ts` prints it with a pointer to the right help
 * and exits 2.
 *
 * @module
 */

/** A bad flag, value or address on the command line or in the environment. */
export class UsageError extends Error {
  /** The command whose help to point at (`lamp`, `serve`, `send`). */
  readonly command: string;

  /**
   * A bad command line.
   * @param message What was wrong, with the offending value.
   * @param command The command whose help explains it.
   * @param options The cause: the error the bad value raised, when there was one.
   */
  constructor(message: string, command = "lamp", options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
    this.command = command;
  }
}
