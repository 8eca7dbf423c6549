/**
 * An HTTP-level refusal: a status and a message for the client.
 *
 * @module
 */

/**
 * A request the server refuses (400 malformed, 408 too slow, 413 body too large, 431 header too
 * large, 501 not implemented, 505 version), or a handler's way to answer with a status: an
 * `HttpError` thrown by a handler becomes its status, not a 500.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { HttpError } from "./http_error.ts";
 * assertEquals(new HttpError(431, "header over 16384 bytes").status, 431);
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status to answer with. */
  readonly status: number;

  /**
   * An error answered with its status.
   * @param status The HTTP status.
   * @param message What was wrong, with the offending value where it is safe to repeat.
   * @param options The error that caused it (`cause`).
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }
}
