/**
 * Local stand-in for `jsr:@std/assert` (JSR is unreachable here): the assertions flashlight's
 * tests use, with the real module's names, signatures, equality and messages.
 * `tests/std_compat_test.ts` holds them to the documented behaviour.
 *
 * @module
 */
export * from "./assert.ts";
export * from "./assertion_error.ts";
export * from "./equal.ts";
export * from "./equals.ts";
export * from "./throws.ts";
