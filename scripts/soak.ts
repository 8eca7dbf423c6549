/**
 * `deno task soak [--seconds 600] [--lamps 50] [--seed 1]`: a stand and many lamps under random
 * commands, random stand restarts and random lamp kills. At the end it checks that every lamp
 * applied, per connection, an unbroken run of the commands sent while it was connected (nothing
 * lost, nothing reordered; a connection the stand closed got everything up to its close), and
 * that open file descriptors came back to where they started and the heap (after a full GC)
 * did not grow by more than 32 MB. Exits 1 on any loss or leak.
 *
 * @module
 */
import { type FlagSpec, integerFlag, parseFlags, renderFlagHelp } from "../src/cli/flags.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { LampClient } from "../src/client/lamp_client.ts";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { backoffDelay } from "../src/net/backoff.ts";
import { parseApiRequest } from "../src/stand/api_request.ts";
import { type Stand, startStand } from "../src/stand/stand.ts";
import { standOptions } from "../src/stand/stand_options.ts";
import { type Random, seededRandom } from "./fuzz/random.ts";

/** What a soak run saw. */
export interface SoakReport {
  /** Seconds it ran. */
  seconds: number;
  /** Commands sent. */
  commands: number;
  /** Stand restarts. */
  restarts: number;
  /** Lamps killed and replaced. */
  kills: number;
  /** Lamp connections checked. */
  sessions: number;
  /** Commands applied by lamps (sync frames excluded). */
  applied: number;
  /** Commands missing or out of order within a connection. */
  lost: number;
  /** Open file descriptors before and after. */
  fds: [number, number];
  /** Resident memory before and after, in bytes. */
  rss: [number, number];
  /** V8 heap in use before and after (after a full GC when `--expose-gc` is on), in bytes. */
  heap: [number, number];
}

/** One lamp connection, checked as it goes (O(1) memory, so the soak measures the system). */
interface Session {
  /** COLOR commands applied, the sync included. */
  seen: number;
  /** The last COLOR value applied (-1 before any). */
  last: number;
  /** Commands missing or out of order so far. */
  breaks: number;
  endedByStand: boolean;
  lastSentAtEnd: number;
}

const table = createCommandTable();
const openFds = () => [...Deno.readDirSync("/proc/self/fd")].length;
/** Heap in use after a full collection (the task runs with `--v8-flags=--expose-gc`). */
const heapUsed = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed;
};
/** Heap growth above this over a whole run counts as a leak. */
const HEAP_LEAK_BYTES = 32 * 1024 * 1024;

type PhaseResult = Omit<SoakReport, "seconds" | "fds" | "rss" | "heap">;

