/**
 * `assertIsError`, `assertThrows` and `assertRejects`, as `@std/assert` defines them.
 *
 * @module
 */
import { AssertionError } from "./assertion_error.ts";

// deno-lint-ignore no-control-regex -- matching escape sequences is the point
const ANSI = /\x1b\[[0-9;]*m/g;

const suffix = (msg?: string) => msg ? `: ${msg}` : ".";

// deno-lint-ignore no-explicit-any -- any constructor arguments, as the real module types it
type ErrorClass<E extends Error> = new (...args: any[]) => E;

/**
 * Asserts that `error` is an `Error`, optionally an instance of `ErrorClass` whose message
 * includes `msgMatches` (or matches it, a `RegExp`); escape sequences are ignored in the message.
 *
 * @param error The value to check.
 * @param ErrorClass The class it must be an instance of.
 * @param msgMatches Text its message must include, or a pattern it must match.
 * @param msg Extra text for the failure message.
 * @example
 * ```ts
 * import { assertIsError } from "@std/assert";
 * assertIsError(new RangeError("Out of range"), RangeError, "range");
 * ```
 */
export function assertIsError<E extends Error = Error>(
  error: unknown,
  // deno-lint-ignore no-explicit-any -- as the real module types it
  ErrorClass?: abstract new (...args: any[]) => E,
  msgMatches?: string | RegExp,
  msg?: string,
): asserts error is E {
  if (!(error instanceof Error)) {
    throw new AssertionError(`Expected "error" to be an Error object${suffix(msg)}`);
  }
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${error.constructor?.name}"${
        suffix(msg)
      }`,
    );
  }
  const message = error.message.replace(ANSI, "");
  const matches = typeof msgMatches === "string"
    ? message.includes(msgMatches.replace(ANSI, ""))
    : msgMatches?.test(message);
  if (msgMatches && !matches) {
    throw new AssertionError(
      `Expected error message to include ${
        msgMatches instanceof RegExp ? msgMatches.toString() : JSON.stringify(msgMatches)
      }, but got ${JSON.stringify(error.message)}${suffix(msg)}`,
    );
  }
}

/** What `assertThrows` and `assertRejects` expect of the error. */
interface Expectation<E extends Error> {
  readonly ErrorClass?: ErrorClass<E>;
  readonly msgIncludes?: string;
  readonly msg?: string;
}

/** The class and message text of `assertThrows`' and `assertRejects`' second and third arguments. */
function expectation<E extends Error>(
  errorClassOrMsg: ErrorClass<E> | string | undefined,
  msgIncludesOrMsg: string | undefined,
  msg: string | undefined,
): Expectation<E> {
  if (typeof errorClassOrMsg === "string") return { msg: errorClassOrMsg };
  const isClass = errorClassOrMsg === undefined ||
    errorClassOrMsg.prototype instanceof Error || errorClassOrMsg.prototype === Error.prototype;
  return isClass
    ? { ErrorClass: errorClassOrMsg, msgIncludes: msgIncludesOrMsg, msg }
    : { msg: msgIncludesOrMsg };
}

/** The error caught, once it is what was expected (when a class was given). */
function checked<E extends Error>(error: unknown, expected: Expectation<E>, how: string): unknown {
  if (expected.ErrorClass) {
    if (!(error instanceof Error)) {
      throw new AssertionError(`A non-Error object was ${how}${suffix(expected.msg)}`);
    }
    assertIsError(error, expected.ErrorClass, expected.msgIncludes, expected.msg);
  }
  return error;
}

/**
 * Asserts that `fn` throws.
 *
 * @param fn The function expected to throw.
 * @param msg Extra text for the failure message.
 * @returns The thrown value.
 */
export function assertThrows(fn: () => unknown, msg?: string): unknown;
/**
 * Asserts that `fn` throws an instance of `ErrorClass`, whose message includes `msgIncludes`.
 *
 * @param fn The function expected to throw.
 * @param ErrorClass The expected error class.
 * @param msgIncludes Text the message must contain.
 * @param msg Extra text for the failure message.
 * @returns The thrown error.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * assertThrows(() => { throw new RangeError("too big"); }, RangeError, "big");
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any -- any constructor arguments, as the real module types it
  ErrorClass: new (...args: any[]) => E,
  msgIncludes?: string,
  msg?: string,
): E;
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any -- any constructor arguments
  errorClassOrMsg?: (new (...args: any[]) => E) | string,
  msgIncludesOrMsg?: string,
  msg?: string,
): E | unknown {
  const expected = expectation(errorClassOrMsg, msgIncludesOrMsg, msg);
  try {
    fn();
  } catch (error) {
    return checked(error, expected, "thrown");
  }
  throw new AssertionError(`Expected function to throw${suffix(expected.msg)}`);
}

/**
 * Asserts that the promise `fn` returns rejects.
 *
 * @param fn The function returning the promise.
 * @param msg Extra text for the failure message.
 * @returns The rejection reason.
 */
export function assertRejects(fn: () => PromiseLike<unknown>, msg?: string): Promise<unknown>;
/**
 * Asserts that the promise `fn` returns rejects with an instance of `ErrorClass`, whose message
 * includes `msgIncludes`; `fn` throwing instead of returning a promise fails.
 *
 * @param fn The function returning the promise.
 * @param ErrorClass The expected error class.
 * @param msgIncludes Text the message must contain.
 * @param msg Extra text for the failure message.
 * @returns The rejection reason.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * await assertRejects(() => Promise.reject(new TypeError("no")), TypeError);
 * ```
 */
export function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any -- any constructor arguments, as the real module types it
  ErrorClass: new (...args: any[]) => E,
  msgIncludes?: string,
  msg?: string,
): Promise<E>;
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any -- any constructor arguments
  errorClassOrMsg?: (new (...args: any[]) => E) | string,
  msgIncludesOrMsg?: string,
  msg?: string,
): Promise<E | unknown> {
  const expected = expectation(errorClassOrMsg, msgIncludesOrMsg, msg);
  let promise: PromiseLike<unknown>;
  try {
    promise = fn();
    if (typeof promise?.then !== "function") throw new TypeError("not a promise");
  } catch {
    throw new AssertionError(`Function throws when expected to reject${suffix(expected.msg)}`);
  }
  try {
    await promise;
  } catch (error) {
    return checked(error, expected, "rejected");
  }
  throw new AssertionError(`Expected function to reject${suffix(expected.msg)}`);
}
