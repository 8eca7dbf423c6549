/**
 * Log levels and the filter on them.
 *
 * @module
 */

/** Log levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type Level = typeof LOG_LEVELS[number];

/**
 * Tells whether a line of `level` passes a filter set to `threshold`.
 *
 * @param level The line's level.
 * @param threshold The least severe level written.
 * @returns `true` when the line is written.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { levelPasses } from "./level.ts";
 * assertEquals(levelPasses("warn", "info"), true);
 * assertEquals(levelPasses("info", "error"), false);
 * ```
 */
export function levelPasses(level: Level, threshold: Level): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}
