/**
 * Start-up: from spawning a lamp to its first frame applied (its log line for a COLOR the server
 * sent on accept), median of some runs, beside a Deno hello world (spawn → its line) in the same
 * run. The lamps run with `--log text`; flashlight from source, as `deno task start` does.
 *
 * @module
 */
import { comparatorLamps, flashlightLamp, type Lamp, startLamp } from "./lamp_contenders.ts";
import { median, ratio, type Row, within } from "./measure.ts";
import { OutputWatch } from "./output_watch.ts";

const FRAME = new Uint8Array([0x20, 0, 3, 0x12, 0x34, 0x56]);

async function firstFrameMs(lamp: Lamp): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const started = performance.now();
  const running = startLamp(lamp, listener.addr.port, { watch: "#123456" });
  const conn = await within(listener.accept(), 30_000, `${lamp.name} connecting`);
  listener.close();
  await conn.write(FRAME);
  const { at } = await within(running.seen!, 30_000, `${lamp.name} applying`);
  await conn.closeWrite();
  while (await conn.read(new Uint8Array(64)) !== null);
  conn.close();
  await running.finish();
  return at - started;
}

async function helloMs(file: string): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", file],
    stdout: "piped",
  }).spawn();
  const stdout = new OutputWatch(child.stdout);
  const at = await within(stdout.until("hello"), 30_000, "hello world");
  await child.status;
  return at - started;
}

/**
 * Runs the part.
 *
 * @param runs Starts per program (the median is shown).
 * @returns The rows.
 * @example
 * ```ts ignore
 * import { startup } from "./startup.ts";
 * const rows = await startup(5);
 * ```
 */
export async function startup(runs: number): Promise<Row[]> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, 'console.log("hello");\n');
  const lamps = [flashlightLamp(["--log", "text"]), ...await comparatorLamps("log text")];
  const times = lamps.map((): number[] => []);
  const hello: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      hello.push(await helloMs(file));
      for (const [i, lamp] of lamps.entries()) times[i].push(await firstFrameMs(lamp));
    }
  } finally {
    await Deno.remove(file);
  }
  const baseline = median(hello);
  return lamps.map((lamp, i) => ({
    name: `start-up: ${lamp.name}, spawn → first frame applied (median of ${runs})`,
    value: `${median(times[i]).toFixed(1)} ms`,
    baseline: `${baseline.toFixed(1)} ms (Deno hello world, spawn → its line)`,
    ratio: ratio(median(times[i]), baseline),
  }));
}
