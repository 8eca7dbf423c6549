/**
 * Part 2: frames per second over loopback into one lamp with a null renderer, and its peak RSS,
 * against a Python asyncio lamp (readexactly for header and value) fed the same bytes.
 *
 * @module
 */
import { concatBytes } from "../../src/stand/concat_bytes.ts";
import { encodeFrame } from "../../src/protocol/encode_frame.ts";
import { mb, ratio, type Row } from "./measure.ts";

interface LampResult {
  frames: number;
  ms: number;
  peak_rss: number;
}

async function feed(
  command: string,
  args: string[],
  payload: Uint8Array,
  frames: number,
): Promise<LampResult> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const child = new Deno.Command(command, {
    args: [...args, String(listener.addr.port), String(frames)],
    stdout: "piped",
    cwd: new URL("../../", import.meta.url).pathname,
  }).spawn();
  const conn = await listener.accept();
  listener.close();
  for (let written = 0; written < payload.length;) {
    written += await conn.write(payload.subarray(written));
  }
  const output = new TextDecoder().decode((await child.output()).stdout);
  conn.close();
  return JSON.parse(output);
}

/**
 * Runs part 2.
 * @param frames How many COLOR frames to send.
 * @returns The rows.
 */
export async function throughput(frames: number): Promise<Row[]> {
  const payload = concatBytes(
    Array.from(
      { length: frames },
      (_, i) => encodeFrame(0x20, new Uint8Array([i & 0xff, (i >> 8) & 0xff, 7])),
    ),
  );
  const deno = await feed(
    Deno.execPath(),
    ["run", "-A", "scripts/bench/null_lamp.ts"],
    payload,
    frames,
  );
  const python = await feed("python3", ["scripts/bench/asyncio_lamp.py"], payload, frames);
  const rate = (r: LampResult) => r.frames / (r.ms / 1000);
  return [
    {
      name: `loopback → lamp, ${frames.toLocaleString("en")} COLOR frames: frames/s applied`,
      value: `${Math.round(rate(deno)).toLocaleString("en")}`,
      baseline: `${Math.round(rate(python)).toLocaleString("en")} (Python asyncio readexactly)`,
      ratio: ratio(rate(deno), rate(python)),
    },
    {
      name: "loopback → lamp: peak RSS of the lamp process",
      value: mb(deno.peak_rss),
      baseline: `${mb(python.peak_rss)} (Python asyncio)`,
      ratio: ratio(deno.peak_rss, python.peak_rss),
    },
  ];
}
