/**
 * A server or proxy that answered, but refused the lamp: an HTTP status in words. Retried with
 * backoff like a network failure (the stand may be given the right token, the proxy its rule).
 *
 * @module
 */

/**
 * Thrown when a proxy refuses to open a tunnel or a stand refuses a WebSocket lamp.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { RefusedError } from "./refused_error.ts";
 * const error = new RefusedError(407, "the proxy needs credentials (407)");
 * assertEquals([error.status, error.message], [407, "the proxy needs credentials (407)"]);
 * ```
 */
export class RefusedError extends Error {
  /** The HTTP status of the refusal. */
  readonly status: number;

  /**
   * A refusal said in words.
   * @param status The HTTP status.
   * @param message What was refused and why, in words, for a log line.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "RefusedError";
    this.status = status;
  }
}
