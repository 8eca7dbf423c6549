/**
 * "Did you mean …?" for a mistyped name: the one known name within two edits. Pure.
 *
 * @module
 */

/** The most edits (insert, delete, replace, swap of neighbours) a typo is taken to have. */
const MAX_EDITS = 2;

/**
 * The known name closest to what was typed, when exactly one is within two edits (a swap of two
 * neighbouring letters is one) and the edits are fewer than the letters typed; otherwise
 * `undefined`, so an unsure guess is never offered. Case is ignored.
 *
 * @param typed What was typed (`lgo`).
 * @param names The known names (`log`, `quiet`, …).
 * @returns The suggestion, or `undefined`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { closestName } from "./closest_name.ts";
 * assertEquals(closestName("lgo", ["log", "quiet"]), "log");
 * assertEquals(closestName("bogus", ["log", "quiet"]), undefined);
 * ```
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase();
  let best: string | undefined;
  let bestEdits = Infinity;
  let tied = false;
  for (const name of names) {
    const edits = editDistance(wanted, name.toLowerCase());
    if (edits < bestEdits) [best, bestEdits, tied] = [name, edits, false];
    else if (edits === bestEdits && name !== best) tied = true;
  }
  return bestEdits <= MAX_EDITS && bestEdits < wanted.length && !tied ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, replacements, neighbour swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
