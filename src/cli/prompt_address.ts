/**
 * Asks for the server address on the terminal until the answer is valid. The question and the
 * answer stay on the terminal (stderr and stdin): stdout carries only the lamp's output.
 *
 * @module
 */
import { type Address, DEFAULT_ADDRESS, parseAddressList } from "../net/address.ts";

/** The question, with the default in brackets. */
export const ADDRESS_QUESTION = `Server address [${DEFAULT_ADDRESS}]: `;

/**
 * Asks until the answer parses: Enter takes the default, a bad answer gets its reason and the
 * question again, end of input (Ctrl-D) gives `null`.
 *
 * @param ask Shows the question and resolves with the answer, or `null` at end of input.
 * @param tell Shows a one-line reason.
 * @returns The addresses, or `null` when the user ended input.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { promptAddress } from "./prompt_address.ts";
 * const answers = ["http://x", ""];
 * const told: string[] = [];
 * const addresses = await promptAddress(() => Promise.resolve(answers.shift()!), (l) => told.push(l));
 * assertEquals(addresses, [{ hostname: "127.0.0.1", port: 9999 }]);
 * assertEquals(told.length, 1);
 * ```
 */
export async function promptAddress(
  ask: (question: string) => Promise<string | null>,
  tell: (line: string) => void,
): Promise<Address[] | null> {
  for (;;) {
    const answer = await ask(ADDRESS_QUESTION);
    if (answer === null) return null;
    try {
      return parseAddressList(answer.trim() === "" ? DEFAULT_ADDRESS : answer);
    } catch (error) {
      tell(`${(error as Error).message}. Try again, or press Enter for ${DEFAULT_ADDRESS}.`);
    }
  }
}

/**
 * Asks one question on the terminal: the question on stderr, one line read from stdin (the
 * terminal echoes it itself). Nothing is pre-filled.
 *
 * @param question The question.
 * @returns The line without its newline, or `null` at end of input.
 * @example
 * ```ts ignore
 * import { askOnTerminal } from "./prompt_address.ts";
 * const answer = await askOnTerminal("Server address: ");
 * ```
 */
export async function askOnTerminal(question: string): Promise<string | null> {
  const encoder = new TextEncoder();
  const bytes = encoder.encode(question);
  for (let written = 0; written < bytes.length;) {
    written += Deno.stderr.writeSync(bytes.subarray(written));
  }
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1024);
  let line = "";
  for (;;) {
    const count = await Deno.stdin.read(buffer);
    if (count === null || count === 0) return line === "" ? null : line;
    line += decoder.decode(buffer.subarray(0, count), { stream: true });
    const end = line.indexOf("\n");
    if (end !== -1) return line.slice(0, end).replace(/\r$/, "");
    if (line.length > 4096) return line; // not an address; let the parser say why
  }
}
