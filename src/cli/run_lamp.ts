/**
 * The lamp command: resolve the address, pick the output, run the client until a stop signal or
 * until the output fails.
 *
 * @module
 */
import { LampClient } from "../client/lamp_client.ts";
import { INITIAL_LAMP_STATE } from "../lamp/lamp_state.ts";
import { LogWriter } from "../log/log_writer.ts";
import { type Address, DEFAULT_ADDRESS, formatAddress, parseAddressList } from "../net/address.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { type LampOutput, logOutput } from "../render/lamp_output.ts";
import type { LampShown } from "../render/lamp_view_model.ts";
import { VERSION } from "../version.ts";
import { EXIT } from "./exit_codes.ts";
import { readSmallTextFile } from "./read_small_file.ts";
import { LAMP_USAGE, parseLampArgs } from "./lamp_args.ts";
import { describeOutputError, type ProcessOutput, processOutput } from "./process_output.ts";
import { stopOnSignals } from "./shutdown_signals.ts";
import { UsageError } from "./usage_error.ts";

const NO_FRAMES = { applied: 0, unknown: 0, malformed: 0, keepalives: 0 };
/** A CA file larger than this is refused (a bundle of a few hundred certificates fits). */
const MAX_CA_BYTES = 1 << 20;

/** How long the last lines may take to reach a slow output before the lamp exits anyway. */
const FINAL_FLUSH_MS = 1000;

function terminalSize(): { columns: number; rows: number } {
  try {
    const { columns, rows } = Deno.consoleSize();
    return { columns: columns || 80, rows: rows || 24 }; // a pseudo-terminal may report 0: unknown
  } catch {
    return { columns: 80, rows: 24 }; // not a terminal after all (e.g. redirected mid-run)
  }
}

async function readCa(path: string | undefined): Promise<string[] | undefined> {
  if (path === undefined) return undefined;
  try {
    return [await readSmallTextFile(path, MAX_CA_BYTES)];
  } catch (error) {
    throw new UsageError(`--ca: cannot read ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
}

/**
 * Runs the lamp until SIGINT, SIGTERM or SIGHUP (exit 0), or until its output fails (exit 5).
 *
 * @param args The arguments after the program name.
 * @returns The exit code.
 * @throws {UsageError} On a bad command line.
 * @example
 * ```ts ignore
 * import { runLamp } from "./run_lamp.ts";
 * Deno.exit(await runLamp(["127.0.0.1:9999"]));
 * ```
 */
export async function runLamp(args: readonly string[]): Promise<number> {
  const env = (name: string) => Deno.env.get(name);
  const config = parseLampArgs(args, env);
  if (config.help || config.version) {
    console.log(config.help ? LAMP_USAGE : `flashlight ${VERSION}`);
    return EXIT.ok;
  }
  let restore = () => {};
  const stopped = Promise.withResolvers<Deno.Signal>();
  const removeSignals = stopOnSignals(stopped.resolve, () => restore());
  try {
    const asked = config.addresses ??
      (Deno.stdin.isTerminal() ? await ask(stopped.promise) : parseAddressList(DEFAULT_ADDRESS));
    if (asked === null) return EXIT.ok; // Ctrl-D or a stop signal at the prompt
    return await runLampOn(asked, config, stopped.promise, (fn) => restore = fn);
  } finally {
    removeSignals();
  }
}

/** Asks for the address on the terminal; a stop signal ends the question (`null`). */
async function ask(stopped: Promise<Deno.Signal>): Promise<readonly Address[] | null> {
  const { askOnTerminal, promptAddress } = await import("./prompt_address.ts");
  return await Promise.race([
    promptAddress(askOnTerminal, (line) => console.error(line)),
    stopped.then(() => null),
  ]);
}

/** The terminal view, loaded only for a terminal (a headless lamp starts without it). */
async function terminalView(
  address: string,
  out: ProcessOutput,
  lamp: () => LampShown,
): Promise<LampOutput> {
  const env = (name: string) => Deno.env.get(name);
  const [{ canRedraw, detectColorDepth }, { plainOutput, terminalOutput }] = await Promise.all([
    import("../render/color_depth.ts"),
    import("../render/terminal_output.ts"),
  ]);
  return canRedraw(env)
    ? terminalOutput(address, detectColorDepth(env), out.stdout, lamp, terminalSize)
    : plainOutput(address, out.stdout, lamp);
}

async function runLampOn(
  addresses: readonly Address[],
  config: ReturnType<typeof parseLampArgs>,
  stopSignal: Promise<Deno.Signal>,
  onRestore: (restore: () => void) => void,
): Promise<number> {
  const caCerts = await readCa(config.caFile);
  const out = processOutput("flashlight");
  // The view reads the lamp when it draws; until the client exists, it shows a new lamp.
  const source: { client?: LampClient } = {};
  const lamp = () => {
    const { client } = source;
    return client === undefined
      ? { state: INITIAL_LAMP_STATE, last: null, counts: NO_FRAMES }
      : { state: client.state, last: client.last, counts: client.counts };
  };
  const terminal = Deno.stdout.isTerminal() && config.log === undefined;
  const log = new LogWriter(out.stdout, {
    format: config.log ?? "text",
    level: config.level,
    onDropping: () => out.notice("the log output is not keeping up: dropping lines until it does"),
    onDropped: (lines) => out.notice(`the log output dropped ${lines} lines`),
  });
  const output = terminal
    ? await terminalView(formatAddress(addresses[0]), out, lamp)
    : logOutput(log);
  onRestore(() => output.restore());
  globalThis.addEventListener("unload", output.restore);
  const resize = () => output.onRead();
  if (terminal && Deno.build.os !== "windows") Deno.addSignalListener("SIGWINCH", resize);
  log.log({
    event: "started",
    version: VERSION,
    pid: Deno.pid,
    addresses: addresses.map(formatAddress).join(","),
    output: terminal ? "terminal" : `log ${config.log ?? "text"}`,
  }, "info");
  const policy = { ...DEFAULT_BACKOFF, maxMs: config.retryMaxMs };
  const client = source.client = new LampClient({
    addresses,
    policy: { backoff: (attempt) => backoffDelay(attempt, Math.random, policy) },
    idleTimeoutMs: config.idleTimeoutMs,
    caCerts,
    ...output.listener,
    onEvent: (event) => output.onEvent(event),
    onRead: () => output.onRead(),
  });
  const ended = await Promise.race([
    stopSignal.then((signal) => ({ reason: signal, code: EXIT.ok })),
    out.broken.then((error) => {
      out.notice(
        `the output failed: ${describeOutputError(error)}; stopping (exit ${EXIT.output})`,
      );
      return { reason: "output failed", code: EXIT.output };
    }),
    client.closed.then(() => ({ reason: "closed", code: EXIT.ok })),
  ]);
  try {
    await client.close();
  } finally {
    if (terminal && Deno.build.os !== "windows") Deno.removeSignalListener("SIGWINCH", resize);
    output.stop({ event: "stopped", reason: ended.reason, code: ended.code });
    await log.flush(FINAL_FLUSH_MS);
    await out.flush(FINAL_FLUSH_MS);
    globalThis.removeEventListener("unload", output.restore);
  }
  return ended.code;
}
