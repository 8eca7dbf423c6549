/**
 * What went wrong with Redis, in words for a log line, `/readyz` and a 503: the lamp's words for
 * connection failures (as the log escapes them), Redis's own answers quoted and escaped (they are
 * network text). Pure.
 *
 * @module
 */
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  ErrorReply,
  SocketTimeoutError,
} from "redis";
import { describeError } from "../../net/connection_errors.ts";
import { quoteWireText } from "./wire_text.ts";

/**
 * Describes an error from the Redis client or from Redis.
 *
 * @param error What a connection or a command failed with.
 * @returns `connection refused`, `server closed the connection`, `Redis answered "OOM …"`, …
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ErrorReply } from "redis";
 * import { describeRedisError } from "./redis_error_text.ts";
 * const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
 *   code: "ECONNREFUSED",
 * });
 * assertEquals(describeRedisError(refused), "connection refused");
 * assertEquals(describeRedisError(new ErrorReply("ERR bad\x1b[2J")), 'Redis answered "ERR bad\\u001b[2J"');
 * ```
 */
export function describeRedisError(error: unknown): string {
  if (error instanceof ErrorReply) return `Redis answered ${quoteWireText(error.message, 120)}`;
  if (error instanceof ConnectionTimeoutError) return "connect timed out";
  if (error instanceof SocketTimeoutError) return "Redis sent nothing for too long";
  if (error instanceof ClientClosedError || error instanceof ClientOfflineError) {
    return "not connected";
  }
  return describeError(error);
}
