/**
 * The client side of a TLS connection, run by `node:tls` over a TCP connection Deno opened.
 * Unlike `Deno.connectTls` and `Deno.startTls`, whose `TlsConn` keeps its socket open after
 * `close()` until a pending handshake ends (denoland/deno#14547), closing the TCP connection under
 * a handshake, or the {@linkcode TlsClientConn} after it, closes the socket at once.
 *
 * @module
 */
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import {
  connect,
  type ConnectionOptions,
  createSecureContext,
  type SecureContext,
  type TLSSocket,
} from "node:tls";
import { closeQuietly } from "./close_quietly.ts";
import { connDuplex } from "./conn_duplex.ts";
import { ReadChunks } from "./read_chunks.ts";
import { tlsFailure } from "./tls_failure.ts";

/** What a client trusts and presents (all PEM text). */
export interface TlsClientTrust {
  /** Certificates to trust in place of the runtime's root store (a private CA). */
  readonly caCerts?: readonly string[];
  /** A client certificate chain to present, with its key. */
  readonly cert?: string;
  /** The client certificate's private key. */
  readonly key?: string;
}

/** Contexts built once per trust object (parsing PEM is not free). */
const contexts = new WeakMap<TlsClientTrust, SecureContext>();

/**
 * The context for a trust, built on first use (`undefined`: node:tls's defaults, the runtime's
 * root store, will do). CAs given replace the root store: adding them to it would need the list
 * of roots, which Deno gives only with every `--allow-sys` permission.
 */
function secureContext(trust: TlsClientTrust): SecureContext | undefined {
  const { caCerts, cert, key } = trust;
  const clientCert = cert !== undefined && key !== undefined;
  if (!caCerts?.length && !clientCert) return undefined;
  let context = contexts.get(trust);
  if (context === undefined) {
    context = createSecureContext({
      ...(caCerts?.length ? { ca: [...caCerts] } : {}),
      ...(clientCert ? { cert, key } : {}),
    });
    contexts.set(trust, context);
  }
  return context;
}

/**
 * Runs the TLS client handshake over `tcp`. To give up on it, close `tcp`: its socket closes at
 * once and the promise rejects.
 *
 * @param tcp The TCP connection (the TLS connection owns it from now on; on a failure it is
 *   closed).
 * @param hostname The server's name or IP: sent as SNI (names only) and checked against its
 *   certificate.
 * @param trust Extra CAs, a client certificate.
 * @returns The connection, handshake done.
 * @throws {TlsFailure} When the handshake fails (in words: an untrusted or expired certificate, a
 *   name it is not for, a server that does not speak TLS); a network error when the connection
 *   fails first.
 * @example
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { startTlsClient } from "./tls_client_conn.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept(); // never answers the handshake
 * const handshake = startTlsClient(tcp, "127.0.0.1");
 * tcp.close(); // given up: the socket is closed at once
 * await assertRejects(() => handshake);
 * server.close();
 * listener.close();
 * ```
 */
export function startTlsClient(
  tcp: Deno.Conn,
  hostname: string,
  trust: TlsClientTrust = {},
): Promise<TlsClientConn> {
  const raw = connDuplex(tcp);
  raw.on("error", () => {}); // the TLS socket reports it; never an uncaught 'error' event
  const context = secureContext(trust);
  const socket = connect({
    socket: raw,
    host: hostname,
    ...(isIP(hostname) ? {} : { servername: hostname }),
    ...(context ? { secureContext: context } : {}),
    rejectUnauthorized: true,
    allowHalfOpen: true,
  } as ConnectionOptions);
  const conn = new TlsClientConn(tcp, raw, socket);
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      socket.off("secureConnect", settle).off("error", settle).off("end", ended).off(
        "close",
        ended,
      );
      if (error === undefined) return resolve(conn);
      closeQuietly(conn);
      reject(tlsFailure(error));
    };
    const ended = () =>
      settle(
        new Deno.errors.UnexpectedEof("the server closed the connection in the TLS handshake"),
      );
    socket.on("secureConnect", settle).on("error", settle).on("end", ended).on("close", ended);
  });
}

