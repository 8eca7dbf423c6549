/**
 * The line `send` prints on a terminal for a command the stand took: what was sent and to how
 * many lamps, in words (piped, `send` prints the stand's JSON instead, for scripts). Pure.
 *
 * @module
 */
import { escapeText } from "../log/escape_text.ts";

/** What lamps do with a frame, as the stand's `effect` says, in words. */
const EFFECT_TEXT: Readonly<Record<string, string>> = {
  unknown: "skipped: unknown type",
  malformed: "ignored: malformed",
};

/**
 * Says a successful answer in one line: `COLOR #ff0000 → 3 lamps`. Every field is the stand's
 * text, so it is escaped.
 *
 * @param answer The stand's parsed answer (`command`, `value`, `effect`, `lamps`, `frame`).
 * @returns The line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sendSummary } from "./send_summary.ts";
 * assertEquals(
 *   sendSummary({ command: "COLOR", value: "#ff0000", effect: "applied", lamps: 3 }),
 *   "COLOR #ff0000 → 3 lamps",
 * );
 * ```
 */
export function sendSummary(answer: Record<string, unknown>): string {
  const { command, value, effect, lamps, frame } = answer;
  const text = (field: unknown) => typeof field === "string" ? escapeText(field) : "";
  // A raw frame's type, in decimal as `send FRAME TYPE HEX` takes it: the frame's first byte.
  const type = command === "FRAME" && typeof frame === "string"
    ? /^[0-9a-f]{2}\b/.exec(frame)
    : null;
  const count = typeof lamps === "number" && Number.isSafeInteger(lamps) ? lamps : undefined;
  const notes = [
    count === 0 ? "none connected" : "",
    typeof effect === "string" && Object.hasOwn(EFFECT_TEXT, effect) ? EFFECT_TEXT[effect] : "",
  ].filter(Boolean);
  const sent = [text(command) || "?", type ? String(parseInt(type[0], 16)) : "", text(value)]
    .filter(Boolean).join(" ");
  const target = `${count ?? "?"} ${count === 1 ? "lamp" : "lamps"}`;
  return `${sent} → ${target}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}
