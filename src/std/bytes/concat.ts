/**
 * Local stand-in for `jsr:@std/bytes/concat` (JSR is unreachable here): the same function, the
 * same result.
 *
 * @module
 */

/**
 * Concatenates byte slices into one new slice (the inputs are not changed).
 *
 * @param buffers The slices, in order.
 * @returns A new slice holding all of them.
 * @example
 * ```ts
 * import { concat } from "@std/bytes/concat";
 * import { assertEquals } from "@std/assert";
 * const a = new Uint8Array([0, 1, 2]);
 * const b = new Uint8Array([3, 4, 5]);
 * assertEquals(concat([a, b]), new Uint8Array([0, 1, 2, 3, 4, 5]));
 * ```
 */
export function concat(buffers: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const buffer of buffers) length += buffer.length;
  const output = new Uint8Array(length);
  let index = 0;
  for (const buffer of buffers) {
    output.set(buffer, index);
    index += buffer.length;
  }
  return output;
}
