/**
 * Asks for the server address on a terminal until the answer is valid.
 *
 * @module
 */
import { type Address, DEFAULT_ADDRESS, parseAddressList } from "../net/address.ts";

/** The question, with the default in brackets. */
export const ADDRESS_QUESTION = `Server address [${DEFAULT_ADDRESS}]:`;

/**
 * Asks until the answer parses: Enter takes the default, a bad answer gets its reason and the
 * question again, end of input (Ctrl-D) gives `null`.
 *
 * @param ask Shows the question and returns the answer, or `null` at end of input (like the
 *   global `prompt` without a pre-filled default).
 * @param tell Shows a one-line reason.
 * @returns The addresses, or `null` when the user ended input.
 * @example
 * ```ts
 * import { promptAddress } from "./prompt_address.ts";
 * promptAddress(() => "", () => {}); // [{ hostname: "127.0.0.1", port: 9999 }]
 * ```
 */
export function promptAddress(
  ask: (question: string) => string | null,
  tell: (line: string) => void,
): Address[] | null {
  for (;;) {
    const answer = ask(ADDRESS_QUESTION);
    if (answer === null) return null;
    try {
      return parseAddressList(answer.trim() === "" ? DEFAULT_ADDRESS : answer);
    } catch (error) {
      tell(`${(error as Error).message}. Try again, or press Enter for ${DEFAULT_ADDRESS}.`);
    }
  }
}
