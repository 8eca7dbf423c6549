/**
 * A real HTTP proxy for tests: Debian's tinyproxy on a free loopback port, tunnelling CONNECT to
 * the ports it is told, optionally asking for credentials; stopped by `await using`.
 *
 * @module
 */
import type { Proxy } from "../../src/net/proxy.ts";
import { tempDir } from "./temp_dir.ts";
import { untilAccepting } from "./until_accepting.ts";

/** How to start tinyproxy. */
export interface TinyproxyOptions {
  /** The only ports CONNECT may reach (tinyproxy's `ConnectPort`). */
  readonly connectPorts: readonly number[];
  /** Ask for these credentials (`BasicAuth user password`: 407 without them). */
  readonly basicAuth?: readonly [string, string];
}

/** A running tinyproxy. */
export class Tinyproxy implements AsyncDisposable {
  /** The proxy as a lamp takes it (without credentials). */
  readonly proxy: Proxy;
  #child: Deno.ChildProcess;
  #dir: AsyncDisposable & { path: string };

  private constructor(
    port: number,
    child: Deno.ChildProcess,
    dir: AsyncDisposable & { path: string },
  ) {
    this.proxy = { hostname: "127.0.0.1", port, shown: `http://127.0.0.1:${port}` };
    this.#child = child;
    this.#dir = dir;
  }

  /**
   * Starts tinyproxy and resolves once it accepts connections.
   * @param options The ports it tunnels to, credentials.
   * @returns The proxy.
   */
  static async start(options: TinyproxyOptions): Promise<Tinyproxy> {
    const dir = await tempDir("flashlight-tinyproxy-");
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const config = [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Allow 127.0.0.1",
      "Timeout 60",
      "MaxClients 200",
      `LogFile "${dir.path}/tinyproxy.log"`,
      "LogLevel Connect",
      ...options.connectPorts.map((allowed) => `ConnectPort ${allowed}`),
      ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.join(" ")}`] : []),
    ];
    await Deno.writeTextFile(`${dir.path}/tinyproxy.conf`, config.join("\n") + "\n");
    const child = new Deno.Command("tinyproxy", {
      args: ["-d", "-c", `${dir.path}/tinyproxy.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await untilAccepting(port, async () => {
      child.kill();
      await child.status;
      await dir[Symbol.asyncDispose]();
    });
    return new Tinyproxy(port, child, dir);
  }

  /** @returns What tinyproxy logged so far (each tunnel names its target). */
  async log(): Promise<string> {
    return await Deno.readTextFile(`${this.#dir.path}/tinyproxy.log`).catch(() => "");
  }

  /** Stops tinyproxy and removes its files. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#dir[Symbol.asyncDispose]();
  }
}
