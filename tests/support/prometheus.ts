/**
 * A real Prometheus for tests (Debian's package): a temp dir, a free loopback port, a scrape
 * config given by the test, stopped by `await using`.
 *
 * @module
 */
import { requireProgram } from "../../scripts/support/flashlight_process.ts";

/** A running Prometheus. */
export class Prometheus implements AsyncDisposable {
  /** Its HTTP API, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  #child: Deno.ChildProcess;
  #dir: string;

  private constructor(child: Deno.ChildProcess, url: string, dir: string) {
    this.#child = child;
    this.url = url;
    this.#dir = dir;
  }

  /**
   * Starts Prometheus scraping `target` (host:port) at `path` every `intervalS` seconds, or
   * returns `null` (after a loud skip line) when it is not installed outside CI.
   * @param target The scrape target.
   * @param path The metrics path.
   * @param bearer A bearer token for the scrape, if the target needs one.
   * @returns The server, or `null`.
   */
  static async start(
    target: string,
    path = "/metrics",
    bearer?: string,
  ): Promise<Prometheus | null> {
    if (!requireProgram("prometheus", "prometheus")) return null;
    const dir = await Deno.makeTempDir({ prefix: "flashlight-prometheus-" });
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const auth = bearer ? `\n    authorization:\n      credentials: ${JSON.stringify(bearer)}` : "";
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: flashlight\n    metrics_path: ${path}${auth}\n    static_configs:\n      - targets: [${
        JSON.stringify(target)
      }]\n`,
    );
    const child = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    return new Prometheus(child, `http://127.0.0.1:${port}`, dir);
  }

  /**
   * Runs an instant query until it returns a sample that passes `accept` (Prometheus scrapes on
   * its own schedule, so there is no event to wait for: the API is asked again, bounded).
   * @param query PromQL.
   * @param accept Which value is the one awaited.
   * @returns The value.
   */
  async value(query: string, accept: (value: number) => boolean = () => true): Promise<number> {
    for (let tries = 0; tries < 300; tries++) {
      try {
        const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
        const answer = await response.json();
        const sample = answer?.data?.result?.[0]?.value?.[1];
        if (sample !== undefined && accept(Number(sample))) return Number(sample);
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus never answered ${query}`);
  }

  /** Stops it and removes its files. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#child.kill("SIGTERM");
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true });
  }
}
