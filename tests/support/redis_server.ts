/**
 * A real `redis-server` for tests: a free loopback port, a temp dir, no persistence, stopped
 * (and its output drained) by `stop()`.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";

/** A running Redis server. */
export class RedisServer {
  /** Its port. */
  readonly port: number;
  #child: Deno.ChildProcess;
  #drained: Promise<void>;

  private constructor(port: number, child: Deno.ChildProcess, drained: Promise<void>) {
    this.port = port;
    this.#child = child;
    this.#drained = drained;
  }

  /** `redis://127.0.0.1:PORT/0`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /**
   * Starts Redis and resolves once it accepts connections.
   * @param port The port (a free one when omitted).
   * @returns The server.
   */
  static async start(port?: number): Promise<RedisServer> {
    if (port === undefined) {
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      port = probe.addr.port;
      probe.close();
    }
    const dir = await Deno.makeTempDir({ prefix: "flashlight-redis-" });
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
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
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
    await ready.promise;
    return new RedisServer(port, child, drained);
  }

  /** Stops it (SIGTERM) and waits for the exit. */
  async stop(): Promise<void> {
    this.#child.kill("SIGTERM");
    await this.#child.status;
    await this.#drained;
  }
}
