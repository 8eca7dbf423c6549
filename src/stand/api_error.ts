/**
 * An error the API answers with: an HTTP status and a message for the client.
 *
 * @module
 */

/** A client error with the HTTP status to answer (400, 403, 404, 405, 408, 413, 422, 503). */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;

  /**
   * @param status The HTTP status.
   * @param message What was wrong, with the offending value.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}
