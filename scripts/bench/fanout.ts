/**
 * Part 4: many lamps (raw TCP readers, default 10,000) on one stand process: how long one
 * command takes to reach them (p99 and last over lamps), and the stand's memory per lamp
 * connection against a bare Deno server that accepts and reads the same connections.
 *
 * @module
 */
import { cpuMs, mb, pause, percentile, procStatusBytes, ratio, type Row } from "./measure.ts";
import { StandProcess } from "./stand_process.ts";

/** Raw lamps: each socket counts the bytes it received and when. */
class RawLamps {
  readonly conns: Deno.TcpConn[] = [];
  readonly received: number[] = [];
  readonly arrivedAt: number[] = [];
  #goal = 0;
  #remaining = 0;
  #done: (() => void) | null = null;

  async connect(port: number, count: number): Promise<void> {
    for (let i = 0; i < count; i += 500) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(500, count - i) },
          () => Deno.connect({ hostname: "127.0.0.1", port }),
        ),
      );
      for (const conn of batch) this.#read(conn, this.conns.push(conn) - 1);
    }
  }

  /** Resolves when every socket has received at least `bytes` in total. */
  until(bytes: number): Promise<void> {
    this.#goal = bytes;
    this.#remaining = this.received.filter((n) => n < bytes).length;
    if (this.#remaining === 0) return Promise.resolve();
    return new Promise((resolve) => this.#done = resolve);
  }

  async #read(conn: Deno.TcpConn, index: number): Promise<void> {
    this.received[index] = 0;
    const buffer = new Uint8Array(256);
    try {
      for (;;) {
        const count = await conn.read(buffer);
        if (count === null) return;
        const before = this.received[index];
        this.received[index] += count;
        if (before < this.#goal && this.received[index] >= this.#goal) {
          this.arrivedAt[index] = performance.now();
          if (--this.#remaining === 0) this.#done?.();
        }
      }
    } catch {
      // closed by close()
    }
  }

  close(): void {
    for (const conn of this.conns) conn.close();
  }
}

/**
 * The baseline server: a bare Deno accept loop with one pending read per connection, whose only
 * other work is, on each stdin line, writing one 6-byte frame to every connection.
 * @returns Memory per connection and the median time of one write to all, in ms, as the same
 *   raw readers see it.
 */
async function bareServer(
  count: number,
  commands: number,
): Promise<{ bytesPerConnection: number; fanoutMs: number }> {
  const code = `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port);
    const keep = []; const frame = new Uint8Array([32, 0, 3, 1, 2, 3]);
    (async () => { for await (const _ of Deno.stdin.readable) await Promise.all(keep.map((c) => c.write(frame))); })();
    for await (const c of l) { keep.push(c); const b = new Uint8Array(64);
    (async () => { while (await c.read(b) !== null); })().catch(() => {}); }`;
  const child = new Deno.Command("bash", {
    args: ["-c", `ulimit -n 20000; exec ${JSON.stringify(Deno.execPath())} eval '${code}'`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value);
  await pause(300);
  const before = procStatusBytes(child.pid, "VmRSS");
  const lamps = new RawLamps();
  await lamps.connect(port, count);
  await pause(500);
  const after = procStatusBytes(child.pid, "VmRSS");
  const stdin = child.stdin.getWriter();
  const times: number[] = [];
  for (let i = 1; i <= commands; i++) {
    const started = performance.now();
    const arrived = lamps.until(6 * i);
    await stdin.write(new TextEncoder().encode("write\n"));
    await arrived;
    times.push(performance.now() - started);
  }
  lamps.close();
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  await stdin.close().catch(() => {});
  return { bytesPerConnection: (after - before) / count, fanoutMs: percentile(times, 50) };
}

/**
 * Runs part 4.
 * @param count How many lamps.
 * @param commands How many commands to time.
 * @returns The rows.
 */
export async function fanout(count: number, commands: number): Promise<Row[]> {
  const stand = new StandProcess();
  await stand.ready();
  await pause(300);
  const rssBefore = procStatusBytes(stand.child.pid, "VmRSS");
  const lamps = new RawLamps();
  const connectStarted = performance.now();
  await lamps.connect(stand.ports.lamps, count);
  let expected = 9; // sync: COLOR (6 bytes) + OFF (3 bytes)
  await lamps.until(expected);
  const connectMs = performance.now() - connectStarted;
  const rssAfter = procStatusBytes(stand.child.pid, "VmRSS");
  const all: number[] = [];
  const p99s: number[] = [];
  const cpuBefore = cpuMs(stand.child.pid);
  for (let i = 0; i < commands; i++) {
    expected += 6;
    const started = performance.now();
    const arrived = lamps.until(expected);
    await stand.post({
      method: "message",
      params: { command: "COLOR", value: (0x102030 + i).toString(16) },
    });
    await arrived;
    const perLamp = lamps.arrivedAt.map((t) => t - started);
    p99s.push(percentile(perLamp, 99));
    all.push(Math.max(...perLamp));
  }
  const standCpuPerCommand = (cpuMs(stand.child.pid) - cpuBefore) / commands;
  lamps.close();
  await stand.stop();
  const perConnection = (rssAfter - rssBefore) / count;
  const bare = await bareServer(count, commands);
  return [
    {
      name: `fan-out: ${count.toLocaleString("en")} lamps connected and synced`,
      value: `${(connectMs / 1000).toFixed(2)} s`,
      baseline: "",
      ratio: "",
    },
    {
      name: `fan-out: one command reaches ${
        count.toLocaleString("en")
      } lamps, p99 over lamps (median of ${commands} commands)`,
      value: `${percentile(p99s, 50).toFixed(1)} ms (last lamp ${
        percentile(all, 50).toFixed(1)
      } ms)`,
      baseline: `${
        bare.fanoutMs.toFixed(1)
      } ms (bare Deno server writing to every socket, last lamp)`,
      ratio: ratio(percentile(all, 50), bare.fanoutMs),
    },
    {
      name: `fan-out: stand CPU per command sent to ${count.toLocaleString("en")} lamps`,
      value: `${standCpuPerCommand.toFixed(0)} ms`,
      baseline: `${percentile(all, 50).toFixed(0)} ms (wall time until the last lamp has it)`,
      ratio: ratio(standCpuPerCommand, percentile(all, 50)),
    },
    {
      name: "fan-out: stand memory per lamp connection",
      value: `${(perConnection / 1024).toFixed(1)} KB`,
      baseline: `${
        (bare.bytesPerConnection / 1024).toFixed(1)
      } KB (bare Deno server: accept + one pending read)`,
      ratio: ratio(perConnection, bare.bytesPerConnection),
    },
    {
      name: "fan-out: stand RSS with all lamps",
      value: mb(rssAfter),
      baseline: `${mb(rssBefore)} (no lamps)`,
      ratio: ratio(rssAfter, rssBefore),
    },
  ];
}
