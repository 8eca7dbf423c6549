/**
 * How many lamp workers the open-file limit leaves room for. Each worker takes descriptors of its
 * own (its listener, event loop and stdio), and Deno panics, ending the process, when it runs out
 * of them while creating one; so the stand counts the descriptors free before it starts them
 * (the limit itself is unreadable under the stand's permissions) and starts only as many as fit.
 *
 * @module
 */

/** Descriptors one lamp worker takes (measured: 7 on Linux with Deno 2.9). */
const DESCRIPTORS_PER_WORKER = 8;

/** The workers may take at most this share of the free descriptors; the rest is for connections. */
const WORKER_SHARE = 4;

/**
 * The number of lamp workers to start.
 *
 * @param requested The workers asked for (`--workers`).
 * @param countFree Counts the descriptors free, up to the number it is given (by default by
 *   opening `/dev/null`; see {@linkcode countFreeDescriptors}).
 * @returns `requested`, or fewer so that the workers take at most a quarter of the free
 *   descriptors; 1 (no workers: the main thread serves the lamps) when not even two fit.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { workersThatFit } from "./workers_that_fit.ts";
 * assertEquals(workersThatFit(2, () => 1000), 2);
 * assertEquals(workersThatFit(64, () => 230), 7);
 * assertEquals(workersThatFit(64, () => 40), 1);
 * assertEquals(workersThatFit(1), 1); // nothing to count
 * ```
 */
export function workersThatFit(
  requested: number,
  countFree: (wanted: number) => number = countFreeDescriptors,
): number {
  if (requested <= 1) return 1;
  const fit = Math.floor(
    countFree(WORKER_SHARE * DESCRIPTORS_PER_WORKER * requested) /
      (WORKER_SHARE * DESCRIPTORS_PER_WORKER),
  );
  return fit >= requested ? requested : fit >= 2 ? fit : 1;
}

/**
 * Counts free descriptors by opening `/dev/null` until `wanted` are open or the limit is reached,
 * then closing them all again.
 *
 * @param wanted Stop counting here (the most the caller needs to know).
 * @returns How many could be opened (`wanted` when there are at least that many), or `wanted`
 *   when `/dev/null` cannot be read (no permission, no such file): nothing is known then.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { countFreeDescriptors } from "./workers_that_fit.ts";
 * assertEquals(countFreeDescriptors(16), 16);
 * ```
 */
export function countFreeDescriptors(wanted: number): number {
  if (Deno.permissions.querySync({ name: "read", path: "/dev/null" }).state !== "granted") {
    return wanted;
  }
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < wanted) files.push(Deno.openSync("/dev/null"));
    return wanted;
  } catch (error) {
    return (error as { code?: string }).code === "EMFILE" ? files.length : wanted;
  } finally {
    for (const file of files) file.close();
  }
}
