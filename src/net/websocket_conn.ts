/**
 * A WebSocket connection as a byte stream, either end: reading gives the payloads of binary
 * messages in order, whatever their framing (a message may hold any number of whole or partial
 * TLV frames); writing sends each write as one binary message. Pings are answered; a close from
 * the peer is answered and ends the stream; closing our side sends a close frame (1000) first.
 * The close frame is the last frame sent: writes after it is queued are refused.
 * A client masks what it sends (RFC 6455 §5.3), a server does not.
 *
 * @module
 */
import { closeQuietly } from "./close_quietly.ts";
import {
  encodeClosePayload,
  encodeFrame,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  unmask,
  WebSocketProtocolError,
} from "./websocket_frame.ts";

/** The parts of a connection a WebSocket runs over (a `Deno.Conn`, a TLS one, a tunnel). */
export interface ByteConn {
  /** Reads into `buffer`; the count, or `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes all of `bytes` (or a part: the caller writes the rest). */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends our sending side. */
  closeWrite(): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Which end of the WebSocket this is. */
export type WebSocketRole = "client" | "server";

/** How the peer closed the WebSocket. */
export interface CloseFrame {
  /** The close code (1005 when none was given). */
  readonly code: number;
  /** The reason as sent (text from outside: escape before showing it). */
  readonly reason: string;
}

/**
 * The read buffer: a client reads a stand's stream of frames; a server (a stand) hears next to
 * nothing from a lamp, so it has room for a control frame (at most 14 + 125 bytes), passes data
 * through, and holds the buffer only while a frame is partly read: it waits for a lamp's bytes in
 * the caller's buffer, as thousands of lamps wait at once.
 */
const BUFFER_BYTES = { client: 64 * 1024, server: 256 } as const;
/** The buffer of a server end with nothing partly read. */
const NO_BYTES = new Uint8Array(0);

/**
 * A WebSocket as a byte stream. `read` returns payload bytes of binary messages, `0` when only
 * control frames arrived (a ping still shows the link is alive), `null` when the peer closed.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { WebSocketConn } from "./websocket_conn.ts";
 * import { encodeFrame, Opcode } from "./websocket_frame.ts";
 * const incoming = [encodeFrame(Opcode.binary, new Uint8Array([0x12, 0, 0]))];
 * const conn = {
 *   read: (buffer: Uint8Array) => {
 *     const next = incoming.shift();
 *     if (!next) return Promise.resolve(null);
 *     buffer.set(next);
 *     return Promise.resolve(next.length);
 *   },
 *   write: (bytes: Uint8Array) => Promise.resolve(bytes.length),
 *   closeWrite: () => Promise.resolve(),
 *   close: () => {},
 * };
 * const ws = new WebSocketConn(conn, new Uint8Array());
 * const buffer = new Uint8Array(16);
 * assertEquals(await ws.read(buffer), 3);
 * assertEquals([...buffer.subarray(0, 3)], [0x12, 0, 0]);
 * ```
 */
export class WebSocketConn {
  /** The peer's address, when the connection has one. */
  readonly remoteAddr?: Deno.Addr;
  #conn: ByteConn;
  #role: WebSocketRole;
  /** The masking key of the client frame being read, and where in its payload we are. */
  #mask: Uint8Array | null = null;
  #maskOffset = 0;
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;
  /** Payload bytes of the current data frame not yet read. */
  #remaining = 0;
  #closeSent = false;
  #closed: CloseFrame | null = null;
  #failure: CloseFrame | null = null;
  #writing: Promise<unknown> = Promise.resolve();

  /**
   * Reads and writes a WebSocket over a connection whose handshake is done.
   * @param conn The connection, after the handshake.
   * @param rest Bytes read with the handshake (the first frames).
   * @param role Which end this is (`client` by default).
   */
  constructor(conn: ByteConn, rest: Uint8Array, role: WebSocketRole = "client") {
    this.#conn = conn;
    this.#role = role;
    this.#buffer = role === "server" && rest.length === 0
      ? NO_BYTES
      : new Uint8Array(Math.max(BUFFER_BYTES[role], rest.length));
    this.#buffer.set(rest);
    this.#end = rest.length;
    const { remoteAddr } = conn as { remoteAddr?: Deno.Addr };
    if (remoteAddr) this.remoteAddr = remoteAddr;
  }

  /** How the peer closed the WebSocket, once it did. */
  get closeFrame(): CloseFrame | null {
    return this.#closed;
  }

  /**
   * How this end failed the connection, once it did: the close code it sent and why (its own
   * words, no text from the peer).
   */
  get failure(): CloseFrame | null {
    return this.#failure;
  }

