/**
 * A `flashlight serve` subprocess for the benchmarks: free ports, JSON logs drained in the
 * background (a full pipe would stall it), a raised open-file limit for large fan-outs.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { PERMISSION_FLAGS } from "../permission_flags.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A running stand process. */
export class StandProcess {
  /** The child. */
  readonly child: Deno.ChildProcess;
  /** Ports by service: `lamps`, `api`, `web`. */
  readonly ports: Record<string, number> = {};
  #listening: Promise<void>;

  /**
   * @param lampPort The lamp port (0: any).
   * @param openFiles The open-file limit to run it with.
   * @param extraArgs More `serve` flags (e.g. `--broker=…`).
   */
  constructor(lampPort = 0, openFiles = 20000, extraArgs: string[] = []) {
    const command = [
      `ulimit -n ${openFiles};`,
      "exec",
      JSON.stringify(Deno.execPath()),
      "run -q",
      ...PERMISSION_FLAGS,
      "main.ts serve",
      `--lamp-port=${lampPort} --api-port=0 --web-port=0 --log=json --queue-limit=4194304`,
      ...extraArgs,
    ].join(" ");
    const child = new Deno.Command("bash", {
      args: ["-c", command],
      cwd: ROOT,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.child = child;
    const ready = Promise.withResolvers<void>();
    this.#listening = ready.promise;
    (async () => {
      const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
        new TextLineStream(),
      );
      for await (const line of lines) {
        if (!line.includes('"listening"')) continue;
        const record = JSON.parse(line);
        this.ports[record.service] = Number(new URL(record.url ?? `tcp://${record.address}`).port);
        if (Object.keys(this.ports).length === 3) ready.resolve();
      }
    })();
  }

  /** Resolves once all three listeners are up. */
  ready(): Promise<void> {
    return this.#listening;
  }

  /**
   * Posts one command to the API.
   * @param body The request body.
   */
  async post(body: unknown): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${this.ports.api}/`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    await response.body?.cancel();
  }

  /** Stops it with SIGTERM and waits for the exit. */
  async stop(): Promise<void> {
    this.child.kill("SIGTERM");
    await this.child.status;
  }
}
