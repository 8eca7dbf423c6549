/**
 * The permission flags every way of running flashlight uses: `deno.json`'s permission set
 * (`-P`, the one place that lists what the program may touch) and no prompting, so a missing
 * permission is an error, exactly as in the compiled binary.
 *
 * @module
 */

/** `-P` loads `deno.json`'s `permissions.default`; `--no-prompt` turns a gap into an error. */
export const PERMISSION_FLAGS: readonly string[] = ["-P", "--no-prompt"];
