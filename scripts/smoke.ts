/**
 * `deno run -A scripts/smoke.ts [--exe PATH] [--version V]`: proves a flashlight executable works
 * end to end on this machine. `--version` prints the expected version; `serve` starts on free
 * ports (read from its JSON log); the same executable connects as a lamp with `--log json`;
 * `send COLOR` goes through the API and the lamp logs that it applied it; the lamp, then the stand,
 * stop on the platform's signal and exit 0; the stand logs the lamp's clean close; `manpage`
 * prints the man page. Without `--exe` it runs `main.ts` with the permission flags the binary bakes
 * in (CI runs it so, the release workflow runs it with each binary on a native runner). Exit 0 when
 * every check passed, 1 on the first failure (with the processes' last lines), 2 on a bad command
 * line.
 *
 * @module
 */
import { UsageError } from "../src/cli/usage_error.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { VERSION } from "../src/version.ts";
import { PERMISSION_FLAGS } from "./permission_flags.ts";
import { LineProcess, withTimeout } from "./smoke/line_process.ts";
import { parseSmokeArgs, SMOKE_USAGE, type SmokeConfig } from "./smoke/smoke_args.ts";
import { type StopSignal, stopSignalFor } from "./smoke/stop_signal.ts";

/** The colour sent: not the stand's initial white, and not a value a parser could read as a number. */
const COLOR = "c0ffee";
/** What the stand logs when a lamp closed its connection itself (a FIN, not an error). */
const CLEAN_CLOSE = "lamp closed the connection";

const MAIN_TS = decodeURIComponent(new URL("../main.ts", import.meta.url).pathname).replace(
  /^\/([A-Za-z]:)/,
  "$1",
);

/** A failed check: what was expected, and what was seen. */
class SmokeFailure extends Error {}

function portOf(record: Readonly<Record<string, unknown>>): number {
  const where = String(record.url ?? record.address ?? "");
  const port = Number(where.match(/:(\d+)\/?$/)?.[1]);
  if (!Number.isInteger(port) || port <= 0) {
    throw new SmokeFailure(`no port in the listening line ${JSON.stringify(record)}`);
  }
  return port;
}

