/**
 * Small measuring helpers for the end-to-end benchmarks: process memory and CPU from /proc,
 * percentiles, formatting, bounded waits and the result tables.
 *
 * @module
 */
import type { ServeProcessOptions } from "../support/serve_process.ts";

/**
 * How every benchmark runs `flashlight serve`: room for 10,000 lamps (`ulimit -n`), a queue limit
 * a burst of commands cannot reach, and its log read in the background.
 * @param args More `serve` flags.
 * @returns The options for `startServeProcess`.
 */
export function benchStand(...args: string[]): ServeProcessOptions {
  return { openFiles: 20000, drain: true, args: ["--queue-limit=4194304", ...args] };
}

/** A result table: one per kind of figure, its rows possibly gathered from several parts. */
export interface Table {
  /** What it shows and how it was measured (printed as a heading). */
  readonly title: string;
  /** Column headers. */
  readonly columns: readonly string[];
  /** Rows of cells, one per column. */
  readonly rows: readonly (readonly string[])[];
}

/** One benchmark figure beside its baseline. */
export interface Row {
  /** What was measured. */
  readonly name: string;
  /** The figure, formatted. */
  readonly value: string;
  /** The baseline it is compared with, formatted ("" when none). */
  readonly baseline: string;
  /** The ratio to the baseline, formatted ("" when none). */
  readonly ratio: string;
}

/**
 * Reads a field of `/proc/<pid>/status` in kB (e.g. `VmRSS`, `VmHWM`).
 * @param pid The process.
 * @param field The field name.
 * @returns The value in bytes.
 */
export function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * CPU time (user + system) a process has used, in ms.
 * @param pid The process.
 * @returns Milliseconds of CPU.
 */
export function cpuMs(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks per second
}

/**
 * The p-th percentile (0–100) of some numbers.
 * @param values The samples.
 * @param p The percentile.
 * @returns The value.
 */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Formats bytes as MB with one decimal.
 * @param bytes The size.
 * @returns Text such as `34.5 MB`.
 */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Formats a ratio as `N.NNx`.
 * @param value The figure.
 * @param baseline The baseline.
 * @returns Text such as `2.31x` (two significant digits below 0.01: `0.0046x`).
 */
export function ratio(value: number, baseline: number): string {
  const r = value / baseline;
  return `${r !== 0 && Math.abs(r) < 0.01 ? r.toPrecision(2) : r.toFixed(2)}x`;
}

/**
 * The median of some numbers.
 * @param values The samples.
 * @returns The median (the lower middle one for an even count).
 */
export function median(values: readonly number[]): number {
  return percentile([...values], 50);
}

/**
 * Formats a rate with a metric prefix.
 * @param perSecond Events per second.
 * @returns Text such as `24.2 M/s` or `18.3 k/s`.
 */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "–";
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e8 ? 0 : 1)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/**
 * Table cells for figures measured beside one of them: each formatted, then its ratio to the
 * baseline in parentheses (none for the baseline itself, nor at all when `baseline` is -1).
 * @param values The figures.
 * @param format How to show one.
 * @param baseline The baseline's index in `values`, or -1.
 * @returns The cells.
 */
export function cellsBeside(
  values: readonly number[],
  format: (value: number) => string,
  baseline: number,
): string[] {
  return values.map((value, i) =>
    baseline === -1 || i === baseline
      ? format(value)
      : `${format(value)} (${ratio(value, values[baseline])})`
  );
}

/**
 * A table of figure-beside-baseline rows.
 * @param title The heading.
 * @param rows The rows.
 * @returns The table.
 */
export function rowTable(title: string, rows: readonly Row[]): Table {
  return {
    title,
    columns: ["measurement", "result", "baseline", "ratio"],
    rows: rows.map((row) => [row.name, row.value, row.baseline, row.ratio]),
  };
}

/**
 * Prints tables as Markdown under `###` headings; tables with the same title are printed as one,
 * their rows in order.
 * @param tables The tables.
 */
export function printTables(tables: readonly Table[]): void {
  const merged = new Map<string, Table>();
  for (const table of tables) {
    const before = merged.get(table.title);
    merged.set(table.title, before ? { ...before, rows: [...before.rows, ...table.rows] } : table);
  }
  for (const table of merged.values()) {
    console.log(`\n### ${table.title}\n`);
    console.log(`| ${table.columns.join(" | ")} |`);
    console.log(`| ${table.columns.map(() => "---").join(" | ")} |`);
    for (const row of table.rows) console.log(`| ${row.join(" | ")} |`);
  }
}

/**
 * Resolves after `ms` (only between benchmark phases, never in tests).
 * @param ms Milliseconds.
 * @returns A promise.
 */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Settles like `promise`, or rejects once `ms` have passed (the benchmarks never wait unbounded).
 * @param promise What to wait for.
 * @param ms The bound.
 * @param what What is awaited, for the error.
 * @returns The promise's value.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
