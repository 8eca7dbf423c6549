/**
 * Dispatches the command line to the lamp (default), `serve` or `send`, and turns errors into
 * exit codes. A first argument `serve` or `send` names the command; anything else is the lamp's.
 * The stand and `send` are imported only when used, so the lamp starts with only its own code.
 *
 * @module
 */
import { escapeControls } from "../log/escape_text.ts";
import { EXIT } from "./exit_codes.ts";
import { runLamp } from "./run_lamp.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Runs flashlight with the given arguments.
 *
 * @param args The arguments after the program name.
 * @returns The exit code.
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["--version"]));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  try {
    // `deno task start -- ARGS` (an npm habit) passes the `--` on: it ends no flags here.
    const words = args[0] === "--" ? args.slice(1) : args;
    const [command, ...given] = words;
    const rest = given[0] === "--" ? given.slice(1) : given;
    // The stand and send are loaded only when asked for: a lamp starts without their code.
    if (command === "serve") return await (await import("./run_serve.ts")).runServe(rest);
    if (command === "send") return await (await import("./run_send.ts")).runSend(rest);
    if (command === "completions" || command === "manpage") {
      return await (await import("./run_docs.ts")).runDocs(command, rest);
    }
    return await runLamp(words);
  } catch (error) {
    if (error instanceof UsageError) {
      // The same prefix as the command's other messages (`flashlight serve: …`).
      const program = error.command === "lamp" ? "flashlight" : `flashlight ${error.command}`;
      console.error(
        `${program}: ${escapeControls(error.message)}\nRun '${program} --help' for usage.`,
      );
      return EXIT.usage;
    }
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    console.error(`flashlight: internal error: ${escapeControls(text)}`);
    return EXIT.internal;
  }
}
