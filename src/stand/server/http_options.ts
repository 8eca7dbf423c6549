/**
 * The HTTP server's limits and hooks, with every default in one place.
 *
 * @module
 */

/** What the server reports about a refused request or a failed handler. */
export interface HttpErrorReport {
  /** The status answered (0 when the connection was closed without an answer). */
  readonly status: number;
  /** What was wrong. */
  readonly message: string;
  /** The client. */
  readonly remote: Deno.NetAddr;
  /** The request method, once the request line was read. */
  readonly method?: string;
  /** The request path, once the request line was read. */
  readonly path?: string;
  /** What a handler threw (status 500). */
  readonly error?: unknown;
}

/** Limits and hooks of one HTTP server. */
export interface HttpOptions {
  /** Most bytes of request line plus header fields (more: 431). */
  readonly maxHeaderBytes: number;
  /** Time for the request head from connect (or from its first byte on a kept-alive connection), in ms. */
  readonly headerTimeoutMs: number;
  /** Time a kept-alive connection may wait for its next request, in ms. */
  readonly idleTimeoutMs: number;
  /** Requests served on one connection before it is closed. */
  readonly maxRequestsPerConnection: number;
  /** Most request body bytes (more: 413). */
  readonly maxBodyBytes: number;
  /** Time for the whole request body from the end of its head, in ms (then: 408). */
  readonly bodyTimeoutMs: number;
  /** Time one response write may take before the connection is dropped, in ms. */
  readonly writeTimeoutMs: number;
  /** Builds the response for a refusal (400, 408, 413, 431, 500, 501, 505). */
  readonly errorResponse: (status: number, message: string) => Response;
  /** Reports each refused request and each handler failure. */
  readonly onError: (report: HttpErrorReport) => void;
}

/**
 * The defaults: 16 KiB of head within 5 s, 30 s idle keep-alive, 1,000 requests per connection,
 * 1 MiB bodies within 10 s, 30 s per write, plain-text refusals, no reports.
 *
 * @returns A fresh copy.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defaultHttpOptions } from "./http_options.ts";
 * assertEquals(defaultHttpOptions().maxHeaderBytes, 16384);
 * ```
 */
export function defaultHttpOptions(): HttpOptions {
  return {
    maxHeaderBytes: 16 * 1024,
    headerTimeoutMs: 5000,
    idleTimeoutMs: 30_000,
    maxRequestsPerConnection: 1000,
    maxBodyBytes: 1024 * 1024,
    bodyTimeoutMs: 10_000,
    writeTimeoutMs: 30_000,
    errorResponse: (status, message) =>
      new Response(`${message}\n`, { status, headers: { "content-type": "text/plain" } }),
    onError: () => {},
  };
}
