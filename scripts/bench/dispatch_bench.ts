/**
 * The lamp's whole hot path against the header walk: `deno task bench`. Frame decoder, command
 * table lookup, value decode and the pure state transition, as `LampClient` runs them.
 *
 * @module
 */
import { createCommandTable } from "../../src/commands/command_table.ts";
import { dispatchFrame } from "../../src/commands/dispatch_frame.ts";
import { INITIAL_LAMP_STATE } from "../../src/lamp/lamp_state.ts";
import { FrameDecoder } from "../../src/protocol/frame_decoder.ts";
import { benchAgainstHeaderWalk } from "./decoder_workloads.ts";

const table = createCommandTable();
let state = INITIAL_LAMP_STATE;
const applyFrame = (type: number, bytes: Uint8Array, start: number, end: number) => {
  const result = dispatchFrame(table, state, type, bytes, start, end);
  if (result.kind === "applied") state = result.state;
};

benchAgainstHeaderWalk("decoder + dispatch", (parts) => {
  const decoder = new FrameDecoder();
  for (const part of parts) decoder.push(part, applyFrame);
});
