/**
 * Part 7: a connected, idle lamp process: CPU time used over a window (should be ~0: no polling
 * timers) and its RSS against a Deno hello-world process measured in the same run.
 *
 * @module
 */
import { PERMISSION_FLAGS } from "../permission_flags.ts";
import { cpuMs, mb, pause, procStatusBytes, ratio, type Row } from "./measure.ts";

/**
 * Runs part 7.
 * @param seconds How long to watch the idle lamp.
 * @returns The rows.
 */
export async function idle(seconds: number): Promise<Row[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const lamp = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", ...PERMISSION_FLAGS, "main.ts", `:${listener.addr.port}`, "--quiet"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "null",
    stdin: "null",
  }).spawn();
  const conn = await listener.accept();
  listener.close();
  await pause(1000);
  const cpuBefore = cpuMs(lamp.pid);
  await pause(seconds * 1000);
  const cpu = cpuMs(lamp.pid) - cpuBefore;
  const rss = procStatusBytes(lamp.pid, "VmRSS");
  lamp.kill("SIGTERM");
  conn.close();
  await lamp.status;

  const hello = new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log('hello'); await new Promise((r) => setTimeout(r, 2000));"],
    stdout: "null",
  }).spawn();
  await pause(1000);
  const helloRss = procStatusBytes(hello.pid, "VmRSS");
  await hello.status;
  return [
    {
      name: `idle connected lamp: CPU time over ${seconds} s`,
      value: `${cpu} ms`,
      baseline: `${seconds * 1000} ms (one core, fully busy)`,
      ratio: `${(cpu / (seconds * 1000)).toFixed(4)}x`,
    },
    {
      name: "idle connected lamp: RSS",
      value: mb(rss),
      baseline: `${mb(helloRss)} (Deno hello world)`,
      ratio: ratio(rss, helloRss),
    },
  ];
}