/**
 * A TLS client connection (see {@linkcode startTlsClient}) in the shape the lamp reads: `read`
 * into a buffer, `write`, `closeWrite`, `close`.
 */
export class TlsClientConn {
  #tcp: Deno.Conn;
  #tls: TLSSocket;
  #incoming: ReadChunks;
  #ended = false;
  #error: Error | null = null;
  #closed = false;
  #received = false;
  /** Whether the TCP stream ended with nothing decrypted and no TLS end seen (no close_notify). */
  #truncated = false;

  /**
   * Reads what `tls` decrypts (see {@linkcode startTlsClient}, which makes one).
   * @param tcp The TCP connection under it, closed by {@linkcode close}.
   * @param raw The stream over `tcp` that `tls` reads (its end is the TCP connection's).
   * @param tls The TLS socket over it.
   */
  constructor(tcp: Deno.Conn, raw: Duplex, tls: TLSSocket) {
    this.#tcp = tcp;
    this.#tls = tls;
    this.#incoming = new ReadChunks(tls);
    // A server that closes right after the handshake, nothing sent, no close_notify: in TLS 1.3
    // how one refuses a client certificate. Deno's TlsConn reads UnexpectedEof there, and so does
    // this (a close_notify is decrypted at once, before the TCP stream's end is read).
    raw.once("end", () => {
      if (!this.#received && !this.#ended) this.#truncated = true;
    });
    tls.on("data", (chunk: Uint8Array) => {
      this.#received = true;
      this.#incoming.push(chunk);
    });
    tls.on("end", () => {
      this.#ended = true;
      if (this.#truncated) {
        this.#error ??= new Deno.errors.UnexpectedEof(
          "the server closed the connection without a TLS close_notify",
        );
      }
      this.#notify();
    });
    // After the handshake a TLS error (an alert, a record that fails to decrypt) reaches a socket
    // no tls.Server owns only as `_tlsError`, and node:tls keeps the connection open: end it.
    tls.on("_tlsError", (error: Error) => tls.destroy(error));
    tls.on("error", (error: Error) => {
      this.#error ??= tlsFailure(error);
      this.#notify();
    });
    tls.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /**
   * Reads decrypted bytes: all that is buffered, up to `buffer`'s size.
   * @param buffer Where to put them.
   * @returns How many, or `null` at the end of the stream.
   */
  async read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
    while (this.#incoming.empty) {
      if (this.#error) throw this.#error;
      if (this.#closed) throw new Deno.errors.Interrupted("the TLS connection was closed");
      if (this.#ended) return null;
      await this.#incoming.arrival();
    }
    return this.#incoming.take(buffer);
  }

  /**
   * Writes all of `bytes`; resolves once they are encrypted and with the socket.
   * @param bytes The bytes (not kept after the promise resolves).
   * @returns `bytes.length`.
   */
  write(bytes: Uint8Array): Promise<number> {
    if (this.#closed || this.#tls.destroyed) {
      return Promise.reject(new Deno.errors.BrokenPipe("the TLS connection is closed"));
    }
    return new Promise((resolve, reject) => {
      this.#tls.write(bytes, (error?: Error | null) => {
        if (error) reject(tlsFailure(error));
        else resolve(bytes.length);
      });
    });
  }

  /** Sends TLS's close_notify and a FIN once what was written is sent; reading goes on. */
  closeWrite(): Promise<void> {
    if (this.#closed || this.#tls.destroyed) {
      return Promise.reject(new Deno.errors.BadResource("the TLS connection is closed"));
    }
    return new Promise((resolve) => this.#tls.end(resolve));
  }

  /** Closes the socket now, whatever the TLS session is doing. */
  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
    this.#closed = true;
    closeQuietly(this.#tcp);
    this.#tls.destroy();
    this.#notify();
  }

  #notify(): void {
    this.#incoming.wake();
  }
}
