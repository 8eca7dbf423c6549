/**
 * Part 6: a burst of COLOR frames to a lamp drawing in a pseudo-terminal (`script`): how many
 * redraws it made (coalesced to ~60 per second) and how soon after the last byte the final
 * color was on screen.
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";
import { PERMISSION_FLAGS } from "../permission_flags.ts";
import { scriptArgs, terminalEnv } from "../pty_command.ts";
import type { Row } from "./measure.ts";

const FINAL = [0x12, 0x34, 0x56];
const REDRAW = "\x1b[6A";

/**
 * Runs part 6.
 * @param frames How many COLOR frames in the burst.
 * @returns The rows.
 */
export async function flood(frames: number): Promise<Row[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const lampCommand = [
    Deno.execPath(),
    "run",
    "-q",
    ...PERMISSION_FLAGS,
    "main.ts",
    `:${listener.addr.port}`,
  ];
  const child = new Deno.Command("script", {
    args: scriptArgs(lampCommand),
    cwd: new URL("../../", import.meta.url).pathname,
    clearEnv: true,
    env: terminalEnv({ COLORTERM: "truecolor" }),
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const conn = await listener.accept();
  listener.close();
  await conn.write(encodeFrame(0x12));
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  let screen = "";
  const readUntil = async (text: string) => {
    while (!screen.includes(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("lamp ended");
      screen += decoder.decode(value, { stream: true });
    }
  };
  await readUntil("connected");
  await readUntil(REDRAW);
  const redrawsBefore = screen.split(REDRAW).length - 1;
  const burst = concat([
    ...Array.from(
      { length: frames - 1 },
      (_, i) => encodeFrame(0x20, new Uint8Array([i & 0xff, 0x40, 0x80])),
    ),
    encodeFrame(0x20, new Uint8Array(FINAL)),
  ]);
  const started = performance.now();
  for (let written = 0; written < burst.length;) {
    written += await conn.write(burst.subarray(written));
  }
  const lastByteAt = performance.now();
  await readUntil(`48;2;${FINAL.join(";")}m`);
  const finalAt = performance.now();
  const redraws = screen.split(REDRAW).length - 1 - redrawsBefore;
  const seconds = (finalAt - started) / 1000;
  await child.stdin.getWriter().write(Uint8Array.of(3));
  await reader.cancel();
  await child.status;
  conn.close();
  return [
    {
      name: `flood: ${
        frames.toLocaleString("en")
      } COLOR frames in one burst to a terminal lamp: redraws`,
      value: `${redraws} in ${seconds.toFixed(2)} s (${Math.round(redraws / seconds)}/s)`,
      baseline: `${frames.toLocaleString("en")} (one per frame, uncoalesced)`,
      ratio: `${(redraws / frames).toFixed(4)}x`,
    },
    {
      name: "flood: final color on screen after the last byte was written",
      value: `${(finalAt - lastByteAt).toFixed(1)} ms`,
      baseline: "16.7 ms (one frame interval)",
      ratio: `${((finalAt - lastByteAt) / 16.7).toFixed(2)}x`,
    },
  ];
}
