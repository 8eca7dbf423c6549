/**
 * What an error from `listener.accept()` means for the accept loop: stop, wait, or go on. Pure.
 *
 * @module
 */

/**
 * - `closed`: the listener was closed; the loop ends.
 * - `exhausted`: the process or system is out of descriptors, buffers or memory; waiting helps.
 * - `peer`: one peer's connection failed (reset, aborted, a protocol error); the next may be fine.
 * - `unexpected`: anything else; the loop waits too (a tight loop on a lasting fault would spin).
 */
export type AcceptErrorKind = "closed" | "exhausted" | "peer" | "unexpected";

/** errno names (Deno sets `error.code`) that mean "out of a resource". */
const EXHAUSTED_CODES = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/** errno names a peer (or the network path to it) causes; accept(2) says to retry at once. */
const PEER_CODES = new Set([
  "ECONNABORTED",
  "ECONNRESET",
  "ENOTCONN",
  "EPROTO",
  "EPERM",
  "ENETDOWN",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EHOSTUNREACH",
  "ENONET",
  "ENOPROTOOPT",
  "EOPNOTSUPP",
  "ETIMEDOUT",
]);

const PEER_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.BrokenPipe,
  Deno.errors.UnexpectedEof,
  Deno.errors.InvalidData,
  Deno.errors.TimedOut,
];

/** Messages of exhaustion where no `code` is set (Windows, older runtimes). */
const EXHAUSTED_TEXT = /too many open files|no buffer space|cannot allocate memory|out of memory/i;

/**
 * Classifies an error thrown by `listener.accept()`.
 *
 * @param error What `accept()` threw.
 * @returns What the accept loop should do about it.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { classifyAcceptError } from "./accept_error.ts";
 * const emfile = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
 * assertEquals(classifyAcceptError(emfile), "exhausted");
 * assertEquals(classifyAcceptError(new Deno.errors.ConnectionReset("reset")), "peer");
 * assertEquals(classifyAcceptError(new Deno.errors.BadResource("closed")), "closed");
 * ```
 */
export function classifyAcceptError(error: unknown): AcceptErrorKind {
  if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
    return "closed";
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && EXHAUSTED_CODES.has(code)) return "exhausted";
  if (error instanceof Error && EXHAUSTED_TEXT.test(error.message)) return "exhausted";
  if (typeof code === "string" && PEER_CODES.has(code)) return "peer";
  if (PEER_ERRORS.some((kind) => error instanceof kind)) return "peer";
  return "unexpected";
}