/** The soak itself: random commands, restarts and kills, then the per-connection check. */
async function soakPhase(seconds: number, lampCount: number, random: Random): Promise<PhaseResult> {
  const start = (lampPort: number) =>
    startStand(standOptions({ lampPort, apiPort: 0, webPort: 0 }));
  let stand: Stand = await start(0);
  const port = stand.ports.lamp;
  let seq = 0;
  let restarts = 0;
  let kills = 0;
  const sessions: Session[] = [];
  const lamps: { client: LampClient; session: Session | null }[] = [];

  const addLamp = (index: number) => {
    const entry: { client: LampClient; session: Session | null } = { client: null!, session: null };
    entry.client = new LampClient({
      addresses: [{ hostname: "127.0.0.1", port }],
      backoff: (attempt) =>
        backoffDelay(attempt, random.next, { initialMs: 50, maxMs: 300, minMs: 10 }),
      onApplied: (command, args) => {
        const session = entry.session;
        if (command.name !== "COLOR" || !session) return;
        const value = args as number;
        // The first COLOR of a connection is the sync of the current state; after it, +1 each.
        if (session.seen > 1 && value !== session.last + 1) session.breaks++;
        if (session.seen === 1 && session.last !== 0xffffff && value !== session.last + 1) {
          session.breaks++;
        }
        session.seen++;
        session.last = value;
      },
      onEvent: (event: LampEvent) => {
        if (event.event === "connected") {
          entry.session = { seen: 0, last: -1, breaks: 0, endedByStand: false, lastSentAtEnd: -1 };
          sessions.push(entry.session);
        } else if (event.event === "disconnected" && entry.session) {
          entry.session.endedByStand = event.reason === "server closed the connection";
          entry.session.lastSentAtEnd = seq;
          entry.session = null;
        }
      },
    });
    lamps[index] = entry;
  };
  for (let i = 0; i < lampCount; i++) addLamp(i);

  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const roll = random.next();
    if (roll < 0.002) {
      await stand.close();
      stand = await start(port);
      restarts++;
    } else if (roll < 0.008) {
      const index = random.int(0, lampCount - 1);
      await lamps[index].client.close();
      addLamp(index);
      kills++;
    } else {
      seq = (seq + 1) & 0xffffff;
      await stand.send(
        parseApiRequest({
          method: "message",
          params: { command: "COLOR", value: seq.toString(16).padStart(6, "0") },
        }, table),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  // Let every connected lamp catch up with the last command, then stop everything.
  const last = seq;
  const settled = Date.now() + 10_000;
  while (
    lamps.some((lamp) => lamp.session && lamp.session.last !== last) &&
    Date.now() < settled
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const lamp of lamps) if (lamp.session) lamp.session.lastSentAtEnd = last;
  const open = lamps.flatMap((lamp) => lamp.session ? [lamp.session] : []);
  await Promise.all(lamps.map((lamp) => lamp.client.close()));
  await stand.close();

  let lost = 0;
  let applied = 0;
  for (const session of sessions) {
    applied += Math.max(0, session.seen - 1);
    lost += session.breaks;
    const complete = session.endedByStand || open.includes(session);
    if (complete && session.seen > 1 && session.last !== session.lastSentAtEnd) lost++;
  }
  return { commands: seq, restarts, kills, sessions: sessions.length, applied, lost };
}

/**
 * Runs a soak. A one-second warm-up first opens what the runtime opens once and keeps, so the
 * descriptor count compares like with like.
 * @param seconds How long.
 * @param lampCount How many lamps.
 * @param seed Seed of the random actions.
 * @returns The report.
 */
export async function runSoak(
  seconds: number,
  lampCount: number,
  seed: number,
): Promise<SoakReport> {
  await soakPhase(1, lampCount, seededRandom(seed + 1_000_000));
  const fdsBefore = openFds();
  const heapBefore = heapUsed();
  const rssBefore = Deno.memoryUsage().rss;
  const result = await soakPhase(seconds, lampCount, seededRandom(seed));
  return {
    seconds,
    ...result,
    fds: [fdsBefore, openFds()],
    rss: [rssBefore, Deno.memoryUsage().rss],
    heap: [heapBefore, heapUsed()],
  };
}

const FLAGS: readonly FlagSpec[] = [
  { name: "seconds", kind: "value", value: "S", help: "how long", default: "600" },
  { name: "lamps", kind: "value", value: "N", help: "how many lamps", default: "50" },
  { name: "seed", kind: "value", value: "N", help: "the random seed", default: "1" },
  { name: "help", short: "h", kind: "boolean", help: "show this help" },
];

const USAGE = `deno task soak — a stand and many lamps under random commands, restarts, kills

Usage: deno task soak [flags]

Checks that no command is lost or reordered and that descriptors and heap do not
leak; exits 1 when one is.

Flags:
${renderFlagHelp(FLAGS)}`;

if (import.meta.main) {
  let seconds: number, lamps: number, seed: number;
  try {
    const { values } = parseFlags(Deno.args, FLAGS, "soak");
    if (values.get("help")) {
      console.log(wrapHelp(USAGE, helpWidth()));
      Deno.exit(0);
    }
    const number = (name: string, fallback: string, max: number) =>
      integerFlag((values.get(name) as string | undefined) ?? fallback, name, 1, max, "soak");
    [seconds, lamps, seed] = [
      number("seconds", "600", 1e7),
      number("lamps", "50", 10_000),
      number("seed", "1", 2 ** 32 - 1),
    ];
  } catch (error) {
    console.error(`soak: ${(error as Error).message}\n\n${wrapHelp(USAGE, PIPED_HELP_WIDTH)}`);
    Deno.exit(2);
  }
  const report = await runSoak(seconds, lamps, seed);
  console.log(JSON.stringify(report, null, 2));
  const heapGrowth = report.heap[1] - report.heap[0];
  const leaked = report.fds[1] > report.fds[0] || heapGrowth > HEAP_LEAK_BYTES;
  if (report.lost > 0 || leaked) {
    console.error(
      `soak FAILED: ${report.lost} commands lost or reordered; descriptors ${
        report.fds.join(" -> ")
      }; ` +
        `heap grew ${(heapGrowth / 1e6).toFixed(1)} MB`,
    );
    Deno.exit(1);
  }
  console.log("soak passed: 0 commands lost, no descriptor or heap leak");
}
