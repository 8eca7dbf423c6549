/**
 * The message of a failed `assertEquals`: both values formatted as `@std/assert` formats them and
 * compared line by line, removed lines (actual) marked `-`, added lines (expected) `+`.
 *
 * @module
 */

/** Above this many cells of the comparison table, the differing middle is shown whole. */
const MAX_TABLE_CELLS = 4_000_000;

/**
 * A value as `@std/assert` shows it: `Deno.inspect`, fully expanded, keys sorted.
 *
 * @param value Any value.
 * @returns Its text, one property per line.
 */
export function format(value: unknown): string {
  return Deno.inspect(value, {
    depth: Infinity,
    sorted: true,
    trailingComma: true,
    compact: false,
    iterableLimit: Infinity,
    getters: true,
    strAbbreviateSize: Infinity,
  });
}

type Line = readonly ["common" | "removed" | "added", string];

/**
 * The lines of `a` and `b` as a diff: a longest common subsequence kept, the rest removed from `a`
 * or added from `b` (removals first within a change).
 */
function diffLines(a: readonly string[], b: readonly string[]): Line[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (
    end < a.length - start && end < b.length - start &&
    a[a.length - 1 - end] === b[b.length - 1 - end]
  ) end++;
  const head = a.slice(0, start).map((line): Line => ["common", line]);
  const tail = a.slice(a.length - end).map((line): Line => ["common", line]);
  const x = a.slice(start, a.length - end);
  const y = b.slice(start, b.length - end);
  return [...head, ...diffMiddle(x, y), ...tail];
}

function diffMiddle(x: readonly string[], y: readonly string[]): Line[] {
  const removed = x.map((line): Line => ["removed", line]);
  const added = y.map((line): Line => ["added", line]);
  if ((x.length + 1) * (y.length + 1) > MAX_TABLE_CELLS) return [...removed, ...added];
  // common[i][j]: the longest common subsequence of x[i..] and y[j..].
  const width = y.length + 1;
  const common = new Uint32Array((x.length + 1) * width);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      common[i * width + j] = x[i] === y[j]
        ? common[(i + 1) * width + j + 1] + 1
        : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const lines: Line[] = [];
  let [i, j] = [0, 0];
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      lines.push(["common", x[i]]);
      i++, j++;
    } else if (
      j === y.length || (i < x.length && common[(i + 1) * width + j] >= common[i * width + j + 1])
    ) {
      lines.push(removed[i++]);
    } else lines.push(added[j++]);
  }
  return lines;
}

const SIGNS = { common: "    ", removed: "-   ", added: "+   " } as const;

/**
 * `Values are not equal.` (or `: msg`), then the diff of the two values under
 * `[Diff] Actual / Expected`.
 *
 * @param actual The value produced.
 * @param expected The value wanted.
 * @param msg Extra text for the first line.
 * @returns The message.
 */
export function notEqualMessage(actual: unknown, expected: unknown, msg?: string): string {
  const strings = typeof actual === "string" && typeof expected === "string";
  const [a, b] = strings ? [actual, expected] : [format(actual), format(expected)];
  const diff = diffLines(a.split("\n"), b.split("\n"))
    .map(([kind, line]) => SIGNS[kind] + line);
  return [
    `Values are not equal${msg ? `: ${msg}` : "."}`,
    "",
    "",
    "    [Diff] Actual / Expected",
    "",
    "",
    ...diff,
    "",
  ].join("\n");
}
