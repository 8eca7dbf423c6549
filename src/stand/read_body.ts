/**
 * Reads a request body with a size limit and a deadline, so junk cannot exhaust the stand.
 *
 * @module
 */
import { ApiError } from "./api_error.ts";
import { concat } from "@std/bytes/concat";
import { HttpError } from "./server/http_error.ts";

/** A body left unread must not keep the connection open. */
const CLOSE = { connection: "close" };

/**
 * Reads the whole body, refusing one over `limit` bytes (413) or slower than `timeoutMs` (408).
 *
 * @param request The request.
 * @param limit The most bytes accepted.
 * @param timeoutMs The time allowed for the whole body.
 * @returns The body bytes.
 * @throws {ApiError} 413 when too large, 408 when too slow.
 * @example
 * ```ts
 * import { readLimitedBody } from "./read_body.ts";
 * await readLimitedBody(new Request("http://x/", { method: "POST", body: "{}" }), 16384, 1000);
 * ```
 */
export async function readLimitedBody(
  request: Request,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) {
    throw new ApiError(413, `body too large: ${declared} bytes (max ${limit})`, CLOSE);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new ApiError(413, `body too large: over ${limit} bytes`, CLOSE);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // The server's own limits on the stream (413 over its byte limit, 408 past its deadline).
    const cause = { cause: error };
    if (error instanceof HttpError) throw new ApiError(error.status, error.message, CLOSE, cause);
    if (timedOut) {
      throw new ApiError(408, `body not received within ${timeoutMs} ms`, CLOSE, cause);
    }
    throw new ApiError(400, `body could not be read: ${(error as Error).message}`, {}, cause);
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new ApiError(408, `body not received within ${timeoutMs} ms`, CLOSE);
  return concat(chunks);
}
