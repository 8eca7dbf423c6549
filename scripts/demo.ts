/**
 * `deno task demo`: the stand and one lamp in this terminal. Open the printed URL, press the
 * buttons, watch the lamp; Ctrl-C stops both cleanly. Extra arguments go to the lamp.
 *
 * @module
 */
import { EXIT } from "../src/cli/exit_codes.ts";
import { runLamp } from "../src/cli/run_lamp.ts";
import { LogWriter } from "../src/log/log_writer.ts";
import { startStand } from "../src/stand/stand.ts";

const log = new LogWriter(Deno.stderr, { format: "text", level: "error" });
let stand;
try {
  stand = await startStand({
    hostname: "127.0.0.1",
    lampPort: 9999,
    apiPort: 9000,
    webPort: 8888,
    sync: true,
    queueLimit: 1 << 20,
    log: (record, level) => log.log(record, level),
  });
} catch (error) {
  console.error(`demo: ${(error as Error).message} (is a stand already running?)`);
  Deno.exit(EXIT.unavailable);
}
console.log(`Stand page:  http://127.0.0.1:${stand.ports.web}/`);
console.log(
  `JSON API:    http://127.0.0.1:${stand.ports.api}/   (try: deno task send COLOR ff0000)`,
);
console.log("Ctrl-C stops the lamp and the stand.\n");
const code = await runLamp([`127.0.0.1:${stand.ports.lamp}`, ...Deno.args]);
await stand.close();
log.flush();
Deno.exit(code);
