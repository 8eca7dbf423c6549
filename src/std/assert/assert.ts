/**
 * The simple assertions of `@std/assert`: truth, text, order.
 *
 * @module
 */
import { AssertionError } from "./assertion_error.ts";
import { format } from "./_diff_message.ts";

const suffix = (msg?: string) => msg ? `: ${msg}` : ".";

/**
 * Asserts that `expr` is truthy.
 *
 * @param expr The value to check.
 * @param msg The failure message.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg);
}

/** The values {@linkcode assertFalse} lets through. */
export type Falsy = false | 0 | 0n | "" | null | undefined;

/**
 * Asserts that `expr` is falsy.
 *
 * @param expr The value to check.
 * @param msg The failure message.
 * @example
 * ```ts
 * import { assertFalse } from "@std/assert";
 * assertFalse(0);
 * ```
 */
export function assertFalse(expr: unknown, msg = ""): asserts expr is Falsy {
  if (expr) throw new AssertionError(msg);
}

/**
 * Asserts that `actual` contains `expected`.
 *
 * @param actual The text to search.
 * @param expected The text it must contain.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * assertStringIncludes("flashlight", "light");
 * ```
 */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (actual.includes(expected)) return;
  throw new AssertionError(`Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`);
}

/**
 * Asserts that `actual` matches the regular expression.
 *
 * @param actual The text to test.
 * @param expected The pattern.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * assertMatch("abc", /b/);
 * ```
 */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`);
}

/**
 * Asserts `actual > expected`.
 *
 * @param actual The value produced.
 * @param expected The bound.
 * @param msg The failure message, instead of the values.
 * @example
 * ```ts
 * import { assertGreater } from "@std/assert";
 * assertGreater(2, 1);
 * ```
 */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (actual > expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} > ${format(expected)}`);
}

/**
 * Asserts `actual <= expected`.
 *
 * @param actual The value produced.
 * @param expected The bound.
 * @param msg The failure message, instead of the values.
 * @example
 * ```ts
 * import { assertLessOrEqual } from "@std/assert";
 * assertLessOrEqual(2, 2);
 * ```
 */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (actual <= expected) return;
  throw new AssertionError(msg ?? `Expect ${format(actual)} <= ${format(expected)}`);
}
