/**
 * A request body as a web `ReadableStream` that pulls from the connection only when the handler
 * reads, under a byte limit and a deadline.
 *
 * @module
 */
import type { BodyFraming } from "./body_framing.ts";
import { ChunkedDecoder } from "./chunked_decoder.ts";
import type { ConnReader } from "./conn_reader.ts";
import { HttpError } from "./http_error.ts";

/** A body being read. */
export interface RequestBody {
  /** The stream to give the `Request`. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Whether the whole body was read (the connection can then serve the next request). */
  readonly complete: () => boolean;
}

/** The limits on a body. */
export interface BodyLimits {
  /** Most bytes (more: the stream errors with a 413 `HttpError`). */
  readonly maxBodyBytes: number;
  /** Time from now for the whole body, in ms (then: a 408 `HttpError`). */
  readonly bodyTimeoutMs: number;
}

/**
 * Streams a request body from the connection's buffer: `Content-Length` or chunked, copied out
 * so the buffer can be reused.
 *
 * @param reader The connection's read buffer (the head already consumed).
 * @param framing How the body is delimited (not `none`).
 * @param limits The byte limit and the deadline.
 * @param beforeFirstRead Runs once before the first read (to send `100 Continue`).
 * @returns The stream and whether it has been read to the end.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ConnReader } from "./conn_reader.ts";
 * import { requestBody } from "./request_body.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept();
 * await client.write(new TextEncoder().encode("hello"));
 * const body = requestBody(new ConnReader(server), { kind: "length", length: 5 }, {
 *   maxBodyBytes: 100,
 *   bodyTimeoutMs: 1000,
 * });
 * assertEquals(await new Response(body.stream).text(), "hello");
 * assertEquals(body.complete(), true);
 * client.close();
 * server.close();
 * listener.close();
 * ```
 */
export function requestBody(
  reader: ConnReader,
  framing: BodyFraming,
  limits: BodyLimits,
  beforeFirstRead?: () => Promise<void>,
): RequestBody {
  const { maxBodyBytes, bodyTimeoutMs } = limits;
  const decoder = framing.kind === "chunked" ? new ChunkedDecoder() : null;
  let remaining = framing.kind === "length" ? framing.length : 0;
  let received = 0;
  let complete = false;
  let failed = false;
  let started = false;
  let control!: ReadableStreamDefaultController<Uint8Array>;
  const fail = (error: HttpError) => {
    if (failed || complete) return;
    failed = true;
    clearTimeout(timer);
    control.error(error);
  };
  const timer = setTimeout(
    () => fail(new HttpError(408, `body not received within ${bodyTimeoutMs} ms`)),
    bodyTimeoutMs,
  );
  /** Takes what the buffer holds; `true` when something was delivered or the body ended. */
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>): boolean => {
    const bytes = reader.buffered;
    let parts: Uint8Array[];
    if (decoder) {
      const { data, consumed } = decoder.push(bytes); // throws HttpError on bad framing
      parts = data.map((part) => part.slice());
      reader.consume(consumed);
    } else {
      const take = Math.min(bytes.length, remaining);
      parts = [bytes.slice(0, take)];
      reader.consume(take);
      remaining -= take;
    }
    for (const part of parts) received += part.length;
    if (received > maxBodyBytes) {
      throw new HttpError(413, `body too large: over ${maxBodyBytes} bytes`);
    }
    for (const part of parts) if (part.length > 0) controller.enqueue(part);
    if (decoder ? decoder.done : remaining === 0) {
      complete = true;
      clearTimeout(timer);
      controller.close();
      return true;
    }
    return parts.some((part) => part.length > 0);
  };
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      control = controller;
    },
    pull: async (controller) => {
      if (!started) {
        started = true;
        await beforeFirstRead?.();
      }
      while (!failed) {
        try {
          if (reader.buffered.length > 0 && deliver(controller)) return;
        } catch (error) {
          return fail(error as HttpError);
        }
        let count: number | null;
        try {
          count = await reader.fill();
        } catch (error) {
          return fail(
            new HttpError(400, "connection failed while reading the body", { cause: error }),
          );
        }
        if (count === null) return fail(new HttpError(400, "body ended early"));
      }
    },
    cancel: () => clearTimeout(timer),
  }, { highWaterMark: 0 }); // pull (and so 100 Continue) only when the handler reads
  return { stream, complete: () => complete };
}
