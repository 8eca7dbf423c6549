/**
 * The error for a bad command line; `main.ts` prints it with a usage hint and exits 2.
 *
 * @module
 */

/** A bad flag, value or address on the command line or in the environment. */
export class UsageError extends Error {
  /** @param message What was wrong, with the offending value. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
