/**
 * The process's open-file limit (`RLIMIT_NOFILE`), where the platform and the permissions let
 * us read it. Deno raises the soft limit to the hard one at start, so the soft value read here is
 * the effective one.
 *
 * @module
 */

/** The soft and hard open-file limits (`Infinity` for "unlimited"). */
export interface FdLimits {
  /** The limit in force. */
  readonly soft: number;
  /** The most the soft limit may be raised to. */
  readonly hard: number;
}

const PROC_LIMITS = "/proc/self/limits";

/**
 * Reads the `Max open files` line of a `/proc/<pid>/limits` text. Pure.
 *
 * @param text The file's contents.
 * @returns The limits, or `null` when the line is missing or malformed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseProcLimits } from "./fd_limits.ts";
 * const text = "Limit   Soft Limit   Hard Limit   Units\nMax open files   1024   4096   files\n";
 * assertEquals(parseProcLimits(text), { soft: 1024, hard: 4096 });
 * ```
 */
export function parseProcLimits(text: string): FdLimits | null {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s/m.exec(text);
  if (!match) return null;
  const value = (field: string) => field === "unlimited" ? Infinity : Number(field);
  return { soft: value(match[1]), hard: value(match[2]) };
}

/**
 * Reads the limits on Linux from `/proc/self/limits`; `null` elsewhere, and when reading is not
 * allowed. Deno 2.9 asks for `--allow-all` for any file under `/proc/self` (a narrow
 * `--allow-read=/proc/self/limits` is not enough), so under the stand's own permission set this
 * returns `null`; it never prompts.
 *
 * @returns The limits, or `null`.
 * @example
 * ```ts
 * import { readFdLimits } from "./fd_limits.ts";
 * const limits = readFdLimits();
 * console.log(limits === null ? "unknown" : `${limits.soft}/${limits.hard}`);
 * ```
 */
export function readFdLimits(): FdLimits | null {
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "read", path: PROC_LIMITS }).state !== "granted") {
      return null;
    }
    return parseProcLimits(Deno.readTextFileSync(PROC_LIMITS));
  } catch {
    return null; // NotCapable without --allow-all, or no /proc
  }
}
