/**
 * An error the API answers with: an HTTP status, a message for the client and any headers the
 * answer needs (`Allow` with a 405, `Connection: close` after an unread body).
 *
 * @module
 */

/** A client error with the HTTP status to answer (400, 403, 404, 405, 408, 413, 422, 503…). */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Headers for the answer. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * An error answered with its status and headers.
   * @param status The HTTP status.
   * @param message What was wrong, with the offending value.
   * @param headers Headers for the answer.
   * @param options The error that caused it (`cause`), kept for logs and debugging.
   */
  constructor(
    status: number,
    message: string,
    headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ApiError";
    this.status = status;
    this.headers = headers;
  }
}
