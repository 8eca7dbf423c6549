/**
 * How many file descriptors the process has free, measured once at start: from the open-file
 * limit (`RLIMIT_NOFILE`) where it can be read, else by counting how many `/dev/null` opens
 * succeed. Deno 2.9 lets only `--allow-all` read anything under `/proc` (a narrow
 * `--allow-read=/proc/self/limits` is refused), while `/dev/null` needs no more than the
 * shipped `read` permission; so the shipped binary counts, and tests run with `-A` read the limit.
 *
 * @module
 */

/** What was found, and how. */
export interface FreeDescriptors {
  /** Descriptors free now; when counted, at most the number asked about. `Infinity`: unknown. */
  readonly free: number;
  /**
   * - `limit`: the soft limit read from `/proc/self/limits`, less the descriptors open;
   * - `count`: `/dev/null` opened until the limit or the number asked about was reached;
   * - `default`: neither is allowed or possible here (the defaults apply).
   */
  readonly source: "limit" | "count" | "default";
  /** The soft open-file limit, when read (`Infinity`: unlimited). */
  readonly limit?: number;
}

const PROC_LIMITS = "/proc/self/limits";

/**
 * Reads the soft limit from the `Max open files` line of a `/proc/<pid>/limits` text. Pure.
 *
 * @param text The file's contents.
 * @returns The soft limit (`Infinity`: unlimited), or `null` when the line is missing or
 *   malformed.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseProcLimits } from "./free_descriptors.ts";
 * const text = "Limit   Soft Limit   Hard Limit   Units\nMax open files   1024   4096   files\n";
 * assertEquals(parseProcLimits(text), 1024);
 * ```
 */
export function parseProcLimits(text: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s+(?:\d+|unlimited)\s/m.exec(text);
  if (!match) return null;
  return match[1] === "unlimited" ? Infinity : Number(match[1]);
}

/**
 * Measures the descriptors free now: the limit less those open where `/proc` can be read, else
 * a count of `/dev/null` opens (all closed again) up to `wanted`, else nothing. Never prompts.
 *
 * @param wanted The most the caller needs to know about: counting stops there.
 * @returns What was found.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { freeDescriptors } from "./free_descriptors.ts";
 * const found = freeDescriptors(64);
 * assert(found.free >= 0);
 * ```
 */
export function freeDescriptors(wanted: number): FreeDescriptors {
  return fromLimit() ?? fromCount(wanted) ?? { free: Infinity, source: "default" };
}

/** The soft limit less the descriptors open, on Linux with `--allow-all`; `null` otherwise. */
function fromLimit(): FreeDescriptors | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const limit = parseProcLimits(Deno.readTextFileSync(PROC_LIMITS));
    if (limit === null) return null;
    let open = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) open++;
    return { free: Math.max(0, limit - open), source: "limit", limit };
  } catch {
    return null; // NotCapable without --allow-all, or no /proc
  }
}

/** How many `/dev/null` opens succeed, up to `wanted`; `null` when it cannot be opened at all. */
function fromCount(wanted: number): FreeDescriptors | null {
  if (Deno.permissions.querySync({ name: "read", path: "/dev/null" }).state !== "granted") {
    return null;
  }
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < wanted) files.push(Deno.openSync("/dev/null"));
    return { free: files.length, source: "count" };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "EMFILE" || code === "ENFILE" ? { free: files.length, source: "count" } : null;
  } finally {
    for (const file of files) file.close();
  }
}
