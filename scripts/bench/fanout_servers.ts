/**
 * The servers the fan-out benchmarks compare, behind one interface. The comparators and spikes
 * share one contract, so one harness drives them all:
 *
 * - listen on 127.0.0.1, an ephemeral port, backlog 4096; print the port as the first stdout line;
 * - send every lamp accepted the 9-byte sync (COLOR #ffffff, OFF), as the stand does;
 * - on each stdin line `send`, write one 6-byte COLOR frame to every lamp;
 * - on `count`, print `{"connections":[N, …]}` (one number per acceptor: process or worker);
 * - exit on stdin EOF.
 *
 * `flashlight serve` is driven through its API instead (a COLOR command per send).
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { cProgram } from "./c_program.ts";
import { benchStand, within } from "./measure.ts";
import { postCommand, startServeProcess } from "../support/serve_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const OPEN_FILES = 20000;
/**
 * The lamp port's budget, and each thread's share of the page port's (256 in all by default),
 * when WebSocket lamps connect: 10,000 lamps connecting in a burst may all be in their handshake
 * at once, most of them with one lamp worker (they accept faster than they read requests), and a
 * full share of the page port closes its longest idle connection. The budgets overdraw the
 * open-file limit (`ulimit -n 20000`: the `limits` line's `shortfall`), but a lamp leaves the
 * page's budget as it takes its place in the lamps', so the stand never holds more than the
 * 10,000 the swarm opens.
 */
const WEBSOCKET_ROOM = 10_000;

/** A running server with lamps to reach. */
export interface FanoutTarget {
  /** Its process (the one whose memory is measured). */
  readonly pid: number;
  /** The lamp port on 127.0.0.1 (for WebSocket lamps, the web port that serves `/lamp`). */
  readonly port: number;
  /** Whether lamps connect as WebSocket lamps (`ws://127.0.0.1:port/lamp`), not raw TCP. */
  readonly websocket?: boolean;
  /** Sends command number `i` to every lamp: 6 bytes each. */
  send(i: number): Promise<void>;
  /** Lamps per acceptor as the server counts them (empty when it cannot say). */
  connections(): Promise<number[]>;
  /** Stops it. */
  stop(): Promise<void>;
}

/** A server to compare. */
export interface FanoutServer {
  /** Its row header. */
  readonly name: string;
  /** Starts it. */
  start(): Promise<FanoutTarget>;
}

/**
 * A server that speaks the contract, run under `bash` with the open-file limit given.
 *
 * @param name The row header.
 * @param command The program and its arguments.
 * @param openFiles The open-file limit (`ulimit -n`) to run it with.
 * @returns The server.
 */
export function contractServer(
  name: string,
  command: readonly string[],
  openFiles = OPEN_FILES,
): FanoutServer {
  return {
    name,
    async start() {
      const child = new Deno.Command("bash", {
        args: ["-c", `ulimit -n ${openFiles}; exec "$@"`, "bash", ...command],
        cwd: ROOT,
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      ).getReader();
      const next = async () => {
        const { value, done } = await within(lines.read(), 30_000, `${name} answering`);
        if (done) throw new Error(`${name} ended its output`);
        return value;
      };
      const port = Number(await next());
      const stdin = child.stdin.getWriter();
      const encoder = new TextEncoder();
      return {
        pid: child.pid,
        port,
        send: () => stdin.write(encoder.encode("send\n")),
        async connections() {
          await stdin.write(encoder.encode("count\n"));
          return JSON.parse(await next()).connections;
        },
        async stop() {
          await stdin.close();
          await lines.cancel();
          await child.status;
        },
      };
    },
  };
}

/**
 * `flashlight serve` as a fan-out server: lamps on its lamp port (or WebSocket lamps on its web
 * port's `/lamp`), commands through its API.
 * @param workers `--workers N` (default: none given, i.e. one lamp worker per core).
 * @param lamps How the lamps connect: raw TCP to the lamp port, or WebSocket to the web port.
 * @returns The server.
 */
export function standServer(workers?: number, lamps: "tcp" | "websocket" = "tcp"): FanoutServer {
  const websocket = lamps === "websocket";
  return {
    name:
      (workers === undefined
        ? `flashlight serve (${navigator.hardwareConcurrency} lamp workers: one per core)`
        : `flashlight serve --workers ${workers}`) + (websocket ? ", WebSocket lamps" : ""),
    async start() {
      const { stand, ports } = await startServeProcess(
        benchStand(
          ...workers === undefined ? [] : [`--workers=${workers}`],
          ...websocket
            ? [
              `--max-page=${WEBSOCKET_ROOM * (workers ?? navigator.hardwareConcurrency)}`,
              `--max-lamps=${WEBSOCKET_ROOM}`,
            ]
            : [],
        ),
      );
      return {
        pid: stand.child.pid,
        port: websocket ? ports.web : ports.lamps,
        websocket,
        send: async (i) => {
          await postCommand(ports.api, {
            method: "message",
            params: { command: "COLOR", value: (0x102030 + i).toString(16) },
          });
        },
        connections: () => Promise.resolve([]),
        stop: async () => {
          await stand.stop("SIGTERM");
        },
      };
    },
  };
}

const deno = (...args: string[]) => [Deno.execPath(), "run", "-A", ...args];

/** The bare Deno server: `Deno.listen`, one pending read per lamp, `conn.write` to each. */
export const BARE_DENO: FanoutServer = contractServer(
  "bare Deno conn.write server",
  deno("scripts/bench/deno_fanout_server.ts"),
);

/** Node's `net` server, run by Node. */
export const NODE_NET: FanoutServer = contractServer(
  "Node net server",
  ["node", "scripts/bench/node_fanout_server.mjs"],
);

/** The same `node:net` server code run by Deno: spike (a), the lamp side on `node:net`. */
export const DENO_NODE_NET: FanoutServer = contractServer(
  "Deno node:net server",
  deno("scripts/bench/node_fanout_server.mjs"),
);

/**
 * Spike (b) or (c): one worker per core sharing the lamps through `SO_REUSEPORT`.
 * @param net `deno` (`Deno.listen`) or `node` (`node:net`) in the workers.
 * @param workers How many workers.
 * @param writes On `Deno.listen`: `all` at once, or `sequential`.
 * @returns The server.
 */
export function reusePortServer(
  net: "deno" | "node",
  workers: number,
  writes: "all" | "sequential" = "all",
): FanoutServer {
  return contractServer(
    `${workers} workers, reusePort, ${
      net === "deno" ? `Deno.listen, writes ${writes}` : "node:net"
    }`,
    deno(
      "--unstable-net",
      "scripts/bench/reuse_port_server.ts",
      `--workers=${workers}`,
      `--net=${net}`,
      `--writes=${writes}`,
    ),
  );
}

/**
 * Spike (d): the bare Deno server with another way of issuing the writes.
 * @param writes `nowait`, `sequential` or `chunks=N` (see `deno_fanout_server.ts`).
 * @returns The server.
 */
export function batchedWritesServer(writes: string): FanoutServer {
  return contractServer(
    `bare Deno, writes ${writes}`,
    deno("scripts/bench/deno_fanout_server.ts", "--writes", writes),
  );
}

/**
 * The C reference server, or `null` without a C compiler.
 * @returns The server.
 */
export async function cServer(): Promise<FanoutServer | null> {
  const binary = await cProgram("c_fanout_server");
  return binary ? contractServer("C epoll server", [binary]) : null;
}
