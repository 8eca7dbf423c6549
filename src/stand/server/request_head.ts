/**
 * The request line and header fields of an HTTP/1.1 request: where they end and what they say,
 * strictly (RFC 9112), so nothing ambiguous reaches a handler. Pure.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** A parsed request head. */
export interface RequestHead {
  /** The method, as sent (case-sensitive). */
  readonly method: string;
  /** The request target (`/path?query`, an absolute URL, or `*`). */
  readonly target: string;
  /** The minor version: `1` for HTTP/1.1, `0` for HTTP/1.0. */
  readonly minorVersion: 0 | 1;
  /** The header fields in order, names in lower case, values trimmed. */
  readonly headers: readonly (readonly [string, string])[];
}

const CR = 0x0d;
const LF = 0x0a;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e]+$/;
// VCHAR, obs-text, SP and HTAB; a control character anywhere else is refused.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Finds the end of the head: the index just past the empty line (`\r\n\r\n`), or -1 when it has
 * not arrived yet. Up to two empty lines before the request line are skipped, as RFC 9112 allows
 * (more make the request line empty, which {@linkcode parseRequestHead} refuses).
 *
 * @param bytes The bytes received so far.
 * @param from Where the previous call stopped looking (0 at first), so a head arriving a byte
 *   at a time costs linear time.
 * @returns The end, or -1.
 * @throws {HttpError} 400 for a bare CR or LF (a line must end in CRLF).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { findHeadEnd } from "./request_head.ts";
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\nrest");
 * assertEquals(findHeadEnd(bytes), 27);
 * ```
 */
export function findHeadEnd(bytes: Uint8Array, from = 0): number {
  const start = leadingEmptyLines(bytes);
  for (let i = Math.max(from, start); i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === LF) {
      if (i === 0 || bytes[i - 1] !== CR) throw new HttpError(400, "malformed request: bare LF");
      if (i >= start + 3 && bytes[i - 2] === LF) return i + 1;
    } else if (byte === CR && i + 1 < bytes.length && bytes[i + 1] !== LF) {
      throw new HttpError(400, "malformed request: bare CR");
    }
  }
  return -1;
}

const ascii = new TextDecoder();

/** One char per byte: the native decoder when the bytes are ASCII (almost always), else by hand. */
function latin1(bytes: Uint8Array): string {
  if (bytes.every((byte) => byte < 0x80)) return ascii.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return text;
}

/** The bytes of the (at most two) empty lines that may come before a request line. */
function leadingEmptyLines(bytes: Uint8Array): number {
  let start = 0;
  while (start < 4 && bytes[start] === CR && bytes[start + 1] === LF) start += 2;
  return start;
}

/**
 * Where {@linkcode findHeadEnd} may resume after it returned -1 for `length` bytes (it must see
 * the previous three bytes again).
 *
 * @param length How many bytes it looked at.
 * @returns The index to pass as `from`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { resumeHeadSearch } from "./request_head.ts";
 * assertEquals(resumeHeadSearch(10), 7);
 * ```
 */
export function resumeHeadSearch(length: number): number {
  return Math.max(0, length - 3);
}

/**
 * Parses a complete head (as delimited by {@linkcode findHeadEnd}).
 *
 * @param bytes The head, up to and including the empty line.
 * @returns The request line and header fields.
 * @throws {HttpError} 400 for a malformed line, 505 for an HTTP version other than 1.x.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseRequestHead } from "./request_head.ts";
 * const head = parseRequestHead(new TextEncoder().encode("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
 * assertEquals([head.method, head.target, head.headers], ["GET", "/a", [["host", "x"]]]);
 * ```
 */
export function parseRequestHead(bytes: Uint8Array): RequestHead {
  const text = latin1(bytes);
  const lines = text.slice(leadingEmptyLines(bytes)).split("\r\n");
  const [method, target, version, ...rest] = lines[0].split(" ");
  if (rest.length > 0 || version === undefined || !TOKEN.test(method) || !TARGET.test(target)) {
    throw new HttpError(400, "malformed request line");
  }
  const minor = /^HTTP\/1\.([01])$/.exec(version);
  if (!minor) {
    if (/^HTTP\/\d\.\d$/.test(version)) {
      throw new HttpError(505, "only HTTP/1.0 and HTTP/1.1 are served");
    }
    throw new HttpError(400, "malformed request line");
  }
  const headers: [string, string][] = [];
  for (const line of lines.slice(1, -2)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new HttpError(400, "malformed header field");
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!FIELD_VALUE.test(value)) {
      throw new HttpError(400, `control character in the value of header "${name}"`);
    }
    headers.push([name.toLowerCase(), value]);
  }
  return { method, target, minorVersion: minor[1] === "1" ? 1 : 0, headers };
}

/**
 * Writes a parsed head out again, as {@linkcode parseRequestHead} reads it: the same method,
 * target, version and fields in order (names in lower case, no space after the colon), for a
 * server that hands a request on to another. Its parse equals the head it was written from, and
 * it is never longer than the head that was parsed, so the server it goes to, with the same
 * limit on a head's bytes, takes every head the first one took.
 *
 * @param head A parsed head.
 * @returns The head's bytes, the empty line included.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeRequestHead, parseRequestHead } from "./request_head.ts";
 * const head = parseRequestHead(new TextEncoder().encode("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"));
 * assertEquals(new TextDecoder().decode(encodeRequestHead(head)), "GET /ws HTTP/1.1\r\nhost:x\r\n\r\n");
 * assertEquals(parseRequestHead(encodeRequestHead(head)), head);
 * ```
 */
export function encodeRequestHead(head: RequestHead): Uint8Array {
  let text = `${head.method} ${head.target} HTTP/1.${head.minorVersion}\r\n`;
  for (const [name, value] of head.headers) text += `${name}:${value}\r\n`;
  // Field values may hold obs-text (bytes 0x80–0xff, read as Latin-1): written back byte for byte.
  return Uint8Array.from(text + "\r\n", (char) => char.charCodeAt(0));
}
