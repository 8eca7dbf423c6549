/**
 * Writes a web `Response` on an HTTP/1.1 connection: small bodies with `content-length` in one
 * write, longer ones chunked (or, to HTTP/1.0, up to the close), none for `HEAD`.
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { encodeResponseHead } from "./response_head.ts";

/** Bodies up to this size are sent with `content-length`; longer ones stream. */
const BUFFERED_BODY = 64 * 1024;
const encoder = new TextEncoder();

/** How the response is to be framed. */
export interface ResponseFraming {
  /** The request was `HEAD`: headers only (with the length a `GET` would get). */
  readonly head: boolean;
  /** The request's minor HTTP version (0: no chunked coding). */
  readonly minorVersion: 0 | 1;
  /** The connection ends after this response (`connection: close` is sent). */
  readonly close: boolean;
}

/**
 * Writes the response.
 *
 * @param response The handler's response.
 * @param framing `HEAD`, the HTTP version and whether the connection ends after it.
 * @param write Writes bytes on the connection.
 * @returns Whether the connection must end after it (also when an HTTP/1.0 body runs to the close).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeResponse } from "./response_writer.ts";
 * const out: Uint8Array[] = [];
 * await writeResponse(new Response("hi"), { head: false, minorVersion: 1, close: true }, async (b) => {
 *   out.push(b);
 * });
 * const text = new TextDecoder().decode(out[0]);
 * assertEquals([text.startsWith("HTTP/1.1 200 OK\r\n"), text.endsWith("\r\n\r\nhi")], [true, true]);
 * ```
 */
export async function writeResponse(
  response: Response,
  framing: ResponseFraming,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<boolean> {
  const status = response.status;
  const bodyless = status === 204 || status === 304 || status < 200;
  const parts: Uint8Array[] = [];
  let size = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let ended = true;
  if (response.body && !bodyless) {
    reader = response.body.getReader();
    ended = false;
    while (size <= BUFFERED_BODY) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      parts.push(value);
      size += value.length;
    }
  }
  const streaming = !ended && !framing.head;
  const chunked = streaming && framing.minorVersion === 1;
  const close = framing.close || (streaming && !chunked); // HTTP/1.0: the close ends the body
  const extra: [string, string][] = [];
  if (ended && !bodyless) extra.push(["content-length", String(size)]);
  if (chunked) extra.push(["transfer-encoding", "chunked"]);
  if (close) extra.push(["connection", "close"]);
  else if (framing.minorVersion === 0) extra.push(["connection", "keep-alive"]);
  extra.push(["date", new Date().toUTCString()]);
  const head = encodeResponseHead(status, response.headers, extra);
  if (framing.head || bodyless) {
    await reader?.cancel().catch(() => {});
    await write(head);
  } else if (ended) {
    await write(concat([head, ...parts]));
  } else {
    await write(concat([head, ...(chunked ? parts.map(chunk) : parts)]));
    for (;;) {
      const { value, done } = await reader!.read();
      if (done) break;
      if (value.length > 0) await write(chunked ? chunk(value) : value);
    }
    if (chunked) await write(encoder.encode("0\r\n\r\n"));
  }
  return close;
}

function chunk(bytes: Uint8Array): Uint8Array {
  return concat([
    encoder.encode(`${bytes.length.toString(16)}\r\n`),
    bytes,
    encoder.encode("\r\n"),
  ]);
}
