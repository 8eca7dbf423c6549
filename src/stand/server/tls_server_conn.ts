/**
 * The server side of a TLS connection, run by `node:tls` over a TCP connection Deno accepted,
 * behind the `Deno.TlsConn` interface. Unlike Deno's own `TlsConn` (whose `close()` keeps the
 * socket until the handshake ends, denoland/deno#14547), {@linkcode TlsServerConn.close} frees
 * the descriptor at once, handshake or not, and a handshake not done in time closes it too.
 *
 * @module
 */
import { type SecureContext, TLSSocket } from "node:tls";
import { connDuplex } from "../../net/conn_duplex.ts";
import { ReadChunks } from "../../net/read_chunks.ts";

/** What a server asks of its clients' handshakes beyond the key pair. */
export interface TlsClientChecks {
  /**
   * Require a client certificate that chains to the context's `ca` (`--tls-client-ca`): a client
   * without one, or with one the CA did not sign, fails the handshake and is closed.
   */
  readonly requireClientCert?: boolean;
  /** Called once when the handshake fails (not when this side closes the connection first). */
  readonly onHandshakeError?: (error: Error) => void;
}

/**
 * Why the client is not admitted (`""`: it is). The handle's `verifyError()` is
 * what Node's own `tls.Server` asks; a runtime without it fails closed. A resumed session is
 * refused: Deno 2.9 shares session tickets between all of a process's TLS contexts (measured:
 * a ticket from a port without a client CA resumed on one with it, no certificate asked), so a
 * resumption proves nothing about this port's CA.
 */
function clientCertProblem(tls: TLSSocket): string {
  if (tls.isSessionReused()) {
    return "a resumed TLS session: this port requires a full handshake with a client certificate";
  }
  const handle = (tls as unknown as { _handle?: { verifyError?: () => unknown } })._handle;
  if (typeof handle?.verifyError !== "function") {
    return "the client certificate cannot be verified by this runtime";
  }
  const problem = handle.verifyError();
  if (problem === null || problem === undefined || problem === "") return "";
  const code = String((problem as { code?: unknown }).code ?? problem);
  return `the client certificate does not verify against the client CA (${code})`;
}

/**
 * A TLS connection accepted by a server (see `listenTls`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createSecureContext } from "node:tls";
 * import { TlsServerConn } from "./tls_server_conn.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = new TlsServerConn(await listener.accept(), createSecureContext(), 10_000);
 * conn.close(); // no handshake yet: the socket is closed at once all the same
 * assertEquals(await client.read(new Uint8Array(1)), null);
 * client.close();
 * listener.close();
 * ```
 */
export class TlsServerConn implements Deno.TlsConn {
  /** The server's address. */
  readonly localAddr: Deno.NetAddr;
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr;
  #tcp: Deno.Conn;
  #tls: TLSSocket;
  #handshake: Promise<Deno.TlsHandshakeInfo>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #incoming: ReadChunks;
  #ended = false;
  #error: Error | null = null;
  #closed = false;
  #writes = new Set<(error: Error) => void>();
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;
  /** Whether the handshake is done and the client passed the checks (bytes are taken only then). */
  #trusted = false;
  #handshakeSettled = false;

