/**
 * `assertEquals` and `assertNotEquals`, as `@std/assert` defines them.
 *
 * @module
 */
import { AssertionError } from "./assertion_error.ts";
import { equal } from "./equal.ts";
import { format, notEqualMessage } from "./_diff_message.ts";

/**
 * Asserts that `actual` and `expected` are deeply equal ({@linkcode equal}); the error shows a
 * line diff of the two.
 *
 * @param actual The value produced.
 * @param expected The value wanted.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals({ a: [1, NaN], b: 0 }, { a: [1, NaN], b: -0 });
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) throw new AssertionError(notEqualMessage(actual, expected, msg));
}

/**
 * Asserts that `actual` and `expected` are not deeply equal.
 *
 * @param actual The value produced.
 * @param expected The value it must differ from.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * assertNotEquals(new Error("x"), new Error("x"));
 * ```
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) return;
  throw new AssertionError(
    `Expected actual: ${format(actual)} not to be: ${format(expected)}${msg ? `: ${msg}` : "."}`,
  );
}
