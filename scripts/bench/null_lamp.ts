/**
 * A lamp with a null renderer for the end-to-end benchmark: the real `LampClient` (decoder,
 * command table, state), events ignored except a count. Prints one JSON line when `frames`
 * commands were applied: `{"frames", "ms", "peak_rss"}`.
 *
 * Usage: deno run -A scripts/bench/null_lamp.ts PORT FRAMES
 *
 * @module
 */
import { LampClient } from "../../src/client/lamp_client.ts";
import { procStatusBytes } from "./measure.ts";

const [port, frames] = Deno.args.map(Number);
let applied = 0;
let started = 0;
const done = Promise.withResolvers<void>();
const lamp = new LampClient({
  addresses: [{ hostname: "127.0.0.1", port }],
  onApplied: () => {
    if (applied++ === 0) started = performance.now();
    if (applied === frames) done.resolve();
  },
});
await done.promise;
const ms = performance.now() - started;
console.log(JSON.stringify({ frames: applied, ms, peak_rss: procStatusBytes(Deno.pid, "VmHWM") }));
await lamp.close();
