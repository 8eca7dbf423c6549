/**
 * A real reverse proxy for tests: Debian's nginx, in the foreground, with a configuration the
 * test gives (the README's, its ports and files filled in), in a temp dir removed at the end.
 *
 * @module
 */
import { tempDir } from "./temp_dir.ts";
import { untilAccepting } from "./until_accepting.ts";

/** A running nginx. */
export class Nginx implements AsyncDisposable {
  /** Its directory (configuration, logs, temp files). */
  readonly dir: string;
  #child: Deno.ChildProcess;
  #remove: () => Promise<void>;

  private constructor(dir: string, child: Deno.ChildProcess, remove: () => Promise<void>) {
    this.dir = dir;
    this.#child = child;
    this.#remove = remove;
  }

  /**
   * Starts nginx with `http` as the body of its `http { }` block; resolves once `port` accepts.
   * @param http The `http` block's directives (servers, maps).
   * @param port A port the configuration listens on, to wait for.
   * @returns The running nginx.
   */
  static async start(http: string, port: number): Promise<Nginx> {
    const dir = await tempDir("flashlight-nginx-");
    // Workers run as an unprivileged user when nginx starts as root: let them read the files.
    await Deno.chmod(dir.path, 0o755);
    const config = [
      `error_log ${dir.path}/error.log warn;`,
      `pid ${dir.path}/nginx.pid;`,
      "worker_processes 1;",
      "events { worker_connections 1024; }",
      "http {",
      `  access_log ${dir.path}/access.log;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
        `  ${kind}_temp_path ${dir.path}/${kind};`
      ),
      http,
      "}",
    ].join("\n");
    await Deno.writeTextFile(`${dir.path}/nginx.conf`, config);
    const child = new Deno.Command("nginx", {
      args: ["-p", dir.path, "-c", `${dir.path}/nginx.conf`, "-g", "daemon off;"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    await untilAccepting(port, async () => {
      child.kill();
      await child.status;
      await dir[Symbol.asyncDispose]();
      throw new Error(`nginx did not start: ${await stderr}`);
    });
    stderr.catch(() => {});
    return new Nginx(dir.path, child, async () => await dir[Symbol.asyncDispose]());
  }

  /** Stops nginx and removes its files. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#child.status;
    await this.#remove();
  }
}
