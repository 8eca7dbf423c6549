/**
 * Local stand-in for `jsr:@std/cli` (JSR is unreachable here): the parts flashlight uses.
 *
 * @module
 */
export * from "./parse_args.ts";
export * from "./unicode_width.ts";
