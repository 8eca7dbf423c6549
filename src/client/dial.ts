/**
 * Dialing a lamp server, whatever the address: TCP, TLS, or a WebSocket on a stand's web port
 * (`ws://`, `wss://`), each directly or through an HTTP proxy's CONNECT tunnel. What comes back
 * reads as one byte stream of TLV frames.
 *
 * @module
 */
import type { Address } from "../net/address.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { ConnectTimeoutError } from "../net/connection_errors.ts";
import { openTunnel } from "../net/http_connect.ts";
import type { Proxy } from "../net/proxy.ts";
import { readResponseHead } from "../net/read_head.ts";
import { startTlsClient, type TlsClientTrust } from "../net/tls_client_conn.ts";
import { type ByteConn, WebSocketConn } from "../net/websocket_conn.ts";
import { checkUpgradeReply, upgradeRequest, websocketKey } from "../net/websocket_handshake.ts";
import { VERSION } from "../version.ts";

/** How a lamp connects over TLS (all PEM text): a private CA, a client certificate. */
export type LampTls = TlsClientTrust;

/** What a lamp reads from: a TCP or TLS connection, or a WebSocket's binary payloads. */
export interface LampConn {
  /** Reads into `buffer`: the count (0 when only WebSocket control frames came), `null` at end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Ends our side (on a WebSocket, with a close frame first). */
  closeWrite(): Promise<void>;
  /** Closes at once. */
  close(): void;
  /** How a WebSocket server closed it, once it did (a plain connection has none). */
  readonly closeFrame?: { readonly code: number; readonly reason: string } | null;
}

/** How to dial. */
export interface DialOptions {
  /** Stops the attempt (the lamp is closing). */
  readonly signal: AbortSignal;
  /** Give up after this long. */
  readonly connectTimeoutMs: number;
  /** For TLS addresses: a private CA, a client certificate. */
  readonly tls?: LampTls;
  /** Go through this HTTP proxy. */
  readonly proxy?: Proxy;
  /** The stand's token, sent with a WebSocket upgrade as `Authorization: Bearer`. */
  readonly token?: string;
}

/**
 * Connects to an address, ready to read frames.
 *
 * @param address Where.
 * @param options How.
 * @returns The connection.
 * @throws What connecting threw: a network error, a {@linkcode TlsFailure}, a {@linkcode RefusedError} from
 *   a proxy or a stand, {@linkcode ConnectTimeoutError} after the timeout.
 */
export async function dial(address: Address, options: DialOptions): Promise<LampConn> {
  const { connectTimeoutMs, signal } = options;
  // AbortSignal.timeout, not setTimeout: a process's first setTimeout costs milliseconds of
  // start-up, and the first frame should not wait for it.
  const timeout = AbortSignal.timeout(connectTimeoutMs);
  const attempt = AbortSignal.any([signal, timeout]);
  let opened: ByteConn | undefined;
  try {
    if (signal.aborted) throw new Deno.errors.Interrupted("stopped before connecting");
    const { conn, rest } = await untilAborted(
      open(address, options, attempt),
      attempt,
      (late) => closeQuietly(late.conn),
    );
    opened = conn;
    if (address.websocket === undefined) return rest.length ? new PrefixedConn(conn, rest) : conn;
    return await untilAborted(upgrade(conn, rest, address, options), attempt);
  } catch (error) {
    if (opened) closeQuietly(opened);
    if (timeout.aborted && !signal.aborted) {
      throw new ConnectTimeoutError(connectTimeoutMs, { cause: error });
    }
    throw error;
  }
}

/** The connection to the server (through a tunnel when there is a proxy), TLS done. */
async function open(
  address: Address,
  options: DialOptions,
  attempt: AbortSignal,
): Promise<{ conn: ByteConn; rest: Uint8Array }> {
  const { proxy, tls } = options;
  const target = { hostname: address.hostname, port: address.port };
  const tcp = await Deno.connect({
    ...(proxy ? { hostname: proxy.hostname, port: proxy.port } : target),
    transport: "tcp",
    signal: attempt,
  });
  tcp.setNoDelay(true);
  tcp.setKeepAlive(true);
  // Neither a proxy's answer nor a TLS handshake heeds the signal: an attempt given up closes
  // the TCP connection under them (TLS runs in node:tls over it, so the socket closes at once),
  // or a server that never answers would keep one per attempt.
  const giveUp = () => closeQuietly(tcp);
  attempt.addEventListener("abort", giveUp, { once: true });
  try {
    const rest = proxy ? await openTunnel(tcp, target, proxy) : new Uint8Array();
    if (!address.tls) return { conn: tcp, rest };
    if (rest.length > 0) {
      throw new Deno.errors.InvalidData("the server spoke before the TLS handshake");
    }
    return { conn: await startTlsClient(tcp, address.hostname, tls), rest };
  } catch (error) {
    closeQuietly(tcp);
    throw error;
  } finally {
    attempt.removeEventListener("abort", giveUp);
  }
}

/** Upgrades a connection to a WebSocket on the address's path. */
async function upgrade(
  conn: ByteConn,
  rest: Uint8Array,
  address: Address,
  options: DialOptions,
): Promise<LampConn> {
  const key = websocketKey();
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  const defaultPort = address.tls ? 443 : 80;
  const request = upgradeRequest({
    host: address.port === defaultPort ? host : `${host}:${address.port}`,
    path: address.websocket ?? "/",
    key,
    token: options.token,
    userAgent: `flashlight/${VERSION}`,
  });
  if (rest.length > 0) throw new Deno.errors.InvalidData("the server spoke before the upgrade");
  const bytes = new TextEncoder().encode(request);
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  const where = `${address.tls ? "wss" : "ws"}://${host}:${address.port}${address.websocket}`;
  const head = await readResponseHead(conn, "the stand").catch((error) => {
    // An HTTPS port closes on a request in clear text without a word.
    if (address.tls || !(error instanceof Deno.errors.UnexpectedEof)) throw error;
    const secure = `wss://${host}:${address.port}${address.websocket}`;
    throw new Deno.errors.UnexpectedEof(
      `${error.message} (if it serves HTTPS, connect to ${secure})`,
      { cause: error },
    );
  });
  checkUpgradeReply(head, key, where, options.token !== undefined);
  return new WebSocketConn(conn, head.rest);
}

/** A connection whose first bytes were read already (with a proxy's answer). */
class PrefixedConn implements LampConn {
  #conn: ByteConn;
  #rest: Uint8Array;

  constructor(conn: ByteConn, rest: Uint8Array) {
    this.#conn = conn;
    this.#rest = rest;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#rest.length === 0) return this.#conn.read(buffer);
    const count = Math.min(buffer.length, this.#rest.length);
    buffer.set(this.#rest.subarray(0, count));
    this.#rest = this.#rest.subarray(count);
    return Promise.resolve(count);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * Resolves as `promise` does, or rejects with the signal's reason when it aborts first (then a
 * late value is cleaned up).
 */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  cleanUp: (late: T) => void = () => {},
): Promise<T> {
  if (signal.aborted) {
    promise.then(cleanUp, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(cleanUp, () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
