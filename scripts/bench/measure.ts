/**
 * Small measuring helpers for the end-to-end benchmarks: process memory and CPU from /proc,
 * percentiles, and the result table.
 *
 * @module
 */

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
 * @returns Text such as `2.31x`.
 */
export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}

/**
 * Prints rows as a Markdown table.
 * @param rows The rows.
 */
export function printTable(rows: readonly Row[]): void {
  console.log("| measurement | result | baseline | ratio |");
  console.log("| --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.value} | ${row.baseline} | ${row.ratio} |`);
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
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
