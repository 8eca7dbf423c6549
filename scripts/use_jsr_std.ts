/**
 * Switches `deno.json`'s `@std/*` imports from the local stand-ins in `src/std/` to the real
 * modules on JSR. Run on a machine that reaches JSR: `deno run -A scripts/use_jsr_std.ts`.
 * The code is unchanged: it already imports the `@std/…` names.
 *
 * @module
 */

/** The real module for each `@std/…` specifier the code imports. */
export const JSR_STD: Readonly<Record<string, string>> = {
  "@std/assert": "jsr:@std/assert@^1",
  "@std/bytes/concat": "jsr:@std/bytes@^1/concat",
  "@std/cli": "jsr:@std/cli@^1",
  "@std/cli/parse-args": "jsr:@std/cli@^1/parse-args",
  "@std/cli/unicode-width": "jsr:@std/cli@^1/unicode-width",
  "@std/fmt/colors": "jsr:@std/fmt@^1/colors",
  "@std/streams/text-line-stream": "jsr:@std/streams@^1/text-line-stream",
};

if (import.meta.main) {
  const path = new URL("../deno.json", import.meta.url);
  const config = JSON.parse(await Deno.readTextFile(path));
  Object.assign(config.imports, JSR_STD);
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2) + "\n");
  console.log(`deno.json now imports ${Object.keys(JSR_STD).join(", ")} from JSR`);
}