  /**
   * Reads payload bytes.
   * @param out Where to put them (a server end may use all of it while it waits).
   * @returns How many (0: only control frames arrived), or `null` when the stream ended.
   * @throws {WebSocketProtocolError} When the server breaks the protocol (a close frame with the
   *   code is sent first); a text message is refused with 1003.
   */
  async read(out: Uint8Array): Promise<number | null> {
    if (this.#closed) return null;
    for (;;) {
      const buffered = this.#end - this.#start;
      if (this.#remaining > 0 && buffered > 0) {
        const count = Math.min(this.#remaining, buffered, out.length);
        out.set(this.#buffer.subarray(this.#start, this.#start + count));
        if (this.#mask) {
          unmask(out.subarray(0, count), this.#mask, this.#maskOffset);
          this.#maskOffset += count;
        }
        this.#start += count;
        this.#remaining -= count;
        return count;
      }
      if (this.#remaining === 0 && buffered > 0) {
        const handled = await this.#frame();
        if (handled !== undefined) return handled;
        if (this.#remaining > 0 || this.#end - this.#start < buffered) continue;
      }
      if (this.#start === this.#end) {
        this.#start = this.#end = 0;
        if (this.#role === "server" && out.length > 0) { // wait in the caller's buffer
          this.#buffer = NO_BYTES;
          const count = await this.#conn.read(out);
          if (count === null) return null;
          this.#buffer = new Uint8Array(Math.max(BUFFER_BYTES.server, count));
          this.#buffer.set(out.subarray(0, count));
          this.#end = count;
          continue;
        }
      }
      if (this.#buffer === NO_BYTES) this.#buffer = new Uint8Array(BUFFER_BYTES.server);
      if (this.#end === this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      }
      const count = await this.#conn.read(this.#buffer.subarray(this.#end));
      if (count === null) return null;
      this.#end += count;
    }
  }

  /**
   * Handles the frame at the start of the buffer: a data frame's header (its payload is read
   * next), or a whole control frame. `undefined` when more bytes are needed or a data header was
   * taken; otherwise what `read` returns.
   */
  async #frame(): Promise<number | null | undefined> {
    const bytes = this.#buffer.subarray(this.#start, this.#end);
    let header;
    try {
      header = parseFrameHeader(bytes, this.#role === "client" ? "server" : "client");
    } catch (error) {
      if (error instanceof WebSocketProtocolError) await this.#fail(error);
      throw error;
    }
    if (header === null) return undefined;
    const { opcode, length, headerLength, mask } = header;
    if (opcode === Opcode.binary || opcode === Opcode.continuation) {
      this.#start += headerLength;
      this.#remaining = length;
      this.#mask = mask.length ? mask : null;
      this.#maskOffset = 0;
      return undefined;
    }
    if (opcode === Opcode.text) {
      const error = new WebSocketProtocolError(1003, `the ${this.#peer} sent a text message`);
      await this.#fail(error);
      throw error;
    }
    if (bytes.length < headerLength + length) return undefined;
    const payload = bytes.slice(headerLength, headerLength + length);
    if (mask.length) unmask(payload, mask, 0);
    this.#start += headerLength + length;
    if (opcode === Opcode.ping && !this.#closeSent) await this.#send(Opcode.pong, payload);
    if (opcode !== Opcode.close) return 0;
    try {
      this.#closed = parseClosePayload(payload);
    } catch (error) {
      this.#closed = { code: 1005, reason: "" };
      if (error instanceof WebSocketProtocolError) await this.#fail(error);
      return null;
    }
    await this.#sendClose(this.#closed.code === 1005 ? 1000 : this.#closed.code, "");
    return null;
  }

  /** Fails the connection: a close frame with the error's code. */
  async #fail(error: WebSocketProtocolError): Promise<void> {
    if (!this.#closeSent) this.#failure = { code: error.code, reason: error.message };
    await this.#sendClose(error.code, error.message.slice(0, 100)).catch(() => {});
  }

  async #sendClose(code: number, reason: string): Promise<void> {
    if (this.#closeSent) return;
    await this.#send(Opcode.close, encodeClosePayload(code, reason));
  }

  /** The other end, for messages. */
  get #peer(): string {
    return this.#role === "client" ? "server" : "client";
  }

  /**
   * Sends `bytes` as one binary message; resolves once the whole frame is written.
   * @param bytes The payload.
   * @returns `bytes.length`.
   * @throws {Deno.errors.BrokenPipe} When a close frame was queued before it (nothing is sent;
   *   it rejects once the frames before it are out, so a caller that closes the connection on
   *   the error does not cut the close frame short).
   */
  async write(bytes: Uint8Array): Promise<number> {
    await this.#send(Opcode.binary, bytes);
    return bytes.length;
  }

  /**
   * Writes one frame (masked from a client), after any frame still being written; none after a
   * close frame (RFC 6455 §5.5.1).
   */
  #send(opcode: number, payload: Uint8Array): Promise<void> {
    if (this.#closeSent) {
      return this.#writing.then(() => {
        throw new Deno.errors.BrokenPipe("the WebSocket is closed: its close frame was sent");
      });
    }
    if (opcode === Opcode.close) this.#closeSent = true;
    const frame = this.#role === "client"
      ? encodeFrame(opcode, payload, crypto.getRandomValues(new Uint8Array(4)))
      : serverFrame(opcode, payload);
    const written = this.#writing.then(() => writeAll(this.#conn, frame));
    this.#writing = written.catch(() => {});
    return written;
  }

  /**
   * Ends our side: a close frame (1000) unless one was sent, then the connection's sending side.
   * The server answers with its close frame and closes; `read` returns `null` then.
   */
  async closeWrite(): Promise<void> {
    await this.#sendClose(1000, "").catch(() => {});
    await this.#conn.closeWrite();
  }

  /**
   * Ends the WebSocket with a close frame of this code and reason, then closes the connection.
   * @param code The close code (e.g. 1013: try again later).
   * @param reason Why, at most 123 bytes.
   */
  async end(code: number, reason: string): Promise<void> {
    await this.#sendClose(code, reason).catch(() => {});
    this.close();
  }

  /** Closes the connection at once. */
  close(): void {
    closeQuietly(this.#conn);
  }
}

/** The last binary payload a server framed, and its frame: a broadcast to many lamps is framed once. */
let lastPayload: Uint8Array | null = null;
let lastFrame: Uint8Array = new Uint8Array();

function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (opcode !== Opcode.binary) return encodeFrame(opcode, payload);
  if (payload !== lastPayload) {
    lastFrame = encodeFrame(opcode, payload);
    lastPayload = payload;
  }
  return lastFrame;
}

async function writeAll(conn: ByteConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}
