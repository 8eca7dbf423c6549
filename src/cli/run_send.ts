/**
 * The `send` command: post one command to the stand's API and print the answer.
 *
 * @module
 */
import { escapeText, safeJson } from "../log/escape_text.ts";
import { EXIT } from "./exit_codes.ts";
import { readFlagFile } from "./read_flag_file.ts";
import { UsageError } from "./usage_error.ts";
import { parseSendArgs, SEND_USAGE } from "./send_args.ts";
import { DEFAULT_STAND_OPTIONS } from "../stand/stand_options.ts";
import type { CommandTable } from "../commands/command_table.ts";
import { sendSummary } from "./send_summary.ts";
import { describeFetchError } from "./fetch_error_text.ts";
import { helpWidth, wrapHelp } from "./wrap_help.ts";
import { VERSION } from "../version.ts";

/** The most of an answer `send` reads: the stand's answers are a few hundred bytes. */
const ANSWER_LIMIT = 64 * 1024;

/** How long `send` waits for the stand's answer. */
const ANSWER_TIMEOUT_MS = 10_000;

/** Reads `--ca`, refusing a file that holds no PEM certificate. */
async function readCa(path: string): Promise<string> {
  const pem = await readFlagFile("--ca", path, "send");
  // Loaded only here: node:crypto would slow every send's start.
  const { checkCertificate } = await import("../net/certificate_checks.ts");
  try {
    checkCertificate(pem, "CA");
  } catch (error) {
    throw new UsageError(`--ca: ${JSON.stringify(path)} is not a PEM certificate`, "send", {
      cause: error,
    });
  }
  return pem;
}

/** Reads at most `limit` bytes of a body; `null` when there is more. */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) bytes.set(chunk, (offset += chunk.length) - chunk.length);
  return new TextDecoder().decode(bytes);
}

/**
 * Posts the command and prints the stand's answer: on a terminal in words (`COLOR #ff0000 → 3
 * lamps`), piped as the stand's JSON. Whatever the server says is printed escaped: its text never
 * reaches the terminal raw.
 *
 * @param args The arguments after `send`.
 * @param table The commands to check against (the built-in ones by default).
 * @returns 0 on success, 3 when the stand is unreachable, cannot take commands now (503) or its
 *   answer is not the API's, 4 when it refused the command.
 * @throws {UsageError} On a bad command line.
 * @example
 * ```ts ignore
 * import { runSend } from "./run_send.ts";
 * Deno.exit(await runSend(["COLOR", "ff0000"]));
 * ```
 */
export async function runSend(args: readonly string[], table?: CommandTable): Promise<number> {
  const config = parseSendArgs(args, (name) => Deno.env.get(name), table);
  if (config.help || config.version) {
    console.log(config.help ? wrapHelp(SEND_USAGE, helpWidth()) : `flashlight ${VERSION}`);
    return EXIT.ok;
  }
  const say = (text: string) => console.error(`flashlight send: ${escapeText(text)}`);
  const client = config.caFile === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [await readCa(config.caFile)] });
  let response: Response;
  let text: string | null;
  try {
    response = await fetch(config.api, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
      },
      body: JSON.stringify(config.body),
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      // A redirect is not followed: the command would be posted to wherever it points.
      redirect: "manual",
      client,
    });
    text = await readCapped(response, ANSWER_LIMIT);
  } catch (error) {
    say(
      `stand unreachable at ${config.api}: ${
        describeFetchError(error, config.api, ANSWER_TIMEOUT_MS)
      }`,
    );
    return EXIT.unavailable;
  } finally {
    client?.close();
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    say(
      `${config.api} answered ${response.status} ${response.statusText}, a redirect${
        location ? ` to ${location}` : ""
      }: not followed, the command was not taken (give the stand's API with --api)`,
    );
    return EXIT.rejected;
  }
  if (response.status === 405) {
    say(
      `${config.api} answered 405 (POST not allowed): it is not the stand's API (the page's port?); the API is on serve's --api-port, default ${DEFAULT_STAND_OPTIONS.apiPort}`,
    );
    return EXIT.unavailable;
  }
  if (text === null) {
    say(
      `${config.api} answered ${response.status} with more than ${ANSWER_LIMIT} bytes: not a flashlight stand?`,
    );
    return EXIT.unavailable;
  }
  let answer: { ok?: unknown; error?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    say(
      `${config.api} answered ${response.status} with something that is not JSON: not a flashlight stand?`,
    );
    return EXIT.unavailable;
  }
  if (!response.ok || answer?.ok !== true) {
    const reason = typeof answer?.error === "string" ? answer.error : response.statusText;
    if (response.status === 503) {
      say(`the stand cannot take commands now (503 ${reason}); try again`);
      return EXIT.unavailable;
    }
    const hint = response.status === 401 ? " (give it with --token or FLASHLIGHT_TOKEN)" : "";
    say(`${response.status} ${reason}${hint}`);
    return EXIT.rejected;
  }
  // A person gets a line in words; a pipe (a script) gets the stand's answer as JSON.
  console.log(
    Deno.stdout.isTerminal()
      ? sendSummary(answer as Record<string, unknown>)
      : safeJson(JSON.stringify(answer)),
  );
  return EXIT.ok;
}
