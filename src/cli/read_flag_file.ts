/**
 * Reads a file a flag names (a certificate, a key, a token), turning a failure into a usage error
 * that names the flag and the file.
 *
 * @module
 */
import { readSmallTextFile } from "./read_small_file.ts";
import { UsageError } from "./usage_error.ts";

/** The default bound: a certificate bundle of a few hundred certificates fits. */
const MAX_FLAG_FILE_BYTES = 1 << 20;

/**
 * Reads a text file given on the command line.
 *
 * @param flag The flag, with dashes (`--ca`).
 * @param path The file.
 * @param command The command whose help explains the flag.
 * @param maxBytes The most bytes it may hold (`/dev/zero` is refused, not read forever).
 * @returns The file's text.
 * @throws {UsageError} When it cannot be read or is too big.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { readFlagFile } from "./read_flag_file.ts";
 * await assertRejects(() => readFlagFile("--ca", "/no/such/file.pem", "lamp"), Error, "--ca: cannot read");
 * ```
 */
export async function readFlagFile(
  flag: string,
  path: string,
  command: string,
  maxBytes: number = MAX_FLAG_FILE_BYTES,
): Promise<string> {
  try {
    return await readSmallTextFile(path, maxBytes);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message.replace(/\s*\(os error \d+\)/, "");
    throw new UsageError(`${flag}: cannot read ${JSON.stringify(path)}: ${reason}`, command, {
      cause: error,
    });
  }
}
