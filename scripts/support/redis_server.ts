/**
 * A real `redis-server` for tests: a free loopback port, a temp dir, no persistence (unless
 * asked), optionally TLS only, stopped (and its output drained) by `stop()`.
 *
 * @module
 */
import { createClient } from "redis";
import { TextLineStream } from "@std/streams/text-line-stream";
import { restartablePort } from "./restartable_port.ts";

/** How to start a test Redis. */
export interface RedisServerOptions {
  /** The port (a free one when omitted). */
  readonly port?: number;
  /** A data directory kept across restarts (a temp dir removed at stop when omitted). */
  readonly dir?: string;
  /** Further `redis-server` arguments (e.g. `--appendonly yes`, `--requirepass pw`). */
  readonly args?: readonly string[];
  /** Serve TLS only, with these PEM files. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}

/** A running Redis server. */
export class RedisServer {
  /** Its port. */
  readonly port: number;
  /** Its data directory. */
  readonly dir: string;
  #tls: boolean;
  #child: Deno.ChildProcess;
  #drained: Promise<void>;

  private constructor(
    port: number,
    dir: string,
    tls: boolean,
    child: Deno.ChildProcess,
    drained: Promise<void>,
  ) {
    this.port = port;
    this.dir = dir;
    this.#tls = tls;
    this.#child = child;
    this.#drained = drained;
  }

  /** `redis://127.0.0.1:PORT/0` (`rediss://` for TLS). */
  get url(): string {
    return `${this.#tls ? "rediss" : "redis"}://127.0.0.1:${this.port}/0`;
  }

  /**
   * Starts Redis and resolves once it accepts connections.
   * @param port The port (a free one when omitted).
   * @param options Data directory, arguments, TLS.
   * @returns The server.
   */
  static async start(port?: number, options: RedisServerOptions = {}): Promise<RedisServer> {
    port ??= options.port;
    // Tests restart Redis on its port: one no outgoing connection takes while it is down.
    port ??= restartablePort();
    const dir = options.dir ?? await Deno.makeTempDir({ prefix: "flashlight-redis-" });
    const { tls } = options;
    const child = new Deno.Command("redis-server", {
      args: [
        ...(tls
          ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.cert]
          : ["--port", String(port)]),
        ...(tls ? ["--tls-key-file", tls.key, "--tls-ca-cert-file", tls.ca] : []),
        ...(tls ? ["--tls-auth-clients", "no"] : []),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...(options.args ?? []),
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const ready = Promise.withResolvers<void>();
    const drained = (async () => {
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      );
      for await (const line of lines) {
        if (line.includes("Ready to accept connections")) ready.resolve();
      }
      ready.reject(new Error("redis-server exited before it was ready"));
      if (!options.dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
    await ready.promise;
    return new RedisServer(port, dir, !!tls, child, drained);
  }

  /**
   * Runs one command on a connection of its own (plain servers without a password only).
   * @param args The command and its arguments.
   * @returns The reply.
   */
  async command(...args: string[]): Promise<unknown> {
    const client = createClient({ socket: { host: "127.0.0.1", port: this.port } });
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  /**
   * Stops it and waits for the exit.
   * @param signal `SIGTERM` (default) or `SIGKILL` (a crash).
   */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    this.#child.kill(signal);
    await this.#child.status;
    await this.#drained;
  }
}
