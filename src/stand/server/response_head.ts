/**
 * The status line and header fields of a response, as bytes. Pure.
 *
 * @module
 */

const REASONS: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  417: "Expectation Failed",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

const encoder = new TextEncoder();
const NON_ASCII = /[\u0080-\uffff]/;

/** Header fields about the connection, which the server alone sets (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
]);

/**
 * Serializes a response head: the handler's fields without the connection-level ones, then the
 * server's own `extra` fields (framing, `connection`, `date`).
 *
 * @param status The status code.
 * @param headers The handler's header fields.
 * @param extra The server's fields, in order.
 * @param keepHopByHop Keep the handler's `connection` and `upgrade` fields (for a `101`).
 * @returns The bytes, ending with the empty line.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encodeResponseHead } from "./response_head.ts";
 * const head = encodeResponseHead(200, new Headers({ "x-a": "1" }), [["content-length", "0"]]);
 * assertEquals(new TextDecoder().decode(head), "HTTP/1.1 200 OK\r\nx-a: 1\r\ncontent-length: 0\r\n\r\n");
 * ```
 */
export function encodeResponseHead(
  status: number,
  headers: Headers,
  extra: readonly (readonly [string, string])[],
  keepHopByHop = false,
): Uint8Array {
  let text = `HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\n`;
  for (const [name, value] of headers) {
    if (name === "set-cookie") continue;
    if (HOP_BY_HOP.has(name) && !(keepHopByHop && (name === "connection" || name === "upgrade"))) {
      continue;
    }
    text += `${name}: ${value}\r\n`;
  }
  for (const cookie of headers.getSetCookie()) text += `set-cookie: ${cookie}\r\n`;
  for (const [name, value] of extra) text += `${name}: ${value}\r\n`;
  text += "\r\n";
  if (!NON_ASCII.test(text)) return encoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // header text is latin1
  return bytes;
}
