/**
 * What the terminal can show, from the environment: how many colors, and whether it understands
 * cursor movement at all.
 *
 * @module
 */

/** The terminal's color capability. */
export type ColorDepth = "none" | "16" | "256" | "truecolor";

/**
 * Picks the color depth from `FORCE_COLOR`, `NO_COLOR`, `COLORTERM` and `TERM`.
 *
 * `FORCE_COLOR` as other tools read it: `0`/`false` none, `1` 16, `2` 256, `3` truecolor; `true`,
 * empty or any other value means "colors on": the detected depth, at least 16. Otherwise a
 * non-empty `NO_COLOR` means none; then `COLORTERM=truecolor|24bit` means truecolor, a `TERM`
 * containing `256color` 256, `TERM=dumb` none, anything else 16.
 *
 * @param env Reads one environment variable.
 * @returns The depth.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { detectColorDepth } from "./color_depth.ts";
 * const env = (vars: Record<string, string>) => (name: string) => vars[name];
 * assertEquals(detectColorDepth(env({ COLORTERM: "truecolor" })), "truecolor");
 * assertEquals(detectColorDepth(env({ FORCE_COLOR: "true", TERM: "xterm-256color" })), "256");
 * assertEquals(detectColorDepth(env({ FORCE_COLOR: "true", TERM: "dumb" })), "16");
 * ```
 */
export function detectColorDepth(env: (name: string) => string | undefined): ColorDepth {
  const force = env("FORCE_COLOR")?.trim().toLowerCase();
  const forced: Record<string, ColorDepth> = {
    "0": "none",
    false: "none",
    "1": "16",
    "2": "256",
    "3": "truecolor",
  };
  if (force !== undefined && force in forced) return forced[force];
  const detected = detectFromTerminal(env);
  if (force !== undefined) return detected === "none" ? "16" : detected;
  return env("NO_COLOR") ? "none" : detected;
}

function detectFromTerminal(env: (name: string) => string | undefined): ColorDepth {
  if (/^(truecolor|24bit)$/i.test(env("COLORTERM") ?? "")) return "truecolor";
  const term = env("TERM") ?? "";
  if (term.includes("256color")) return "256";
  return term === "dumb" ? "none" : "16";
}

/**
 * Tells whether the terminal can move the cursor (redraw in place): not when `TERM` is `dumb`.
 *
 * @param env Reads one environment variable.
 * @returns `true` for an ANSI terminal.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { canRedraw } from "./color_depth.ts";
 * assertEquals(canRedraw((name) => name === "TERM" ? "dumb" : undefined), false);
 * ```
 */
export function canRedraw(env: (name: string) => string | undefined): boolean {
  return env("TERM") !== "dumb";
}
