/**
 * Local stand-in for `jsr:@std/assert` (JSR is unreachable here).
 *
 * The assertions flashlight's tests use, with the real module's names, argument order and
 * `AssertionError`; deep equality is delegated to `node:assert/strict`.
 *
 * @module
 */
import { deepStrictEqual } from "node:assert/strict";

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  /**
   * @param message What failed.
   */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function suffix(msg?: string): string {
  return msg ? `: ${msg}` : "";
}

function show(value: unknown): string {
  return Deno.inspect(value, { depth: 6, iterableLimit: 50, strAbbreviateSize: 400 });
}

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asserts that `expr` is truthy.
 * @param expr The value to check.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg || "Expected expression to be true");
}

/**
 * Asserts that `expr` is falsy.
 * @param expr The value to check.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertFalse } from "@std/assert";
 * assertFalse(0);
 * ```
 */
export function assertFalse(expr: unknown, msg = ""): void {
  if (expr) throw new AssertionError(msg || "Expected expression to be false");
}

/**
 * Asserts deep equality of `actual` and `expected`.
 * @param actual The value produced.
 * @param expected The value wanted.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals({ a: [1] }, { a: [1] });
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(
      `Values are not equal${suffix(msg)}\n    actual: ${show(actual)}\n  expected: ${
        show(expected)
      }`,
    );
  }
}

/**
 * Asserts that `actual` and `expected` are not deeply equal.
 * @param actual The value produced.
 * @param expected The value it must differ from.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * assertNotEquals(1, 2);
 * ```
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (deepEqual(actual, expected)) {
    throw new AssertionError(
      `Expected actual: ${show(actual)} not to be: ${show(expected)}${suffix(msg)}`,
    );
  }
}

/**
 * Asserts that `actual` contains `expected`.
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
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`,
    );
  }
}

/**
 * Asserts that `actual` matches the regular expression.
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
  if (!expected.test(actual)) {
    throw new AssertionError(`Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`);
  }
}

/**
 * Asserts `actual > expected`.
 * @param actual The value produced.
 * @param expected The bound.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertGreater } from "@std/assert";
 * assertGreater(2, 1);
 * ```
 */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual > expected)) {
    throw new AssertionError(msg ?? `Expect ${show(actual)} > ${show(expected)}`);
  }
}

/**
 * Asserts `actual <= expected`.
 * @param actual The value produced.
 * @param expected The bound.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertLessOrEqual } from "@std/assert";
 * assertLessOrEqual(2, 2);
 * ```
 */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (!(actual <= expected)) {
    throw new AssertionError(msg ?? `Expect ${show(actual)} <= ${show(expected)}`);
  }
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

function checkError<E extends Error>(
  error: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  const suffix = msg ? `: ${msg}` : ".";
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${show(error)}"${suffix}`,
    );
  }
  if (
    msgIncludes !== undefined && !(error instanceof Error && error.message.includes(msgIncludes))
  ) {
    throw new AssertionError(
      `Expected error message to include "${msgIncludes}", but got "${
        (error as Error)?.message
      }"${suffix}`,
    );
  }
  return error as E;
}

/**
 * Asserts that `fn` throws, optionally an instance of `ErrorClass` whose message includes text.
 * @param fn The function expected to throw.
 * @param ErrorClass The expected error class.
 * @param msgIncludes Text the message must contain.
 * @param msg The message to show on failure.
 * @returns The thrown error.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * assertThrows(() => { throw new RangeError("too big"); }, RangeError, "big");
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(`Expected function to throw${msg ? `: ${msg}` : "."}`);
}

/**
 * Asserts that the promise returned by `fn` rejects, optionally with an `ErrorClass` instance.
 * @param fn The function returning a promise expected to reject.
 * @param ErrorClass The expected error class.
 * @param msgIncludes Text the message must contain.
 * @param msg The message to show on failure.
 * @returns The rejection reason.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(() => Promise.reject(new TypeError("no")), TypeError);
 * ```
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(`Expected function to reject${msg ? `: ${msg}` : "."}`);
}
