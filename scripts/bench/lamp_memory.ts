/**
 * What a connected lamp costs the stand: live objects, the heap V8 holds, malloc, and RSS. For
 * each kind of lamp a process of its own runs one stand (one thread, as `--workers 1`, or with
 * lamp workers, which then serve both kinds: the V8 columns are the main thread's only), and raw
 * lamps from the C swarm connect to its lamp port or, as WebSocket lamps, to `/lamp` on its web
 * port. Per lamp, after two full garbage collections: the growth of the V8 heap in use (the
 * objects a lamp keeps), of the heap V8 holds (with the pages left by the garbage of the lamps'
 * arrival), of what glibc's malloc has in use and holds (outside V8's heap: buffers' bytes, the
 * runtime's own; what it holds beyond what is in use is free memory it cannot give back), and of
 * RSS; once when every lamp is synced, once more after SECONDS with nothing happening (V8 gives
 * back pages when the process is idle).
 *
 * Usage: deno run -A scripts/bench/lamp_memory.ts [COUNT] [burst|paced] [SECONDS] [WORKERS]
 *   COUNT lamps of each kind (default 5000; more than about 10,000 needs a higher open-file
 *   limit), connecting in a burst (default) or paced; SECONDS idle before the second reading
 *   (default 20); WORKERS lamp workers (default 1: none, the main thread serves the lamps).
 *
 * @module
 */
import { startStand } from "../../src/stand/stand.ts";
import { standOptions } from "../../src/stand/stand_options.ts";
import { cProgram } from "./c_program.ts";
import { type ConnectMode, lampSwarmFactory } from "./lamp_swarm.ts";

/** One reading: KB per lamp for each of `COLUMNS`. */
type Reading = number[];

const COLUMNS = ["heap in use", "heap held", "malloc in use", "malloc held", "RSS"];

/** What one kind of lamp measured: its connect time, then its readings. */
interface KindResult {
  readonly syncedMs: number;
  readonly synced: Reading;
  readonly idle: Reading;
}

const [count, mode, seconds, workers, kind] = [
  Number(Deno.args[0] ?? 5000),
  (Deno.args[1] ?? "burst") as ConnectMode,
  Number(Deno.args[2] ?? 20),
  Number(Deno.args[3] ?? 1),
  Deno.args[4],
];

if (kind === undefined) await compare();
else console.log(JSON.stringify(await measure(kind === "ws")));

/** Runs each kind in a process of its own and prints the table. */
async function compare(): Promise<void> {
  if (!await cProgram("c_lamp_swarm")) throw new Error("needs a C compiler (the C swarm)");
  const results: KindResult[] = [];
  for (const kind of ["tcp", "ws"]) {
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        import.meta.filename!,
        String(count),
        mode,
        String(seconds),
        String(workers),
        kind,
      ],
      stderr: "inherit",
    }).output();
    if (!success) throw new Error(`the ${kind} run failed`);
    results.push(JSON.parse(new TextDecoder().decode(stdout)));
  }
  const [tcp, ws] = results;
  const cells = (reading: Reading, base?: Reading) =>
    reading.map((kb, i) =>
      base ? `${kb.toFixed(1)} (${(kb / base[i]).toFixed(2)}x)` : kb.toFixed(1)
    )
      .join(" | ");
  const threads = workers > 1
    ? `${workers} lamp workers (V8 columns: the main thread's)`
    : "one thread";
  console.log(`${count} lamps, ${mode}, ${threads}; KB per lamp (WebSocket: ratio to TCP)\n`);
  console.log(`| lamps | connected + synced, s | when | ${COLUMNS.join(" | ")} |`);
  console.log(`| --- | --- | --- | ${COLUMNS.map(() => "---").join(" | ")} |`);
  for (const [name, result, base] of [["TCP", tcp], ["WebSocket", ws, tcp]] as const) {
    const synced = (result.syncedMs / 1000).toFixed(2);
    console.log(`| ${name} | ${synced} | synced | ${cells(result.synced, base?.synced)} |`);
    console.log(`| ${name} | | ${seconds} s later | ${cells(result.idle, base?.idle)} |`);
  }
}

/**
 * What glibc's allocator holds and what of it is in use, in bytes (all arenas): memory outside
 * V8's heap (buffers' bytes, the runtime's own). Zeros where there is no glibc.
 */
function mallocBytes(): { inUse: number; held: number } {
  let libc;
  try {
    libc = Deno.dlopen("libc.so.6", {
      mallinfo2: { parameters: [], result: { struct: Array<"usize">(10).fill("usize") } },
    });
  } catch {
    return { inUse: 0, held: 0 };
  }
  try {
    // arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost
    const info = new BigUint64Array(libc.symbols.mallinfo2().buffer);
    return { inUse: Number(info[7] + info[4]), held: Number(info[0] + info[4]) };
  } finally {
    libc.close();
  }
}

/** One kind of lamp against a stand in this process. */
async function measure(websocket: boolean): Promise<KindResult> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const settled = () => {
    gc();
    gc();
    const { heapUsed, heapTotal, rss } = Deno.memoryUsage();
    const malloc = mallocBytes();
    return [heapUsed, heapTotal, malloc.inUse, malloc.held, rss];
  };
  const stand = await startStand(standOptions({
    lampPort: 0,
    apiPort: 0,
    webPort: 0,
    workers,
    maxLamps: count + 100,
    // Each lamp worker holds a share of the page's budget: room for the whole burst in each.
    maxWebConnections: Math.min(count + 100, 16_384) * workers,
  }));
  const before = settled();
  const reading = () => {
    const now = settled();
    return now.map((bytes, i) => (bytes - before[i]) / count / 1024);
  };
  const swarm = (await lampSwarmFactory()).create();
  const port = websocket ? stand.ports.web : stand.ports.lamp;
  const syncedMs = await swarm.connect({ port, count, syncBytes: 9, mode, websocket });
  const synced = reading();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const idle = reading();
  await swarm.close();
  await stand.close();
  return { syncedMs, synced, idle };
}
