/**
 * The lamp command: resolve the address, pick the output, run the client until a stop signal.
 *
 * @module
 */
import { LampClient } from "../client/lamp_client.ts";
import { type Address, DEFAULT_ADDRESS, formatAddress, parseAddressList } from "../net/address.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { detectColorDepth } from "../render/color_depth.ts";
import { type LampOutput, logOutput, terminalOutput } from "../render/lamp_output.ts";
import { EXIT } from "./exit_codes.ts";
import { LAMP_USAGE } from "./help.ts";
import { parseLampArgs } from "./lamp_args.ts";
import { promptAddress } from "./prompt_address.ts";
import { stopOnSignals } from "./shutdown_signals.ts";
import { VERSION } from "../version.ts";

function resolveAddresses(given: readonly Address[] | undefined): readonly Address[] | null {
  if (given) return given;
  if (!Deno.stdin.isTerminal()) return parseAddressList(DEFAULT_ADDRESS);
  return promptAddress((question) => prompt(question), (line) => console.error(line));
}

/**
 * Runs the lamp until SIGINT, SIGTERM or SIGHUP.
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
export async function runLamp(args: string[]): Promise<number> {
  const env = (name: string) => Deno.env.get(name);
  const config = parseLampArgs(args, env);
  if (config.help || config.version) {
    console.log(config.help ? LAMP_USAGE : `flashlight ${VERSION}`);
    return EXIT.ok;
  }
  const addresses = resolveAddresses(config.addresses);
  if (addresses === null) return EXIT.ok;

  const output: LampOutput = Deno.stdout.isTerminal() && config.log === undefined
    ? terminalOutput(formatAddress(addresses[0]), detectColorDepth(env), Deno.stdout)
    : logOutput(Deno.stdout, config.log ?? "text", config.level);
  const restore = () => output.restore();
  globalThis.addEventListener("unload", restore);
  const policy = { ...DEFAULT_BACKOFF, maxMs: config.retryMaxMs };
  const client = new LampClient({
    addresses,
    backoff: (attempt) => backoffDelay(attempt, Math.random, policy),
    onEvent: (event) => output.onEvent(event),
  });
  const removeSignals = stopOnSignals(() => client.close(), restore);
  try {
    await client.closed;
  } finally {
    removeSignals();
    output.stop();
    globalThis.removeEventListener("unload", restore);
  }
  return EXIT.ok;
}
