/**
 * One HTTP/1.1 connection, served request by request: the head read under a byte limit and a
 * deadline, the body streamed into a web `Request`, the handler's `Response` written back, in
 * order, until either side closes or a limit is reached.
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import { closeQuietly } from "../../net/close_quietly.ts";
import { type BodyFraming, bodyFraming } from "./body_framing.ts";
import { ConnReader } from "./conn_reader.ts";
import { HttpError } from "./http_error.ts";
import type { HttpOptions } from "./http_options.ts";
import { offerUpgrade, type UpgradeOffer } from "./http_upgrade.ts";
import {
  encodeRequestHead,
  findHeadEnd,
  parseRequestHead,
  type RequestHead,
  resumeHeadSearch,
} from "./request_head.ts";
import { type RequestBody, requestBody } from "./request_body.ts";
import { encodeResponseHead } from "./response_head.ts";
import { writeResponse } from "./response_writer.ts";

/** Where a request came from and arrived. */
export interface HttpRequestInfo {
  /** The client's address. */
  readonly remote: Deno.NetAddr;
  /** The server's address the client connected to. */
  readonly local: Deno.NetAddr;
}

/** A request handler, as for `Deno.serve`. */
export type HttpHandler = (
  request: Request,
  info: HttpRequestInfo,
) => Response | Promise<Response>;

/**
 * After a response that ends the connection while the client may still be sending (a lingering
 * close, as nginx does): what arrives is read and dropped while it keeps coming (a pause of 10 s
 * ends it), for at most 30 s and 1 MiB. Our side stays open meanwhile: a FIN would make clients
 * (Deno's fetch) abort their request body at once.
 */
const LINGER_PAUSE_MS = 10_000;
const LINGER_TOTAL_MS = 30_000;
const LINGER_BYTES = 1024 * 1024;
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");
/** The methods a web `Request` upper-cases whatever their case (`get` would become GET). */
const UPPER_CASED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

/**
 * Serves HTTP on one accepted connection until it ends; never throws.
 *
 * @param conn The connection (TCP or TLS; TLS requests get `https:` URLs).
 * @param handler The request handler.
 * @param options Limits and hooks.
 * @param signal Closes the connection at once when aborted.
 * @param onIdle Told when the connection starts waiting for a request (or the rest of its head)
 *   and when it has one to handle, so a full port can close the longest idle connection.
 * @param onUpgraded Told when the connection is handed over to another protocol (a WebSocket),
 *   so a full port can close the oldest such connection. A connection handed on unanswered is
 *   told neither: its handler says, as the server it goes to serves it.
 * @returns Resolves when the connection (or the protocol it was upgraded to) is over.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { serveHttpConnection } from "./http_connection.ts";
 * import { defaultHttpOptions } from "./http_options.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const served = serveHttpConnection(
 *   await listener.accept(),
 *   () => new Response("hi"),
 *   defaultHttpOptions(),
 *   new AbortController().signal,
 * );
 * await client.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
 * const answer = await new Response(client.readable).text();
 * assertEquals(answer.endsWith("\r\n\r\nhi"), true);
 * await served;
 * listener.close();
 * ```
 */
export function serveHttpConnection(
  conn: Deno.Conn,
  handler: HttpHandler,
  options: HttpOptions,
  signal: AbortSignal,
  onIdle: (idle: boolean) => void = () => {},
  onUpgraded: () => void = () => {},
): Promise<void> {
  return new HttpConnection(conn, handler, options, signal, onIdle, onUpgraded).run();
}

