/**
 * A process's memory as Linux reports it in `/proc/PID/status`.
 *
 * @module
 */

/** A process's memory, in MB. */
export interface ProcessMemory {
  /** Resident: the pages it has touched (`VmRSS`). */
  readonly resident: number;
  /**
   * Committed: its heap and private mappings, touched or not yet (`VmData`). An allocator may
   * hand out pages it has not written; they become resident once something writes them.
   */
  readonly committed: number;
}

/**
 * Reads a process's memory.
 * @param pid The process id (`Deno.pid` for this one).
 * @returns Its memory, in MB.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { processMemory } from "./process_memory.ts";
 * const memory = await processMemory(Deno.pid);
 * assert(memory.resident > 0 && memory.committed > 0);
 * ```
 */
export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) => {
    const found = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (found === null) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(found[1]) / 1024;
  };
  return { resident: field("VmRSS"), committed: field("VmData") };
}

/**
 * How much more one process holds than another, resident and committed, in MB.
 * @param of The process measured.
 * @param than The reference.
 * @returns The larger of the two differences.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { heldBeyond } from "./process_memory.ts";
 * assertEquals(heldBeyond({ resident: 60, committed: 600 }, { resident: 50, committed: 580 }), 20);
 * ```
 */
export function heldBeyond(of: ProcessMemory, than: ProcessMemory): number {
  return Math.max(of.resident - than.resident, of.committed - than.committed);
}
