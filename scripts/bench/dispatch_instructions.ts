/**
 * The decoder + dispatch loop of `dispatch_bench.ts` for counting instructions (valgrind's
 * callgrind), where timing is too noisy: it loads the decoder, the command table and the
 * dispatcher from a checkout (`TREE`, so an earlier commit's code runs on the same workloads), warms
 * them on every workload and feed as `deno bench` does in its one isolate, then runs one workload
 * `N` more times. Instructions per frame = the difference between two `N`s / (their difference ×
 * frames). `walk` as the tree runs the header walk instead (the limit).
 *
 * Usage: deno run -A scripts/bench/dispatch_instructions.ts TREE WORKLOAD FEED N
 * (WORKLOAD: an index into the workloads of `decoder_workloads.ts`; FEED: `one` or `1500`;
 * `dispatch_before_after.ts --callgrind` runs it)
 *
 * @module
 */
import { chunks, walkHeaders, WORKLOADS } from "./decoder_workloads.ts";

const [tree, workload, feed, times] = Deno.args;
const feeds = (bytes: Uint8Array) => ({ one: [bytes], "1500": chunks(bytes, 1500) });
let run: (parts: readonly Uint8Array[]) => void;
if (tree === "walk") {
  run = (parts) => void walkHeaders(parts);
} else {
  const { createCommandTable } = await import(`${tree}/src/commands/command_table.ts`);
  const { Dispatcher } = await import(`${tree}/src/commands/dispatcher.ts`);
  const { FrameDecoder } = await import(`${tree}/src/protocol/frame_decoder.ts`);
  const dispatcher = new Dispatcher(createCommandTable());
  run = (parts) => {
    const decoder = new FrameDecoder(dispatcher);
    for (const part of parts) decoder.push(part, dispatcher.frame);
  };
}
for (const [, bytes] of WORKLOADS) {
  for (const parts of Object.values(feeds(bytes))) for (let i = 0; i < 10; i++) run(parts);
}
const parts = feeds(WORKLOADS[Number(workload)][1])[feed as "one" | "1500"];
for (let i = 0; i < Number(times); i++) run(parts);
