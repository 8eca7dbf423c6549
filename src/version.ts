/**
 * The version, read from `deno.json` at build time (so the compiled binary reports the same).
 *
 * @module
 */
import config from "../deno.json" with { type: "json" };

/** flashlight's version, e.g. `0.1.0`. */
export const VERSION: string = config.version;
