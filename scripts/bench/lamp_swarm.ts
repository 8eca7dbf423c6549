/**
 * Many raw lamps for the fan-out benchmarks, as one interface with two implementations: the C
 * swarm (`c_lamp_swarm.c`, one epoll loop: the lamps cost the server under test the least CPU) and,
 * without a C compiler, plain Deno readers in the benchmark process. The same swarm measures every
 * server of a run, so its own cost is the same in every row.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { cProgram } from "./c_program.ts";
import { percentile, within } from "./measure.ts";
import { RawLamps } from "./raw_lamps.ts";

/** When the lamps had one command. */
export interface Arrival {
  /** Until the last lamp had it, ms. */
  readonly lastMs: number;
  /** Until 99% of the lamps had it, ms. */
  readonly p99Ms: number;
  /** The most bytes any lamp had by then: the goal, unless a lamp counted more than was sent. */
  readonly mostBytes: number;
}

/**
 * How the lamps connect, 500 at a time: `burst`, each batch once the one before is established
 * (a crowd returning at once: a server that accepts slower than the kernel's handshakes overflows
 * its accept queue into SYN retries); `paced`, once every lamp before it is synced (the server's
 * own accept-and-sync rate).
 */
export type ConnectMode = "burst" | "paced";

/** Which lamps to connect, and how. */
export interface SwarmPlan {
  /** The server's port on 127.0.0.1. */
  readonly port: number;
  /** How many lamps. */
  readonly count: number;
  /** The bytes every lamp reads before it counts as synced. */
  readonly syncBytes: number;
  /** Burst or paced. */
  readonly mode: ConnectMode;
  /**
   * WebSocket lamps of a stand's web port (`ws://127.0.0.1:port/lamp`): the bytes counted are the
   * payloads of the server's binary messages. Only the C swarm has them.
   */
  readonly websocket?: boolean;
}

/** A set of raw lamps connected to one server. */
export interface LampSwarm {
  /** Connects the lamps and resolves with the ms until every one had `syncBytes`. */
  connect(plan: SwarmPlan): Promise<number>;
  /** Runs `send` and resolves when every lamp has `bytes` in total. */
  time(bytes: number, send: () => Promise<void>): Promise<Arrival>;
  /** Disconnects them all. */
  close(): Promise<void>;
}

/** The C swarm process. */
class CSwarm implements LampSwarm {
  #binary: string;
  #child: Deno.ChildProcess | null = null;
  #lines: ReadableStreamDefaultReader<string> | null = null;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | null = null;

  constructor(binary: string) {
    this.#binary = binary;
  }

  async #next(what: string): Promise<string> {
    const { value, done } = await within(this.#lines!.read(), 60_000, `lamp swarm: ${what}`);
    if (done) throw new Error(`lamp swarm ended while ${what}`);
    return value;
  }

  async connect({ port, count, syncBytes, mode, websocket }: SwarmPlan): Promise<number> {
    if (syncBytes !== 9) throw new RangeError(`the C swarm syncs on 9 bytes, not ${syncBytes}`);
    const child = this.#child = new Deno.Command(this.#binary, {
      args: [String(port), String(count), mode, ...websocket ? ["ws"] : []],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      new TextLineStream(),
    ).getReader();
    this.#stdin = child.stdin.getWriter();
    return JSON.parse(await this.#next("connecting")).synced_ms;
  }

  async time(bytes: number, send: () => Promise<void>): Promise<Arrival> {
    await this.#stdin!.write(new TextEncoder().encode(`goal ${bytes}\n`));
    if (await this.#next("arming") !== "armed") throw new Error("lamp swarm: not armed");
    const started = performance.timeOrigin + performance.now();
    await send();
    const { last, p99, most } = JSON.parse(await this.#next(`waiting for ${bytes} bytes`));
    return { lastMs: last - started, p99Ms: p99 - started, mostBytes: most };
  }

  async close(): Promise<void> {
    await this.#stdin?.close();
    await this.#lines?.cancel();
    await this.#child?.status;
  }
}

/** Plain Deno readers in this process. */
class DenoSwarm implements LampSwarm {
  #lamps = new RawLamps();

  async connect({ port, count, syncBytes, mode, websocket }: SwarmPlan): Promise<number> {
    if (websocket) throw new RangeError("WebSocket lamps need the C swarm (a C compiler)");
    const started = performance.now();
    const connecting = this.#lamps.connect(port, count, mode === "paced" ? syncBytes : 0);
    await within(connecting, 60_000, "lamps connecting");
    await within(this.#lamps.until(syncBytes), 60_000, "lamps syncing");
    return performance.now() - started;
  }

  async time(bytes: number, send: () => Promise<void>): Promise<Arrival> {
    const arrived = this.#lamps.until(bytes);
    const started = performance.now();
    await send();
    await within(arrived, 60_000, `lamps waiting for ${bytes} bytes`);
    const perLamp = this.#lamps.arrivedAt.map((t) => t - started);
    return {
      lastMs: Math.max(...perLamp),
      p99Ms: percentile(perLamp, 99),
      mostBytes: Math.max(...this.#lamps.received),
    };
  }

  close(): Promise<void> {
    this.#lamps.close();
    return Promise.resolve();
  }
}

/**
 * Makes a swarm: the C one when a compiler is present, else Deno readers.
 *
 * @returns A factory of swarms and what the lamps are, for the table.
 * @example
 * ```ts ignore
 * import { lampSwarmFactory } from "./lamp_swarm.ts";
 * const { create, description } = await lampSwarmFactory();
 * const swarm = create();
 * ```
 */
export async function lampSwarmFactory(): Promise<
  { create: () => LampSwarm; description: string }
> {
  const binary = await cProgram("c_lamp_swarm");
  return binary
    ? { create: () => new CSwarm(binary), description: "raw lamps: one C epoll process" }
    : { create: () => new DenoSwarm(), description: "raw lamps: Deno readers in the benchmark" };
}
