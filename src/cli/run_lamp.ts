/**
 * The lamp command: resolve the address, pick the output, run the client until a stop signal or
 * until the output fails.
 *
 * @module
 */
import { LampClient } from "../client/lamp_client.ts";
import type { LampTls } from "../client/lamp_session.ts";
import { createCommandTable } from "../commands/command_table.ts";
import { initialState } from "../lamp/lamp_state.ts";
import { LogWriter } from "../log/log_writer.ts";
import { type Address, DEFAULT_ADDRESS, formatAddress, parseAddressList } from "../net/address.ts";
import { type Proxy, proxyFor } from "../net/proxy.ts";
import { isSendableToken } from "../net/websocket_handshake.ts";
import { type LampOutput, logOutput } from "../render/lamp_output.ts";
import type { LampShown } from "../render/lamp_view_model.ts";
import { VERSION } from "../version.ts";
import { EXIT } from "./exit_codes.ts";
import { LAMP_USAGE, type LampConfig, parseLampArgs } from "./lamp_args.ts";
import { helpWidth, wrapHelp } from "./wrap_help.ts";
import { describeOutputError, type ProcessOutput, processOutput } from "./process_output.ts";
import { stopOnSignals } from "./shutdown_signals.ts";
import { readFlagFile } from "./read_flag_file.ts";
import { UsageError } from "./usage_error.ts";
import { stopConditions } from "./stop_conditions.ts";

const NO_FRAMES = { applied: 0, unknown: 0, malformed: 0, keepalives: 0 };

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

/**
 * The proxy of each address (`--proxy`, else the environment's), checked at start: a proxy URL
 * that cannot be used, or a client certificate that would have to go through one, is a usage
 * error.
 */
function proxiesFor(
  addresses: readonly Address[],
  config: LampConfig,
): Map<Address, Proxy | undefined> {
  const proxies = new Map<Address, Proxy | undefined>();
  for (const address of addresses) {
    let proxy: Proxy | undefined;
    try {
      proxy = proxyFor(address, (name) => Deno.env.get(name), config.proxy);
    } catch (error) {
      throw new UsageError((error as Error).message, "lamp", { cause: error });
    }
    if (proxy && address.tls && config.tlsFiles.cert !== undefined) {
      throw new UsageError(
        `--cert: a client certificate cannot be presented through the proxy ${proxy.shown} (for ${
          formatAddress(address)
        }); reach that stand directly (NO_PROXY)`,
        "lamp",
      );
    }
    proxies.set(address, proxy);
  }
  return proxies;
}

/** The `started` line's `proxy` field: the proxies in use, without credentials. */
function viaProxies(proxies: Map<Address, Proxy | undefined>): { proxy?: string } {
  const shown = [...new Set([...proxies.values()].flatMap((proxy) => proxy ? [proxy.shown] : []))];
  return shown.length ? { proxy: shown.join(",") } : {};
}

