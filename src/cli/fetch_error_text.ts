/**
 * Why `send`'s request failed, in the lamp's words. `fetch` throws a `TypeError("fetch failed")`
 * and keeps the reason in its cause as text only (no class or code): the texts matched here are
 * the ones Deno 2.9.6 writes, one case each in `tests/error_text_test.ts`. Pure.
 *
 * @module
 */
import { describeTlsFailure, isLookupFailure } from "../net/error_text.ts";
import { DEFAULT_STAND_OPTIONS } from "../stand/stand_options.ts";

/** What hyper says of an answer that is no HTTP (a lamp port sends the lamps' frames). */
const NOT_HTTP = /invalid HTTP|HTTP version|unexpected message from connection/i;

/**
 * Describes why a request to the stand's API failed.
 *
 * @param error What `fetch` (or reading its body) threw.
 * @param api Where the request went, for the hints.
 * @param timeoutMs The time the request had.
 * @returns `connection refused`, `dns lookup failed`, `tls: …`, `no answer in 10 s (…)`, …
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeFetchError } from "./fetch_error_text.ts";
 * const refused = new TypeError("fetch failed", {
 *   cause: new Error(
 *     "error sending request for url (http://127.0.0.1:9000/): client error (Connect): tcp connect error: Connection refused (os error 111)",
 *   ),
 * });
 * assertEquals(describeFetchError(refused, new URL("http://127.0.0.1:9000/"), 10_000), "connection refused");
 * ```
 */
export function describeFetchError(error: unknown, api: URL, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `no answer in ${
      timeoutMs / 1000
    } s (is ${api.host} the stand's API port, not its lamp port?)`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(cause instanceof Error)) return String(cause);
  if (NOT_HTTP.test(cause.message)) {
    return `it does not speak HTTP (a lamp port? the API is on serve's --api-port, default ${DEFAULT_STAND_OPTIONS.apiPort})`;
  }
  // "error sending request for url (…): client error (Connect): tcp connect error: Refused…"
  const reason = cause.message.replace(/^.*\): /, "").replace(/^tcp connect error: /, "");
  if (isLookupFailure(reason)) return "dns lookup failed";
  const tls = describeTlsFailure(reason);
  if (tls) return tls;
  const words = reason.replace(/\s*\(os error \d+\)/, "").toLowerCase();
  // A TLS port closes on a plain HTTP request without a word.
  return api.protocol === "http:" && words === "connection closed before message completed"
    ? `${words} (does the stand serve https? try --api https://${api.host})`
    : words;
}
