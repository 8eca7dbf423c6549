/**
 * A temporary directory removed (with its contents) when the test's `await using` scope ends.
 *
 * @module
 */

/** A temporary directory that removes itself. */
export interface TempDir extends AsyncDisposable {
  /** Its absolute path. */
  readonly path: string;
}

/**
 * Creates a temporary directory for `await using`.
 * @param prefix The directory name's prefix.
 * @returns The directory; leaving the scope removes it.
 */
export async function tempDir(prefix = "flashlight-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/**
 * Writes an executable shell script.
 * @param path Where.
 * @param body The script after `#!/bin/sh`.
 */
export async function writeScript(path: string, body: string): Promise<void> {
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}
