/**
 * Server-side WebSockets (RFC 6455) on the stand's HTTP server, shaped like
 * `Deno.upgradeWebSocket`, with the message limit enforced in bytes while receiving: a message
 * (or the sum of its fragments) that would pass it is refused with 1009 before its payload is
 * read, so nothing over the limit is ever buffered.
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { ConnReader } from "./conn_reader.ts";
import { HttpError } from "./http_error.ts";
import { claimUpgrade } from "./http_upgrade.ts";
import { websocketAccept } from "../../net/websocket_accept.ts";
import {
  encodeClosePayload,
  encodeFrame,
  type FrameHeader,
  isValidCloseCode,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  unmask,
  WebSocketProtocolError,
} from "../../net/websocket_frame.ts";

/** Events of a {@linkcode ServerWebSocket}. */
export interface ServerWebSocketEventMap {
  /** The handshake is done; messages may be sent. */
  open: Event;
  /** A whole message arrived: `data` is a string (text) or an `ArrayBuffer` (binary). */
  message: MessageEvent;
  /** The connection is closed; nothing more is sent or received. */
  close: CloseEvent;
  /** The connection failed (a protocol violation, a broken socket); `close` follows. */
  error: Event;
}

/** The server side of a WebSocket, as `Deno.upgradeWebSocket` gives it. */
export interface ServerWebSocket extends EventTarget {
  /** `WebSocket.CONNECTING`, `OPEN`, `CLOSING` or `CLOSED`. */
  readonly readyState: number;
  /** Payload bytes queued by {@linkcode send} and not yet written to the socket. */
  readonly bufferedAmount: number;
  /**
   * Queues a message: text for a string, binary otherwise. Ignored once closing.
   * @param data The message.
   * @throws {DOMException} `InvalidStateError` before the socket is open.
   */
  send(data: string | Uint8Array | ArrayBuffer): void;
  /**
   * Starts the closing handshake.
   * @param code The close code (default 1000).
   * @param reason At most 123 bytes of UTF-8.
   */
  close(code?: number, reason?: string): void;
  /** Adds a listener for one of the socket's events. */
  addEventListener<K extends keyof ServerWebSocketEventMap>(
    type: K,
    listener: (event: ServerWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Adds a listener for any event. */
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/** Options of {@linkcode upgradeWebSocket}. */
export interface UpgradeWebSocketOptions {
  /** Largest message accepted, in bytes; a larger one closes the socket with 1009 (default 1 MiB). */
  readonly maxMessageBytes?: number;
  /** Time the client gets to answer our close frame before the socket is dropped, in ms (default 2 s). */
  readonly closeTimeoutMs?: number;
  /** The subprotocol chosen among those the client offered (sent back in `Sec-WebSocket-Protocol`). */
  readonly protocol?: string;
}

/** Time the queued frames (a close frame last) get to go out when the server shuts down. */
const SHUTDOWN_FLUSH_MS = 500;
/** After failing a connection, how long and how much the client may still send. */
const LINGER_MS = 1000;
const LINGER_BYTES = 1 << 20;
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * Upgrades a request from the stand's HTTP server to a WebSocket.
 *
 * @param request The request (a `GET` with the WebSocket handshake headers).
 * @param options The message limit and close timeout.
 * @returns The socket (open once the `101` is written) and the response to return.
 * @throws {HttpError} 400 when the handshake headers are missing or wrong.
 * @throws {TypeError} When the request did not come from the stand's HTTP server.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { serveHttp } from "./http_server.ts";
 * import { upgradeWebSocket } from "./websocket.ts";
 * const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), (request) => {
 *   const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: 16384 });
 *   socket.addEventListener("message", (event) => socket.send(`echo ${event.data}`));
 *   return response;
 * });
 * const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * const echo = Promise.withResolvers<string>();
 * client.onopen = () => client.send("hi");
 * client.onmessage = (event) => echo.resolve(event.data);
 * assertEquals(await echo.promise, "echo hi");
 * const closed = new Promise((resolve) => client.onclose = resolve);
 * client.close();
 * await closed;
 * await server.close();
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  options: UpgradeWebSocketOptions = {},
): { socket: ServerWebSocket; response: Response } {
  const socket = new Socket(options.maxMessageBytes ?? 1 << 20, options.closeTimeoutMs ?? 2000);
  const response = websocketHandshake(request, options.protocol);
  claimUpgrade(request, response, (conn, head, signal) => socket.attach(conn, head, signal));
  return { socket, response };
}

