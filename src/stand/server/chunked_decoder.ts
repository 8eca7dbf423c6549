/**
 * The chunked transfer coding of a request body, decoded incrementally with bounded lines. Pure.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** What one {@linkcode ChunkedDecoder.push} call yields. */
export interface ChunkedOutput {
  /** Body bytes, as views into the input (copy them before the input is reused). */
  readonly data: Uint8Array[];
  /** How many input bytes were used; the rest belongs to what follows the body. */
  readonly consumed: number;
}

const LF = 0x0a;
/** Longest chunk-size line or trailer line accepted (size, extensions, CRLF). */
const MAX_LINE = 4096;
/** Most trailer bytes accepted after the last chunk. */
const MAX_TRAILER = 16384;
type State = "size" | "data" | "data-end" | "trailer" | "done";

/**
 * Decodes `chunked` bodies: feed it bytes as they arrive; it returns the body bytes and how much
 * of the input it used, and ends after the trailer section. Chunk extensions and trailer fields
 * are read and ignored.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ChunkedDecoder } from "./chunked_decoder.ts";
 * const decoder = new ChunkedDecoder();
 * const input = new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\nNEXT");
 * const { data, consumed } = decoder.push(input);
 * assertEquals(data.map((part) => new TextDecoder().decode(part)), ["abc"]);
 * assertEquals([consumed, decoder.done], [13, true]); // "NEXT" is the next request
 * ```
 */
export class ChunkedDecoder {
  #state: State = "size";
  #line = "";
  #remaining = 0;
  #trailerBytes = 0;

  /** Whether the last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /**
   * Consumes bytes.
   * @param input The next bytes of the connection.
   * @returns Body bytes and the count of input bytes used.
   * @throws {HttpError} 400 for a malformed size line or chunk end; 431 for a trailer too large.
   */
  push(input: Uint8Array): ChunkedOutput {
    const data: Uint8Array[] = [];
    let i = 0;
    while (i < input.length && this.#state !== "done") {
      if (this.#state === "data") {
        const take = Math.min(this.#remaining, input.length - i);
        data.push(input.subarray(i, i + take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = "data-end";
        continue;
      }
      const byte = input[i++];
      if (byte !== LF) {
        this.#line += String.fromCharCode(byte);
        if (this.#line.length > MAX_LINE) throw new HttpError(400, "chunk line too long");
        continue;
      }
      if (!this.#line.endsWith("\r") || this.#line.indexOf("\r") !== this.#line.length - 1) {
        throw new HttpError(400, "malformed chunked body: bare LF or CR");
      }
      const line = this.#line.slice(0, -1);
      this.#line = "";
      this.#endLine(line);
    }
    return { data, consumed: i };
  }

  #endLine(line: string): void {
    switch (this.#state) {
      case "size": {
        const match = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!match) throw new HttpError(400, "malformed chunk size");
        this.#remaining = parseInt(match[1], 16);
        this.#state = this.#remaining === 0 ? "trailer" : "data";
        return;
      }
      case "data-end":
        if (line !== "") throw new HttpError(400, "chunk longer than its size");
        this.#state = "size";
        return;
      case "trailer":
        this.#trailerBytes += line.length + 2;
        if (this.#trailerBytes > MAX_TRAILER) {
          throw new HttpError(431, `trailer over ${MAX_TRAILER} bytes`);
        }
        if (line === "") this.#state = "done";
        return;
    }
  }
}