  /**
   * Starts the server handshake on an accepted TCP connection.
   * @param tcp The accepted connection (this object owns it from now on).
   * @param context The certificate and key (and the CA for client certificates).
   * @param handshakeTimeoutMs The connection is closed unless its handshake is done by then.
   * @param checks Whether a client certificate is required; who hears of failed handshakes.
   */
  constructor(
    tcp: Deno.Conn,
    context: SecureContext,
    handshakeTimeoutMs: number,
    checks: TlsClientChecks = {},
  ) {
    this.#tcp = tcp;
    this.localAddr = tcp.localAddr as Deno.NetAddr;
    this.remoteAddr = tcp.remoteAddr as Deno.NetAddr;
    if ("setNoDelay" in tcp) (tcp as Deno.TcpConn).setNoDelay(true);
    let clientSpoke = false; // a port probe connects and closes without a byte
    const raw = connDuplex(tcp, () => clientSpoke = true);
    raw.on("error", () => {}); // the TLS socket reports it; never an uncaught 'error' event
    this.#tls = new TLSSocket(
      raw,
      {
        isServer: true,
        secureContext: context,
        allowHalfOpen: true,
        requestCert: checks.requireClientCert === true,
        rejectUnauthorized: checks.requireClientCert === true,
      } as ConstructorParameters<typeof TLSSocket>[1],
    );
    this.#incoming = new ReadChunks(this.#tls);
    const settled = Promise.withResolvers<Deno.TlsHandshakeInfo>();
    this.#handshake = settled.promise;
    settled.promise.catch(() => {}); // a failed handshake also ends reads; nobody need ask
    const resolve = (info: Deno.TlsHandshakeInfo) => {
      this.#handshakeSettled = true;
      settled.resolve(info);
    };
    /** Ends the handshake with `error`; reported when it is the client's doing (`report`). */
    const reject = (error: Error, report = true) => {
      if (this.#handshakeSettled) return;
      this.#handshakeSettled = true;
      settled.reject(error);
      if (report && !this.#closed) checks.onHandshakeError?.(error);
    };
    this.#timer = setTimeout(() => {
      const error = new Deno.errors.TimedOut(`no TLS handshake within ${handshakeTimeoutMs} ms`);
      reject(error);
      this.#error ??= error; // what waiting reads and writes fail with: the reason to log
      this.#fail(error);
      this.#closeQuietly();
    }, handshakeTimeoutMs);
    this.#tls.once("secure", () => {
      clearTimeout(this.#timer);
      const problem = checks.requireClientCert ? clientCertProblem(this.#tls) : "";
      if (problem) {
        const error = new Deno.errors.InvalidData(problem);
        this.#error = error;
        reject(error);
        this.#closeQuietly();
        return;
      }
      this.#trusted = true;
      const alpn = this.#tls.alpnProtocol;
      resolve({ alpnProtocol: typeof alpn === "string" ? alpn : null });
    });
    this.#tls.on("data", (chunk: Uint8Array) => {
      if (!this.#trusted) return; // nothing from a client before it passed the checks
      this.#incoming.push(chunk);
    });
    this.#tls.on("end", () => {
      this.#ended = true;
      this.#notify();
      if (this.#handshakeSettled) return;
      // The client hung up mid-handshake (it gave up on a certificate, a port probe): half-open
      // is for established connections; this one would otherwise wait out the deadline.
      clearTimeout(this.#timer);
      const error = new Deno.errors.UnexpectedEof(
        "the client closed the connection during the TLS handshake",
      );
      this.#error ??= error;
      reject(error, clientSpoke); // a probe is no failed handshake, as on a plain port
      this.#fail(error);
      this.#closeQuietly();
    });
    this.#tls.on("error", (error: Error) => {
      if ((error as { code?: string }).code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") {
        error = new Deno.errors.InvalidData("the client presented no certificate");
      }
      this.#error ??= error;
      reject(error);
      this.#fail(error);
    });
    // After the handshake, a TLS error (a record that fails to decrypt, a bad MAC) reaches a
    // socket no tls.Server owns only as `_tlsError`: node:tls sends its alert and keeps the
    // connection open (reads wait, writes go on). End it, with the error.
    this.#tls.on("_tlsError", (error: Error) => this.#tls.destroy(error));
    this.#tls.on("close", () => {
      clearTimeout(this.#timer);
      this.#ended = true;
      reject(
        new Deno.errors.UnexpectedEof("the connection closed before the TLS handshake"),
        false,
      );
      this.#fail(new Deno.errors.BrokenPipe("the TLS connection is closed"));
    });
  }

  /**
   * Resolves once the handshake is done.
   * @returns What was negotiated.
   */
  handshake(): Promise<Deno.TlsHandshakeInfo> {
    return this.#handshake;
  }

  /**
   * Reads decrypted bytes.
   * @param p Where to put them.
   * @returns How many, or `null` at the end of the stream.
   */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
    while (this.#incoming.empty) {
      if (this.#error) throw this.#error;
      if (this.#closed) throw new Deno.errors.Interrupted("the TLS connection was closed");
      if (this.#ended) return null;
      await this.#incoming.arrival();
    }
    return this.#incoming.take(p);
  }

  /**
   * Writes all of `p` (encrypted once the handshake is done); resolves when it is with the kernel.
   * @param p The bytes (not kept after the promise resolves).
   * @returns `p.length`.
   */
  write(p: Uint8Array): Promise<number> {
    if (this.#closed || this.#tls.destroyed) {
      return Promise.reject(new Deno.errors.BrokenPipe("the TLS connection is closed"));
    }
    return new Promise((resolve, reject) => {
      this.#writes.add(reject);
      this.#tls.write(p, (error?: Error | null) => {
        this.#writes.delete(reject);
        if (error) reject(error);
        else resolve(p.length);
      });
    });
  }

  /** Sends TLS's close_notify and a FIN once what was written is sent; reading goes on. */
  closeWrite(): Promise<void> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("closed"));
    return new Promise((resolve) => this.#tls.end(resolve));
  }

  /** Closes the socket now (its descriptor is free when this returns). */
  close(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the TLS connection is closed");
    this.#closed = true;
    clearTimeout(this.#timer);
    try {
      this.#tcp.close();
    } catch {
      // already closed by the stream
    }
    this.#tls.destroy();
    this.#fail(new Deno.errors.Interrupted("the TLS connection was closed"));
  }

  /** Keeps the process alive while this connection is open (the default). */
  ref(): void {
    this.#tcp.ref();
  }

  /** Lets the process end while this connection is open. */
  unref(): void {
    this.#tcp.unref();
  }

  /** The decrypted bytes as a stream. */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#readable ??= new ReadableStream({
      pull: async (controller) => {
        const buffer = new Uint8Array(16 * 1024);
        const count = await this.read(buffer);
        if (count === null) controller.close();
        else controller.enqueue(buffer.subarray(0, count));
      },
      cancel: () => this.#closeQuietly(),
    });
  }

  /** Writes to the connection as a stream. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: async () => {
        await this.closeWrite().catch(() => {}); // close_notify and FIN first
        this.#closeQuietly();
      },
      abort: () => this.#closeQuietly(),
    });
  }

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.#closeQuietly();
  }

  #closeQuietly(): void {
    if (!this.#closed) this.close();
  }

  #notify(): void {
    this.#incoming.wake();
  }

  /** Ends waiting reads and writes with `error`. */
  #fail(error: Error): void {
    this.#notify();
    for (const reject of this.#writes) reject(error);
    this.#writes.clear();
  }
}
