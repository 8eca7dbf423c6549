/**
 * `flashlight serve` as a real process on free ports with JSON logs, its ports read from its
 * `listening` lines: the one harness for a stand process, used by the tests and the benchmarks.
 *
 * @module
 */
import { FlashlightProcess, RUN_FLAGS } from "./flashlight_process.ts";

/** How to run the stand. */
export interface ServeProcessOptions {
  /** More `serve` flags (e.g. `--workers=2`, `--tls-cert=…`). */
  readonly args?: readonly string[];
  /** Extra environment (e.g. `FLASHLIGHT_BROKER`). */
  readonly env?: Record<string, string>;
  /** The lamp port (default 0: any free port). */
  readonly lampPort?: number;
  /** Run under `ulimit -n` of this many open files (through `bash`). */
  readonly openFiles?: number;
  /**
   * Read the log in the background once the stand listens (for a stand that logs a line per
   * lamp: a full pipe would stall it); its lines still collect in `stand.lines`.
   */
  readonly drain?: boolean;
}

/** A running stand process and its ports by service (`lamps`, `api`, `web`). */
export interface ServeProcess {
  /** The process (its stdout lines are the JSON log). */
  readonly stand: FlashlightProcess;
  /** Ports by service. */
  readonly ports: Record<string, number>;
}

/**
 * Starts `flashlight serve --lamp-port=0 --api-port=0 --web-port=0 --log=json` and waits for its
 * three `listening` lines.
 * @param options More flags, environment, an open-file limit.
 * @returns The process and its ports.
 * @example
 * ```ts ignore
 * import { startServeProcess } from "./serve_process.ts";
 * const { stand, ports } = await startServeProcess({ args: ["--workers=2"] });
 * console.log(ports.lamps);
 * await stand.stop("SIGTERM");
 * ```
 */
export async function startServeProcess(options: ServeProcessOptions = {}): Promise<ServeProcess> {
  const serve = [
    "serve",
    `--lamp-port=${options.lampPort ?? 0}`,
    "--api-port=0",
    "--web-port=0",
    "--log=json",
    ...options.args ?? [],
  ];
  const stand = options.openFiles === undefined
    ? new FlashlightProcess(serve, { env: options.env })
    : new FlashlightProcess([
      "-c",
      `ulimit -n ${options.openFiles}; exec "$0" "$@"`,
      Deno.execPath(),
      ...RUN_FLAGS,
      "main.ts",
      ...serve,
    ], { env: options.env, command: "bash" });
  const ports: Record<string, number> = {};
  for (const service of ["lamps", "api", "web"]) {
    const record = JSON.parse(
      await stand.waitForLine((line) =>
        line.includes('"event":"listening"') && line.includes(`"service":"${service}"`)
      ),
    );
    ports[service] = Number(new URL(record.url ?? `tcp://${record.address}`).port);
  }
  if (options.drain) stand.drain();
  return { stand, ports };
}

/**
 * Posts one JSON body to a stand's API and reads the answer's status.
 * @param apiPort The API port on 127.0.0.1.
 * @param body The request body.
 * @returns The HTTP status.
 */
export async function postCommand(apiPort: number, body: unknown): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}