/** Reads the TLS files the flags name. */
async function readTls(files: LampConfig["tlsFiles"]): Promise<LampTls> {
  const read = (flag: string, path?: string) =>
    path === undefined ? Promise.resolve(undefined) : readFlagFile(flag, path, "lamp");
  const [ca, cert, key] = await Promise.all([
    read("--ca", files.ca),
    read("--cert", files.cert),
    read("--key", files.key),
  ]);
  if (ca === undefined && cert === undefined) return { cert, key };
  // Checked now: a bad file would otherwise fail every connection (or end the lamp) later on.
  // Loaded only here: node:tls and node:crypto would slow every lamp's start.
  const { checkCertificate, checkKeyPair } = await import("../net/certificate_checks.ts");
  if (ca !== undefined) {
    try {
      checkCertificate(ca, "CA");
    } catch (error) {
      throw new UsageError(`--ca: ${JSON.stringify(files.ca)} is not a PEM certificate`, "lamp", {
        cause: error,
      });
    }
  }
  if (cert !== undefined && key !== undefined) {
    try {
      checkKeyPair(cert, key);
    } catch (error) {
      const pair = `--cert ${JSON.stringify(files.cert)} with --key ${JSON.stringify(files.key)}`;
      throw new UsageError(`${pair}: ${(error as Error).message}`, "lamp", { cause: error });
    }
  }
  return { caCerts: ca === undefined ? undefined : [ca], cert, key };
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
    console.log(config.help ? wrapHelp(LAMP_USAGE, helpWidth()) : `flashlight ${VERSION}`);
    return EXIT.ok;
  }
  let restore = () => {};
  const stopped = Promise.withResolvers<Deno.Signal>();
  const removeSignals = stopOnSignals(stopped.resolve, () => restore());
  try {
    const asked = config.addresses ??
      (Deno.stdin.isTerminal() ? await ask(stopped.promise) : parseAddressList(DEFAULT_ADDRESS));
    if (asked === null) { // Ctrl-D or a stop signal at the prompt: end its line
      console.error();
      return EXIT.ok;
    }
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

/** What flags given for other kinds of address: said as warnings, the lamp runs. */
function unusedFlags(addresses: readonly Address[], config: LampConfig): string[] {
  const list = addresses.map(formatAddress).join(",");
  const given = (["ca", "cert", "key"] as const).filter((name) => config.tlsFiles[name]);
  return [
    ...given.length > 0 && !addresses.some((address) => address.tls)
      ? [
        `${given.map((name) => `--${name}`).join(", ")} apply to tls:// and wss:// addresses ` +
        `only, and ${list} has none (write tls://host:port for TLS)`,
      ]
      : [],
    ...config.token !== undefined && !addresses.some((address) => address.websocket)
      ? [`the token applies to ws:// and wss:// addresses only, and ${list} has none`]
      : [],
  ];
}

/** How the lamp ends when `--count` or `--timeout` is reached. */
function stopReached(
  reason: "count" | "timeout",
  config: LampConfig,
  out: ProcessOutput,
): { reason: string; code: number } {
  if (reason === "count") return { reason: `${config.count} commands (--count)`, code: EXIT.ok };
  const seconds = config.timeoutMs! / 1000;
  out.notice(`no command for ${seconds} s (--timeout); stopping (exit ${EXIT.timeout})`);
  return { reason: `no command for ${seconds} s (--timeout)`, code: EXIT.timeout };
}

async function runLampOn(
  addresses: readonly Address[],
  config: LampConfig,
  stopSignal: Promise<Deno.Signal>,
  onRestore: (restore: () => void) => void,
): Promise<number> {
  if (config.token !== undefined && !isSendableToken(config.token)) {
    throw new UsageError(
      "the token (--token, FLASHLIGHT_TOKEN) holds a space, a control or a non-ASCII character, which an Authorization header cannot carry",
      "lamp",
    );
  }
  const tls = await readTls(config.tlsFiles);
  const proxies = proxiesFor(addresses, config);
  const table = createCommandTable();
  const fields = table.state;
  const out = processOutput("flashlight");
  for (const warning of unusedFlags(addresses, config)) out.notice(`warning: ${warning}`);
  // The view reads the lamp when it draws; until the client exists, it shows a new lamp.
  const source: { client?: LampClient } = {};
  const lamp = () => {
    const { client } = source;
    return client === undefined
      ? { fields, state: initialState(fields), last: null, counts: NO_FRAMES }
      : { fields, state: client.state, last: client.last, counts: client.counts };
  };
  const terminal = Deno.stdout.isTerminal() && config.log === undefined;
  const log = new LogWriter(out.stdout, {
    format: config.log ?? "text",
    level: config.level,
    onDropping: out.droppingLines,
    onDropped: out.droppedLines,
  });
  const output = terminal
    ? await terminalView(formatAddress(addresses[0]), out, lamp)
    : logOutput(log, fields);
  onRestore(() => output.restore());
  globalThis.addEventListener("unload", output.restore);
  const resize = () => output.onRead();
  if (terminal && Deno.build.os !== "windows") Deno.addSignalListener("SIGWINCH", resize);
  // The terminal view owns the screen: a log line there would push the view down.
  if (!terminal) {
    log.log({
      event: "started",
      version: VERSION,
      pid: Deno.pid,
      addresses: addresses.map(formatAddress).join(","),
      ...viaProxies(proxies),
      output: `log ${config.log ?? "text"}`,
    }, "info");
  }
  const stop = stopConditions({
    count: config.count,
    timeoutMs: config.timeoutMs,
    listener: output.listener,
  });
  const client = source.client = new LampClient({
    addresses,
    table,
    retryMaxMs: config.retryMaxMs,
    idleTimeoutMs: config.idleTimeoutMs,
    tls,
    token: config.token,
    proxy: (address) => proxies.get(address),
    ...stop.listener,
    onEvent: (event) => output.onEvent(event),
    onRead: () => output.onRead(),
  });
  const ended = await Promise.race([
    stopSignal.then((signal) => ({ reason: signal, code: EXIT.ok })),
    stop.reached.then((reason) => stopReached(reason, config, out)),
    out.broken.then((error) => {
      out.notice(
        `the output failed: ${describeOutputError(error)}; stopping (exit ${EXIT.output})`,
      );
      return { reason: "output failed", code: EXIT.output };
    }),
    client.closed.then(() => ({ reason: "closed", code: EXIT.ok })),
  ]);
  stop.cancel();
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
