/**
 * How long a request body is: none, a `Content-Length`, or chunked. Pure.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** The framing of a request body. */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

/**
 * Decides the body framing from the header fields, refusing every ambiguous combination
 * (the ones request smuggling relies on). In HTTP/1.0 any `Transfer-Encoding` makes the framing
 * faulty (RFC 9112 §6.1): an HTTP/1.0 peer may not know where such a body ends.
 *
 * @param headers The header fields, names in lower case.
 * @param minorVersion The request's HTTP/1.x minor version (default 1).
 * @returns The framing.
 * @throws {HttpError} 400 for a bad or repeated-and-different `Content-Length`, both headers, or
 *   `Transfer-Encoding` in HTTP/1.0; 501 for a transfer coding other than `chunked`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { bodyFraming } from "./body_framing.ts";
 * assertEquals(bodyFraming([["content-length", "12"]]), { kind: "length", length: 12 });
 * assertEquals(bodyFraming([["transfer-encoding", "chunked"]]), { kind: "chunked" });
 * ```
 */
export function bodyFraming(
  headers: readonly (readonly [string, string])[],
  minorVersion: 0 | 1 = 1,
): BodyFraming {
  const lengths = headers.filter(([name]) => name === "content-length")
    .flatMap(([, value]) => value.split(",").map((part) => part.trim()));
  const codings = headers.filter(([name]) => name === "transfer-encoding")
    .flatMap(([, value]) => value.split(",").map((part) => part.trim().toLowerCase()));
  if (codings.length > 0) {
    if (minorVersion === 0) throw new HttpError(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (lengths.length > 0) {
      throw new HttpError(400, "both Content-Length and Transfer-Encoding");
    }
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new HttpError(501, "only the chunked transfer coding is supported");
    }
    return { kind: "chunked" };
  }
  if (lengths.length === 0) return { kind: "none" };
  if (lengths.some((value) => !/^\d{1,15}$/.test(value))) {
    throw new HttpError(400, "Content-Length must be a decimal number");
  }
  if (new Set(lengths.map(Number)).size !== 1) {
    throw new HttpError(400, "conflicting Content-Length values");
  }
  const length = Number(lengths[0]);
  return length === 0 ? { kind: "none" } : { kind: "length", length };
}
