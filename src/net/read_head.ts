/**
 * Reads an HTTP response head from a connection: what a proxy answers to CONNECT and a stand to
 * a WebSocket upgrade, and the bytes that came after it in the same reads.
 *
 * @module
 */

/** The most bytes a head may take (a proxy's or a stand's answer is far shorter). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** A response head: its status and headers, and the bytes read past it. */
export interface ResponseHead {
  /** The status code (`200`). */
  readonly status: number;
  /** The reason phrase as sent (text from outside: escape before showing it). */
  readonly reason: string;
  /** Header fields by lower-case name (the last one wins). */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes after the blank line that ends the head (the server's first bytes). */
  readonly rest: Uint8Array;
}

/**
 * Parses a head's text (up to, not including, the blank line).
 *
 * @param text The head.
 * @param what Who answered, for the message (`the proxy http://p:3128`, `the stand`).
 * @returns Status, reason and headers (no `rest`).
 * @throws {Deno.errors.InvalidData} When it is not an HTTP/1.x response.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseResponseHead } from "./read_head.ts";
 * const head = parseResponseHead("HTTP/1.1 407 Proxy Authentication Required\r\nVia: x");
 * assertEquals([head.status, head.reason, head.headers.get("via")], [407, "Proxy Authentication Required", "x"]);
 * ```
 */
export function parseResponseHead(text: string, what = "the server"): Omit<ResponseHead, "rest"> {
  const [statusLine, ...lines] = text.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) {
    throw new Deno.errors.InvalidData(
      `${what} does not answer in HTTP (it sent ${JSON.stringify(statusLine.slice(0, 40))})`,
    );
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return { status: Number(match[1]), reason: match[2] ?? "", headers };
}

/**
 * Reads until the blank line that ends a response head.
 *
 * @param conn Where to read.
 * @param what Who answers, for messages (`the proxy`, `the stand`).
 * @returns The head and the bytes after it.
 * @throws {Deno.errors.UnexpectedEof} When the connection ends first.
 * @throws {Deno.errors.InvalidData} When the head is too long or not HTTP.
 */
export async function readResponseHead(
  conn: { read(buffer: Uint8Array): Promise<number | null> },
  what: string,
): Promise<ResponseHead> {
  const buffer = new Uint8Array(MAX_HEAD_BYTES);
  let length = 0;
  for (;;) {
    const end = headEnd(buffer, length);
    if (end >= 0) {
      const head = parseResponseHead(new TextDecoder().decode(buffer.subarray(0, end)), what);
      return { ...head, rest: buffer.slice(end + 4, length) };
    }
    if (length === buffer.length) {
      throw new Deno.errors.InvalidData(`${what} sent an answer over ${MAX_HEAD_BYTES} bytes`);
    }
    const count = await conn.read(buffer.subarray(length));
    if (count === null) {
      throw new Deno.errors.UnexpectedEof(`${what} closed the connection before answering`);
    }
    length += count;
  }
}

/** Where `\r\n\r\n` starts in `buffer[0, length)`, or -1. */
function headEnd(buffer: Uint8Array, length: number): number {
  for (let i = 0; i + 3 < length; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
