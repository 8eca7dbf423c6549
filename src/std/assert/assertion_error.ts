/**
 * The error every assertion throws, as `@std/assert` defines it.
 *
 * @module
 */

/**
 * Thrown when an assertion fails.
 *
 * @example
 * ```ts
 * import { AssertionError, assertEquals } from "@std/assert";
 * const cause = new Error("why");
 * const error = new AssertionError("failed", { cause });
 * assertEquals([error.name, error.message, error.cause], ["AssertionError", "failed", cause]);
 * ```
 */
export class AssertionError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options The error's `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AssertionError";
  }
}
