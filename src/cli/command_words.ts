/**
 * A lamp's ADDRESS that is really a command typed wrong or in the wrong place: `flashlight serv`,
 * `flashlight version`, `flashlight ON`. Such a word would otherwise be a host name the lamp tries
 * to reach for ever. Pure.
 *
 * @module
 */
import { closestName } from "./closest_name.ts";

/** The words `flashlight` takes first: its commands. */
export const COMMAND_WORDS: readonly string[] = ["serve", "send", "completions", "manpage"];

/**
 * What to say when an ADDRESS is a bare word (no `:`, `.` or `,`) that names a command, is a
 * near-miss of one, or names a protocol command (`ON`, which `send` sends); `undefined` for any
 * other word. A host with such a name is still reached with its port (`serve:9999`).
 *
 * @param words The positional arguments as typed; the first is the ADDRESS.
 * @param protocol The protocol's command names (from the command table), plus `FRAME`.
 * @returns The message, or `undefined`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { misplacedCommand } from "./command_words.ts";
 * assertEquals(
 *   misplacedCommand(["serv"], ["ON", "OFF"]),
 *   'unknown command "serv": did you mean serve? (a host named serv: give its port, serv:9999)',
 * );
 * assertEquals(misplacedCommand(["lamps"], ["ON", "OFF"]), undefined);
 * ```
 */
export function misplacedCommand(
  words: readonly string[],
  protocol: readonly string[],
): string | undefined {
  const [word, ...rest] = words;
  if (word === undefined || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(word)) return undefined;
  const host = ` (a host named ${word}: give its port, ${word}:9999)`;
  const sent = protocol.find((name) => name.toLowerCase() === word.toLowerCase());
  if (sent !== undefined) {
    return `${sent} is sent with: flashlight send ${[sent, ...rest].join(" ")}${host}`;
  }
  const lower = word.toLowerCase();
  if (lower === "help") return undefined;
  if (lower === "version") return `unknown command "${word}": did you mean --version?${host}`;
  if (COMMAND_WORDS.includes(lower)) {
    return `${lower} is a command: write it first, flashlight ${lower} [flags]${host}`;
  }
  const guess = closestName(word, [...COMMAND_WORDS, "help", "version"]);
  if (guess === undefined) return undefined;
  const shown = guess === "version" ? "--version" : guess;
  return `unknown command ${JSON.stringify(word)}: did you mean ${shown}?${host}`;
}
