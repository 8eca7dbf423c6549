/**
 * The lamp's whole hot path against the header walk: `deno task bench`. Frame decoder, command
 * table lookup, value decode and the working lamp, as the lamp's read loop runs them.
 *
 * @module
 */
import { createCommandTable } from "../../src/commands/command_table.ts";
import { Dispatcher } from "../../src/commands/dispatcher.ts";
import { FrameDecoder } from "../../src/protocol/frame_decoder.ts";
import { benchAgainstHeaderWalk } from "./decoder_workloads.ts";

const dispatcher = new Dispatcher(createCommandTable());

benchAgainstHeaderWalk("decoder + dispatch", (parts) => {
  const decoder = new FrameDecoder(dispatcher); // as the lamp wires it
  for (const part of parts) decoder.push(part, dispatcher.frame);
});
