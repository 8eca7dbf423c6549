/**
 * The frame decoder alone against the header walk: `deno task bench`.
 *
 * @module
 */
import { FrameDecoder } from "../../src/protocol/frame_decoder.ts";
import { benchAgainstHeaderWalk } from "./decoder_workloads.ts";

let frames = 0;
const countFrame = () => void frames++;

benchAgainstHeaderWalk("decoder", (parts) => {
  const decoder = new FrameDecoder();
  for (const part of parts) decoder.push(part, countFrame);
});
