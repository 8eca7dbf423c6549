/**
 * `deno task demo`: the stand and one lamp in this terminal. Open the printed URL, press the
 * buttons, watch the lamp; Ctrl-C stops both cleanly.
 *
 * Usage: deno task demo [--lamp-port N] [--api-port N] [--web-port N]
 *
 * @module
 */
import { EXIT } from "../src/cli/exit_codes.ts";
import { integerFlag, parseFlags, renderFlagHelp } from "../src/cli/flags.ts";
import { runLamp } from "../src/cli/run_lamp.ts";
import { helpWidth, PIPED_HELP_WIDTH, wrapHelp } from "../src/cli/wrap_help.ts";
import { SERVE_FLAGS } from "../src/cli/serve_args.ts";
import { LogWriter } from "../src/log/log_writer.ts";
import { OutputWriter } from "../src/log/output_writer.ts";
import { startStand } from "../src/stand/stand.ts";
import { standOptions } from "../src/stand/stand_options.ts";

const FLAGS = SERVE_FLAGS.filter((flag) =>
  ["lamp-port", "api-port", "web-port", "help"].includes(flag.name)
);
const USAGE = `deno task demo — the stand and one lamp in this terminal

Usage:
  deno task demo [flags]

Flags:
${renderFlagHelp(FLAGS)}`;

let values;
try {
  ({ values } = parseFlags(Deno.args, FLAGS, "demo"));
} catch (error) {
  console.error(`demo: ${(error as Error).message}\n\n${wrapHelp(USAGE, PIPED_HELP_WIDTH)}`);
  Deno.exit(EXIT.usage);
}
if (values.get("help")) {
  console.log(wrapHelp(USAGE, helpWidth()));
  Deno.exit(EXIT.ok);
}
const defaults = standOptions();
const port = (name: string, fallback: number) => {
  const text = values.get(name) as string | undefined;
  try {
    return text === undefined ? fallback : integerFlag(text, name, 0, 65535, "demo");
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    Deno.exit(EXIT.usage);
  }
};
const options = standOptions({
  lampPort: port("lamp-port", defaults.lampPort),
  apiPort: port("api-port", defaults.apiPort),
  webPort: port("web-port", defaults.webPort),
});
const log = new LogWriter(new OutputWriter(Deno.stderr), { format: "text", level: "error" });
let stand;
try {
  stand = await startStand({ ...options, log: (record, level) => log.log(record, level) });
} catch (error) {
  console.error(`demo: ${(error as Error).message} (is a stand already running?)`);
  Deno.exit(EXIT.unavailable);
}
console.log(`Stand page:  http://127.0.0.1:${stand.ports.web}/`);
console.log(`JSON API:    http://127.0.0.1:${stand.ports.api}/`);
console.log(`Try:         deno task send ON --api http://127.0.0.1:${stand.ports.api}`);
console.log("Ctrl-C stops the lamp and the stand.\n");
const code = await runLamp([`127.0.0.1:${stand.ports.lamp}`]);
await stand.close();
await log.flush(1000);
Deno.exit(code);
