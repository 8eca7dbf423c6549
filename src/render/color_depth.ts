/**
 * How many colors the terminal can show, from the environment.
 *
 * @module
 */

/** The terminal's color capability. */
export type ColorDepth = "none" | "16" | "256" | "truecolor";

/**
 * Picks the color depth from `FORCE_COLOR`, `NO_COLOR`, `COLORTERM` and `TERM`.
 *
 * `FORCE_COLOR` wins when set (`0`/`false` none, `1`/`true`/empty 16, `2` 256, `3` truecolor);
 * then a non-empty `NO_COLOR` means none; then `COLORTERM=truecolor|24bit` means truecolor,
 * a `TERM` containing `256color` means 256, `TERM=dumb` none, anything else 16.
 *
 * @param env Reads one environment variable.
 * @returns The depth.
 * @example
 * ```ts
 * import { detectColorDepth } from "./color_depth.ts";
 * detectColorDepth((name) => ({ COLORTERM: "truecolor" } as Record<string, string>)[name]);
 * // "truecolor"
 * ```
 */
export function detectColorDepth(env: (name: string) => string | undefined): ColorDepth {
  const force = env("FORCE_COLOR");
  if (force !== undefined) {
    const level: Record<string, ColorDepth> = {
      "0": "none",
      false: "none",
      "2": "256",
      "3": "truecolor",
    };
    return level[force.toLowerCase()] ?? "16";
  }
  if (env("NO_COLOR")) return "none";
  if (/^(truecolor|24bit)$/i.test(env("COLORTERM") ?? "")) return "truecolor";
  const term = env("TERM") ?? "";
  if (term.includes("256color")) return "256";
  return term === "dumb" ? "none" : "16";
}
