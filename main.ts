/**
 * flashlight: a lamp driven over TCP by a tiny TLV protocol, and its test stand.
 *
 * `flashlight [ADDRESS]` runs the lamp; `flashlight serve` the stand; `flashlight send` posts a
 * command to the stand. See `flashlight --help`.
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