/**
 * Checks a request's WebSocket handshake and builds the `101` that completes it (RFC 6455 §4.2).
 *
 * @param request The upgrade request.
 * @param protocol The subprotocol chosen, if any.
 * @returns The response.
 * @throws {HttpError} 400 when the handshake headers are missing or wrong.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { websocketHandshake } from "./websocket.ts";
 * const request = new Request("http://x/lamp", {
 *   headers: {
 *     upgrade: "websocket",
 *     connection: "Upgrade",
 *     "sec-websocket-version": "13",
 *     "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *   },
 * });
 * assertEquals(
 *   websocketHandshake(request).headers.get("sec-websocket-accept"),
 *   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
 * );
 * ```
 */
export function websocketHandshake(request: Request, protocol?: string): Response {
  const tokens = (name: string) =>
    (request.headers.get(name) ?? "").toLowerCase().split(",").map((token) => token.trim());
  if (!tokens("upgrade").includes("websocket") || !tokens("connection").includes("upgrade")) {
    throw new HttpError(400, "not a WebSocket handshake (Upgrade: websocket, Connection: Upgrade)");
  }
  if (request.headers.get("sec-websocket-version") !== "13") {
    throw new HttpError(400, "only WebSocket version 13 is supported");
  }
  const key = request.headers.get("sec-websocket-key") ?? "";
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    throw new HttpError(400, "malformed Sec-WebSocket-Key");
  }
  return new Response(null, {
    status: 101,
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-accept": websocketAccept(key),
      ...(protocol ? { "sec-websocket-protocol": protocol } : {}),
    },
  });
}

class Socket extends EventTarget implements ServerWebSocket {
  #state = CONNECTING;
  #maxMessageBytes: number;
  #closeTimeoutMs: number;
  #conn: Deno.Conn | null = null;
  #queue: Uint8Array[] = [];
  #queuedPayload: number[] = [];
  #buffered = 0;
  #draining = false;
  #drained: Promise<void> = Promise.resolve();
  #closeSent = false;
  #pongQueued = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = Promise.withResolvers<void>();
  #finished = false;

  constructor(maxMessageBytes: number, closeTimeoutMs: number) {
    super();
    this.#maxMessageBytes = maxMessageBytes;
    this.#closeTimeoutMs = closeTimeoutMs;
  }

  get readyState(): number {
    return this.#state;
  }

