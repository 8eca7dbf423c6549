/**
 * The `send` command: post one command to the stand's API and print the answer.
 *
 * @module
 */
import { EXIT } from "./exit_codes.ts";
import { SEND_USAGE } from "./help.ts";
import { parseSendArgs } from "./send_args.ts";

/**
 * Posts the command and prints the stand's answer.
 *
 * @param args The arguments after `send`.
 * @returns 0 on success, 3 when the stand is unreachable, 4 when it answered with an error.
 * @throws {UsageError} On a bad command line.
 * @example
 * ```ts ignore
 * import { runSend } from "./run_send.ts";
 * Deno.exit(await runSend(["COLOR", "ff0000"]));
 * ```
 */
export async function runSend(args: string[]): Promise<number> {
  const config = parseSendArgs(args);
  if (config.help) {
    console.log(SEND_USAGE);
    return EXIT.ok;
  }
  let response: Response;
  let answer: { ok?: boolean; error?: string };
  try {
    response = await fetch(config.api, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(config.body),
      signal: AbortSignal.timeout(10_000),
    });
    answer = await response.json();
  } catch (error) {
    console.error(
      `flashlight send: stand unreachable at ${config.api}: ${(error as Error).message}`,
    );
    return EXIT.unavailable;
  }
  if (!response.ok || answer.ok !== true) {
    console.error(`flashlight send: ${response.status} ${answer.error ?? response.statusText}`);
    return EXIT.rejected;
  }
  console.log(JSON.stringify(answer));
  return EXIT.ok;
}
