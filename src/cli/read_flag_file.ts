/**
 * Reads a file a flag names (a certificate, a key, a token), turning a failure into a usage error
 * that names the flag and the file.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

/**
 * Reads a text file given on the command line.
 *
 * @param flag The flag, with dashes (`--ca`).
 * @param path The file.
 * @param command The command whose help explains the flag.
 * @returns The file's text.
 * @throws {UsageError} When it cannot be read.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { readFlagFile } from "./read_flag_file.ts";
 * await assertRejects(() => readFlagFile("--ca", "/no/such/file.pem", "lamp"), Error, "--ca: cannot read");
 * ```
 */
export async function readFlagFile(flag: string, path: string, command: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message.replace(/\s*\(os error \d+\)/, "");
    throw new UsageError(`${flag}: cannot read ${JSON.stringify(path)}: ${reason}`, command);
  }
}