  override addEventListener<K extends keyof ServerWebSocketEventMap>(
    type: K,
    listener: (event: ServerWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => unknown),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  get bufferedAmount(): number {
    return this.#buffered;
  }

  send(data: string | Uint8Array | ArrayBuffer): void {
    if (this.#state === CONNECTING) {
      throw new DOMException("the WebSocket is not open yet", "InvalidStateError");
    }
    if (this.#state !== OPEN) return;
    const payload = typeof data === "string"
      ? new TextEncoder().encode(data)
      : data instanceof Uint8Array
      ? data
      : new Uint8Array(data);
    this.#enqueue(
      encodeFrame(typeof data === "string" ? Opcode.text : Opcode.binary, payload),
      payload.length,
    );
  }

  close(code = 1000, reason = ""): void {
    if (!isValidCloseCode(code)) {
      throw new DOMException(`close code ${code} is not allowed`, "InvalidAccessError");
    }
    if (new TextEncoder().encode(reason).length > 123) {
      throw new DOMException("close reason over 123 bytes", "SyntaxError");
    }
    if (this.#state === CLOSING || this.#state === CLOSED) return;
    const connecting = this.#state === CONNECTING;
    this.#state = CLOSING;
    this.#sendClose(code, reason);
    if (!connecting) this.#startCloseTimer();
  }

  /** Runs the protocol on an upgraded connection; resolves when the socket is closed. */
  async attach(conn: Deno.Conn, head: Uint8Array, signal: AbortSignal): Promise<void> {
    this.#conn = conn;
    const abort = () => this.#shutdown();
    signal.addEventListener("abort", abort, { once: true });
    if (this.#state === CONNECTING) {
      this.#state = OPEN;
      this.dispatchEvent(new Event("open"));
    } else {
      this.#startCloseTimer(); // closed before it opened: the close frame is queued
    }
    this.#kick();
    const reader = new ConnReader(conn, 16384, head);
    try {
      await this.#readFrames(reader);
    } catch (error) {
      if (error instanceof WebSocketProtocolError) {
        await this.#fail(error.code, error.message, reader);
      } else {
        this.#finish(1006, "", false, true);
      }
    } finally {
      signal.removeEventListener("abort", abort);
    }
    await this.#ended.promise;
  }

  /**
   * Reads frames until the closing handshake ends or the connection does. A message's fragments
   * are read into one buffer, so a message costs its payload bytes however it is split (an empty
   * fragment costs nothing).
   */
  async #readFrames(reader: ConnReader): Promise<void> {
    let message: Uint8Array = new Uint8Array(0);
    let messageBytes = 0;
    let messageOpcode = 0; // 0: no message in progress
    for (;;) {
      let header = parseFrameHeader(reader.buffered);
      while (!header) {
        if (await reader.fill() === null) return this.#finish(1006, "", false, false);
        header = parseFrameHeader(reader.buffered);
      }
      reader.consume(header.headerLength);
      if (header.opcode === Opcode.continuation && messageOpcode === 0) {
        throw new WebSocketProtocolError(1002, "continuation frame without a message");
      }
      if (
        (header.opcode === Opcode.text || header.opcode === Opcode.binary) && messageOpcode !== 0
      ) {
        throw new WebSocketProtocolError(1002, "new message before the last one ended");
      }
      if (header.opcode >= 0x8) {
        const payload = new Uint8Array(header.length);
        if (!await readPayload(reader, header, payload)) {
          return this.#finish(1006, "", false, false);
        }
        if (await this.#control(header.opcode, payload)) return;
        continue;
      }
      const end = messageBytes + header.length;
      if (end > this.#maxMessageBytes) {
        throw new WebSocketProtocolError(1009, `message over ${this.#maxMessageBytes} bytes`);
      }
      if (end > message.length) message = grown(message, messageBytes, end, this.#maxMessageBytes);
      if (!await readPayload(reader, header, message.subarray(messageBytes, end))) {
        return this.#finish(1006, "", false, false);
      }
      if (header.opcode !== Opcode.continuation) messageOpcode = header.opcode;
      messageBytes = end;
      if (!header.fin) continue;
      const bytes = message.subarray(0, messageBytes);
      const opcode = messageOpcode;
      message = new Uint8Array(0);
      messageBytes = 0;
      messageOpcode = 0;
      if (this.#state !== OPEN) continue; // closing: data is dropped
      let data: string | ArrayBuffer;
      if (opcode === Opcode.text) {
        try {
          data = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch (error) {
          throw new WebSocketProtocolError(1007, "text message is not UTF-8", { cause: error });
        }
      } else {
        data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      }
      this.dispatchEvent(new MessageEvent("message", { data }));
    }
  }

  /** Answers a control frame; `true` when the closing handshake is over. */
  async #control(opcode: number, payload: Uint8Array): Promise<boolean> {
    if (opcode === Opcode.ping) {
      if (this.#state === OPEN && !this.#pongQueued) { // one pong answers every ping before it
        this.#pongQueued = true;
        this.#enqueue(encodeFrame(Opcode.pong, payload), 0);
      }
      return false;
    }
    if (opcode === Opcode.pong) return false;
    const { code, reason } = parseClosePayload(payload);
    if (!this.#closeSent) {
      this.#state = CLOSING;
      this.#sendClose(code === 1005 ? null : code, "");
    }
    await this.#flush(this.#closeTimeoutMs);
    this.#finish(code, reason, true, false);
    return true;
  }

  /**
   * Fails the connection: a close frame with `code`, then our side is shut and what the client
   * still sends is read and dropped for a moment (bounded), so the close frame is not lost to a
   * reset, and the socket is closed.
   */
  async #fail(code: number, reason: string, reader: ConnReader): Promise<void> {
    if (!this.#closeSent) {
      this.#state = CLOSING;
      this.#sendClose(code, reason.slice(0, 100));
    }
    await this.#flush(this.#closeTimeoutMs);
    const timer = setTimeout(() => this.#finish(code, reason, false, true), LINGER_MS);
    try {
      await this.#conn?.closeWrite();
      let drained = 0;
      for (let count; drained < LINGER_BYTES && (count = await reader.fill()) !== null;) {
        drained += count;
        reader.consume(reader.buffered.length);
      }
    } catch {
      // closed by the timer, or by the client
    }
    clearTimeout(timer);
    this.#finish(code, reason, false, true);
  }

  /**
   * The server is closing: the queued frames (a close frame last) get a moment to go out, our side
   * is shut, and the client a moment to answer, so the close frame is not lost to a reset; then
   * the socket is dropped.
   */
  async #shutdown(): Promise<void> {
    await this.#flush(SHUTDOWN_FLUSH_MS);
    if (this.#closeSent && !this.#finished) {
      await this.#conn?.closeWrite().catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS));
      await Promise.race([this.#ended.promise, late]);
      clearTimeout(timer);
    }
    this.#finish(1006, "", false, false);
  }

  #sendClose(code: number | null, reason: string): void {
    this.#closeSent = true;
    const payload = code === null ? new Uint8Array(0) : encodeClosePayload(code, reason);
    this.#enqueue(encodeFrame(Opcode.close, payload), 0, true);
  }

  #startCloseTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#finish(1006, "", false, false), this.#closeTimeoutMs);
  }

  #enqueue(frame: Uint8Array, payloadBytes: number, force = false): void {
    if (this.#finished || (this.#closeSent && !force)) return;
    this.#queue.push(frame);
    this.#queuedPayload.push(payloadBytes);
    this.#buffered += payloadBytes;
    this.#kick();
  }

  /** Starts the writer unless it runs already. */
  #kick(): void {
    if (this.#draining || !this.#conn || this.#queue.length === 0) return;
    this.#draining = true;
    this.#drained = this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && this.#conn && !this.#finished) {
        const batch = this.#queue.length === 1 ? this.#queue[0] : concat(this.#queue);
        const payload = this.#queuedPayload.reduce((sum, bytes) => sum + bytes, 0);
        this.#queue = [];
        this.#queuedPayload = [];
        this.#pongQueued = false;
        let written = 0;
        while (written < batch.length) written += await this.#conn.write(batch.subarray(written));
        this.#buffered -= payload;
      }
    } catch {
      this.#finish(1006, "", false, true);
    } finally {
      this.#draining = false;
    }
  }

  /** Waits (at most `ms`) until everything queued is written. */
  async #flush(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    let waiting = true;
    timeout.then(() => waiting = false);
    while (waiting && this.#draining && !this.#finished) {
      await Promise.race([this.#drained, timeout]);
    }
    clearTimeout(timer);
  }

  /** Closes the connection and tells the listeners, once. */
  #finish(code: number, reason: string, wasClean: boolean, failed: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#state = CLOSED;
    clearTimeout(this.#timer);
    this.#queue = [];
    this.#queuedPayload = [];
    this.#buffered = 0;
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    if (failed) this.dispatchEvent(new Event("error"));
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
    this.#ended.resolve();
  }
}

/** Reads and unmasks one frame's payload into `target`; `false` when the connection ends first. */
async function readPayload(
  reader: ConnReader,
  header: FrameHeader,
  target: Uint8Array,
): Promise<boolean> {
  let filled = 0;
  while (filled < header.length) {
    if (reader.buffered.length === 0 && await reader.fill() === null) return false;
    const part = reader.buffered.subarray(0, header.length - filled);
    target.set(part, filled);
    reader.consume(part.length);
    filled += part.length;
  }
  unmask(target, header.mask, 0);
  return true;
}

/** A message buffer with room for `needed` bytes (doubling, at most `max`), the first `used` kept. */
function grown(buffer: Uint8Array, used: number, needed: number, max: number): Uint8Array {
  const bigger = new Uint8Array(Math.min(max, Math.max(needed, buffer.length * 2)));
  bigger.set(buffer.subarray(0, used));
  return bigger;
}