class HttpConnection {
  #conn: Deno.Conn;
  #handler: HttpHandler;
  #options: HttpOptions;
  #signal: AbortSignal;
  #onIdle: (idle: boolean) => void;
  #onUpgraded: () => void;
  #reader: ConnReader;
  #info: HttpRequestInfo;
  #scheme: string;
  /** The one timer: it fires at `#timerAt` and closes the connection if `#deadline` has passed. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #deadline = Infinity;
  #timedOut = false;
  #closed = false;

  constructor(
    conn: Deno.Conn,
    handler: HttpHandler,
    options: HttpOptions,
    signal: AbortSignal,
    onIdle: (idle: boolean) => void,
    onUpgraded: () => void,
  ) {
    this.#onIdle = onIdle;
    this.#onUpgraded = onUpgraded;
    this.#conn = conn;
    this.#handler = handler;
    this.#options = options;
    this.#signal = signal;
    this.#reader = new ConnReader(conn);
    this.#info = { remote: conn.remoteAddr as Deno.NetAddr, local: conn.localAddr as Deno.NetAddr };
    this.#scheme = "handshake" in conn ? "https" : "http";
  }

  async run(): Promise<void> {
    const abort = () => this.#close();
    if (this.#signal.aborted) return this.#close();
    this.#signal.addEventListener("abort", abort, { once: true });
    let upgraded = false;
    try {
      for (let served = 1;; served++) {
        const outcome = await this.#serveOne(
          served === 1,
          served >= this.#options.maxRequestsPerConnection,
        );
        if (typeof outcome === "function") {
          upgraded = true;
          // The new protocol owns the connection now and closes it on the signal its own way
          // (a WebSocket sends its close frame first).
          this.#signal.removeEventListener("abort", abort);
          return await outcome();
        }
        if (outcome === "closed") return;
        if (outcome === "linger") return await this.#linger();
      }
    } catch {
      // the connection failed or was closed under us: nothing left to answer
    } finally {
      this.#signal.removeEventListener("abort", abort);
      this.#stopTimer();
      if (!upgraded) this.#close();
    }
  }

  /**
   * Reads, handles and answers one request. After a `101`, what runs the new protocol: the caller
   * runs it once this request's frame (its request, response and head) is gone, as an upgraded
   * connection lives long.
   */
  async #serveOne(
    first: boolean,
    last: boolean,
  ): Promise<"keep" | "closed" | "linger" | (() => Promise<void>)> {
    let head: RequestHead;
    try {
      const parsed = await this.#readHead(first);
      if (!parsed) return "closed";
      head = parsed;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await this.#refuse(error);
      return "closed";
    }
    this.#disarm();
    const path = head.target.split("?")[0];
    let request: Request;
    let framing: BodyFraming = { kind: "none" };
    let body: RequestBody | null = null;
    let offer: UpgradeOffer | null = null;
    try {
      framing = bodyFraming(head.headers, head.minorVersion);
      const built = this.#buildRequest(head, framing);
      request = built.request;
      body = built.body;
      offer = offerUpgrade(request, head.method === "GET" && request.headers.has("upgrade"));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await this.#refuse(error, head.method, path);
      return framing.kind === "none" ? "closed" : "linger"; // a body may be on its way
    }

    let response: Response;
    try {
      response = await this.#handler(request, this.#info);
      if (!(response instanceof Response)) {
        throw new TypeError("the handler did not return a Response");
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError
        ? error.message
        : `handler failed: ${(error as Error)?.message ?? error}`;
      this.#report({
        status,
        message,
        method: head.method,
        path,
        error: status === 500 ? error : undefined,
      });
      response = this.#options.errorResponse(status, status === 500 ? "internal error" : message);
      last = true;
    }
    if (offer?.response === response && offer.handler) {
      const { handler, unanswered } = offer;
      if (!unanswered) await this.#write(encodeResponseHead(101, response.headers, [], true));
      this.#stopTimer();
      if (!unanswered) this.#onUpgraded();
      const rest = this.#reader.detach();
      const bytes = unanswered ? concat([encodeRequestHead(head), rest]) : rest;
      const place = { idle: this.#onIdle, upgraded: this.#onUpgraded };
      return () => handler(this.#conn, bytes, this.#signal, place);
    }
    const unread = framing.kind !== "none" && !body?.complete();
    const close = await writeResponse(response, {
      head: head.method === "HEAD",
      minorVersion: head.minorVersion,
      close: last || unread || this.#signal.aborted || wantsClose(head, response),
    }, (bytes) => this.#write(bytes));
    if (!close) return "keep";
    return unread ? "linger" : "closed";
  }

  /** Waits for a whole head; `null` when the client closed or went quiet between requests. */
  async #readHead(first: boolean): Promise<RequestHead | null> {
    const { maxHeaderBytes, headerTimeoutMs, idleTimeoutMs } = this.#options;
    let waiting = !first && this.#reader.buffered.length === 0; // idle between requests
    this.#arm(waiting ? idleTimeoutMs : headerTimeoutMs);
    this.#onIdle(true);
    let searched = 0;
    for (;;) {
      const bytes = this.#reader.buffered;
      if (waiting && bytes.length > 0) {
        waiting = false;
        this.#arm(headerTimeoutMs);
      }
      const end = findHeadEnd(bytes, searched);
      if (end > maxHeaderBytes || (end < 0 && bytes.length >= maxHeaderBytes)) {
        throw new HttpError(431, `request head over ${maxHeaderBytes} bytes`);
      }
      if (end >= 0) {
        const head = parseRequestHead(bytes.subarray(0, end));
        this.#reader.consume(end);
        this.#onIdle(false);
        return head;
      }
      searched = resumeHeadSearch(bytes.length);
      let count: number | null = null;
      try {
        count = await this.#reader.fill(maxHeaderBytes);
      } catch (error) {
        if (!this.#closed) throw error;
      }
      // Closed while the read was on its way (the deadline's timer can run first when both are
      // due in one turn): whatever the read brought, nobody can be answered, so nothing is handled.
      if (this.#closed) {
        if (this.#timedOut && !waiting) {
          this.#report({
            status: 0,
            message: `request head not received within ${headerTimeoutMs} ms`,
          });
        }
        return null;
      }
      if (count === null) return null;
    }
  }

  #buildRequest(
    head: RequestHead,
    framing: BodyFraming,
  ): { request: Request; body: RequestBody | null } {
    const hosts = head.headers.filter(([name]) => name === "host");
    if (hosts.length > 1 || (hosts.length === 0 && head.minorVersion === 1)) {
      throw new HttpError(400, "a request needs exactly one Host header");
    }
    const { hostname, port } = this.#info.local;
    const host = hosts[0]?.[1] ??
      `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    if (!/^[\w.\-~%!$&'()*+,;=:[\]]+$/.test(host)) {
      throw new HttpError(400, "malformed Host header");
    }
    let url: URL;
    const absolute = !head.target.startsWith("/");
    try {
      url = absolute ? new URL(head.target) : new URL(`${this.#scheme}://${host}${head.target}`);
    } catch (error) {
      throw new HttpError(400, "malformed request target", { cause: error });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new HttpError(400, "malformed request target");
    }
    const expect = head.minorVersion === 1 // HTTP/1.0 expectations are ignored (RFC 9110)
      ? head.headers.find(([name]) => name === "expect")?.[1].toLowerCase()
      : undefined;
    if (expect !== undefined && expect !== "100-continue") {
      throw new HttpError(417, `unsupported expectation: ${JSON.stringify(expect.slice(0, 64))}`);
    }
    if (framing.kind === "length" && framing.length > this.#options.maxBodyBytes) {
      throw new HttpError(
        413,
        `body too large: ${framing.length} bytes (max ${this.#options.maxBodyBytes})`,
      );
    }
    if (head.method !== head.method.toUpperCase() && UPPER_CASED.has(head.method.toUpperCase())) {
      throw new HttpError(501, `method not implemented: ${head.method}`); // methods are case-sensitive
    }
    const isHead = head.method === "HEAD";
    const headers = new Headers();
    try {
      for (const [name, value] of head.headers) {
        if (isHead && name === "upgrade") continue;
        // An absolute-form target names the host; Host is ignored (RFC 9112 §3.2.2), so every
        // check and the handler see the same one.
        headers.append(name, absolute && name === "host" ? url.host : value);
      }
      if (absolute && hosts.length === 0) headers.set("host", url.host);
    } catch (error) {
      throw new HttpError(400, "malformed header field", { cause: error });
    }
    const method = isHead ? "GET" : head.method;
    const hasBody = framing.kind !== "none" && method !== "GET";
    const body = hasBody
      ? requestBody(
        this.#reader,
        framing,
        this.#options,
        expect === "100-continue" ? () => this.#write(CONTINUE) : undefined,
      )
      : null;
    try {
      return { request: new Request(url, { method, headers, body: body?.stream }), body };
    } catch (error) {
      body?.stream.cancel().catch(() => {}); // stops its deadline timer
      throw new HttpError(501, `method not implemented: ${head.method}`, { cause: error });
    }
  }

  /** Writes a refusal (the connection is closed after it). */
  async #refuse(error: HttpError, method?: string, path?: string): Promise<void> {
    this.#report({ status: error.status, message: error.message, method, path });
    const response = this.#options.errorResponse(error.status, error.message);
    await writeResponse(
      response,
      { head: method === "HEAD", minorVersion: 1, close: true },
      (bytes) => this.#write(bytes),
    );
  }

  /**
   * Writes all of `bytes`, dropping the connection when the client does not read in time. While
   * it waits for the client to read, the connection is idle (a full port may shed it): a client
   * that pipelines requests and never reads the answers holds nothing against a newcomer.
   */
  async #write(bytes: Uint8Array): Promise<void> {
    this.#arm(this.#options.writeTimeoutMs);
    this.#onIdle(true);
    let written = 0;
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
    this.#onIdle(false);
    this.#disarm();
  }

  /**
   * Ends a connection whose client may still be sending (a refused or unread body): read and
   * drop what still comes for a while, then close, so the last response is not lost to a reset.
   */
  async #linger(): Promise<void> {
    this.#onIdle(true); // only politeness is left: a newcomer may have the place
    const total = setTimeout(() => this.#close(), LINGER_TOTAL_MS);
    let drained = this.#reader.buffered.length;
    this.#reader.consume(drained);
    try {
      while (drained < LINGER_BYTES) {
        this.#arm(LINGER_PAUSE_MS);
        const count = await this.#reader.fill();
        if (count === null) break;
        drained += count;
        this.#reader.consume(count);
      }
    } catch {
      // closed by a timer
    } finally {
      clearTimeout(total);
    }
  }

  /**
   * Sets the connection's deadline `ms` from now: when it passes, the connection is closed.
   * One timer serves every deadline; it is only re-made when the new deadline is sooner than
   * its firing time, so a request usually costs no timer at all.
   */
  #arm(ms: number): void {
    this.#deadline = performance.now() + ms;
    if (this.#deadline < this.#timerAt) this.#schedule(ms);
  }

  /** No deadline until the next {@linkcode #arm} (the timer, if set, fires and does nothing). */
  #disarm(): void {
    this.#deadline = Infinity;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = performance.now() + ms;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      if (this.#deadline === Infinity) return;
      const left = this.#deadline - performance.now();
      if (left > 0) return this.#schedule(left);
      this.#timedOut = true;
      this.#close();
    }, ms);
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#deadline = Infinity;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    closeQuietly(this.#conn);
  }

  #report(report: Omit<Parameters<HttpOptions["onError"]>[0], "remote">): void {
    try {
      this.#options.onError({ ...report, remote: this.#info.remote });
    } catch {
      // a failing report must not end the connection
    }
  }
}

/** Whether the request or the handler asked for the connection to end after this response. */
function wantsClose(head: RequestHead, response: Response): boolean {
  const tokens = (value: string | null | undefined) =>
    (value ?? "").toLowerCase().split(",").map((token) => token.trim());
  // Several Connection fields are one list (RFC 9110 §5.3).
  const fields = head.headers.filter(([name]) => name === "connection").map(([, value]) => value);
  const requested = tokens(fields.join(","));
  if (requested.includes("close")) return true;
  if (head.minorVersion === 0 && !requested.includes("keep-alive")) return true;
  return tokens(response.headers.get("connection")).includes("close");
}
