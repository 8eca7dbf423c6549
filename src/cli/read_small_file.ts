/**
 * Reading a small text file named on the command line (a token, a CA certificate) without
 * trusting its size: `/dev/zero` or a huge file is refused at a bound, not read until memory
 * runs out.
 *
 * @module
 */

/**
 * Reads a UTF-8 text file of at most `maxBytes` bytes.
 *
 * @param path The file.
 * @param maxBytes The most bytes it may hold.
 * @returns Its text.
 * @throws {RangeError} When it holds more than `maxBytes` bytes (naming the bound).
 * @throws {Deno.errors.NotFound} And the other errors of opening and reading it.
 * @example
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { readSmallTextFile } from "./read_small_file.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "token\n");
 * assertEquals(await readSmallTextFile(path, 64), "token\n");
 * await assertRejects(() => readSmallTextFile(path, 3), RangeError, "over 3 bytes");
 * await Deno.remove(path);
 * ```
 */
export async function readSmallTextFile(path: string, maxBytes: number): Promise<string> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(maxBytes + 1);
  let filled = 0;
  while (filled < buffer.length) {
    const count = await file.read(buffer.subarray(filled));
    if (count === null) break;
    filled += count;
  }
  if (filled > maxBytes) throw new RangeError(`the file is over ${maxBytes} bytes`);
  return new TextDecoder().decode(buffer.subarray(0, filled));
}