async function run(config: SmokeConfig, signal: StopSignal): Promise<void> {
  const pass = (text: string) => console.log(`ok   ${text}`);
  const check = (ok: boolean, text: string, detail: () => string) => {
    if (!ok) throw new SmokeFailure(`${text}: ${detail()}`);
    pass(text);
  };
  const expected = `flashlight ${config.version}`;
  const decoder = new TextDecoder();

  const version = await new Deno.Command(config.command[0], {
    args: [...config.command.slice(1), "--version"],
    stdin: "null",
    signal: AbortSignal.timeout(config.timeoutMs),
  }).output();
  const printed = decoder.decode(version.stdout).trim();
  check(
    version.code === 0 && printed === expected,
    `--version prints "${expected}"`,
    () => `exit ${version.code}, printed ${JSON.stringify(printed.slice(0, 200))}`,
  );

  const started: LineProcess[] = [];
  const spawn = (args: string[]) => {
    signal.beforeSpawn();
    const process = new LineProcess(config.command, args);
    started.push(process);
    return process;
  };
  const stepOf =
    (process: LineProcess, name: string) =>
    async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      try {
        return await step();
      } catch (error) {
        throw new SmokeFailure(`${name}: ${what}: ${(error as Error).message}\n${process.tail()}`);
      }
    };
  try {
    const stand = spawn(["serve", "--lamp-port=0", "--api-port=0", "--web-port=0", "--log=json"]);
    const inStand = stepOf(stand, "stand");
    const listening = (service: string) =>
      inStand(`listening line for ${service}`, () =>
        stand.waitFor(
          `a "listening" line for ${service}`,
          (r) => r.event === "listening" && r.service === service,
          config.timeoutMs,
        ));
    const lampPort = portOf(await listening("lamps"));
    const apiPort = portOf(await listening("api"));
    pass(`serve listens on free ports: lamps ${lampPort}, api ${apiPort}`);

    const lamp = spawn([`127.0.0.1:${lampPort}`, "--log", "json"]);
    const inLamp = stepOf(lamp, "lamp");
    await inLamp(
      "connect",
      () => lamp.waitFor(`a "connected" line`, (r) => r.event === "connected", config.timeoutMs),
    );
    await inStand(
      "see the lamp",
      () =>
        stand.waitFor(
          `a "lamp_connected" line`,
          (r) => r.event === "lamp_connected",
          config.timeoutMs,
        ),
    );
    pass("the lamp connected (--log json)");

    const send = await new Deno.Command(config.command[0], {
      args: [
        ...config.command.slice(1),
        "send",
        "--api",
        `http://127.0.0.1:${apiPort}`,
        "COLOR",
        COLOR,
      ],
      stdin: "null",
      signal: AbortSignal.timeout(config.timeoutMs),
    }).output();
    check(
      send.code === 0,
      `send COLOR ${COLOR} exits 0`,
      () => `exit ${send.code}: ${JSON.stringify(decoder.decode(send.stderr).slice(0, 300))}`,
    );
    await inLamp(`apply COLOR #${COLOR}`, () =>
      lamp.waitFor(
        `a "command" line with COLOR #${COLOR}`,
        (r) => r.event === "command" && r.command === "COLOR" && r.value === `#${COLOR}`,
        config.timeoutMs,
      ));
    pass(`the lamp applied COLOR #${COLOR}`);

    for (const [process, name] of [[lamp, "lamp"], [stand, "stand"]] as const) {
      signal.stop(process.child);
      const { code, stderr } = await stepOf(process, name)(
        `stop on ${signal.name}`,
        () => process.end(config.timeoutMs),
      );
      const last = process.lines.at(-1)?.record?.event;
      check(
        code === 0 && last === "stopped",
        `the ${name} stopped on ${signal.name}: exit 0, last line "stopped"`,
        () =>
          `exit ${code}, last event ${JSON.stringify(last)}, stderr ${
            JSON.stringify(stderr.slice(0, 300))
          }\n${process.tail()}`,
      );
      if (name === "lamp") {
        const closed = await inStand("log the lamp's close", () =>
          stand.waitFor(
            `a "lamp_disconnected" or "lamp_dropped" line`,
            (r) => r.event === "lamp_disconnected" || r.event === "lamp_dropped",
            config.timeoutMs,
          ));
        check(
          closed.event === "lamp_disconnected" && closed.reason === CLEAN_CLOSE,
          `the stand logged a clean lamp close ("${CLEAN_CLOSE}")`,
          () => JSON.stringify(closed),
        );
      }
    }
  } finally {
    await Promise.all(started.map((process) => process.kill()));
  }
  const man = await new Deno.Command(config.command[0], {
    args: [...config.command.slice(1), "manpage"],
    stdin: "null",
    signal: AbortSignal.timeout(config.timeoutMs),
  }).output();
  const page = decoder.decode(man.stdout);
  check(
    man.code === 0 && page.startsWith(`.TH FLASHLIGHT 1 "" "${expected}"`),
    "manpage prints flashlight.1",
    () => `exit ${man.code}, printed ${JSON.stringify(page.slice(0, 200))}`,
  );
}

async function main(args: string[]): Promise<number> {
  let config: SmokeConfig;
  try {
    config = parseSmokeArgs(args, {
      command: [Deno.execPath(), "run", "-q", ...PERMISSION_FLAGS, MAIN_TS],
      version: VERSION,
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`smoke: ${error.message}\n${wrapHelp(SMOKE_USAGE, PIPED_HELP_WIDTH)}`);
    return 2;
  }
  if (config.help) {
    console.log(wrapHelp(SMOKE_USAGE, helpWidth()));
    return 0;
  }
  if (config.target !== undefined && config.target !== Deno.build.target) {
    console.error(
      `smoke: FAILED: this runner is ${Deno.build.target}, not ${config.target}: not native`,
    );
    return 1;
  }
  console.log(`smoke: ${config.command.join(" ")} on ${Deno.build.target}`);
  const signal = stopSignalFor(Deno.build.os);
  try {
    await withTimeout(run(config, signal), 10 * config.timeoutMs, "the smoke test took too long");
  } catch (error) {
    const known = error instanceof SmokeFailure || error instanceof Deno.errors.NotFound;
    console.error(`smoke: FAILED: ${known ? error.message : (error as Error).stack}`);
    return 1;
  } finally {
    signal.close();
  }
  console.log("smoke: every check passed");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
