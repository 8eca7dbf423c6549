/**
 * Dispatches the command line to the lamp (default), `serve` or `send`, and turns errors into
 * exit codes. A first argument `serve` or `send` names the command; anything else is the lamp's.
 *
 * @module
 */
import { EXIT } from "./exit_codes.ts";
import { runLamp } from "./run_lamp.ts";
import { runSend } from "./run_send.ts";
import { runServe } from "./run_serve.ts";
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
    const [command, ...rest] = args;
    if (command === "serve") return await runServe(rest);
    if (command === "send") return await runSend(rest);
    return await runLamp(args);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command === "lamp"
        ? "flashlight --help"
        : `flashlight ${error.command} --help`;
      console.error(`flashlight: ${error.message}\nRun '${help}' for usage.`);
      return EXIT.usage;
    }
    console.error(`flashlight: internal error: ${error instanceof Error ? error.stack : error}`);
    return EXIT.internal;
  }
}
