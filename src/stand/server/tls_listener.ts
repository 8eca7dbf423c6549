/**
 * A TLS listener for the stand's ports: `Deno.listen` accepts plain TCP (so accept errors and
 * budgets work as on every port) and `node:tls` runs the handshake, so a connection closed before
 * or during its handshake frees its descriptor at once, which `Deno.listenTls` does not do
 * (denoland/deno#14547: 1,500 clients that never sent a ClientHello kept 1,500 descriptors).
 *
 * @module
 */
import { createSecureContext } from "node:tls";
import { checkCertificate, checkKeyPair } from "../../net/certificate_checks.ts";
import { TlsServerConn } from "./tls_server_conn.ts";

/** Where to listen, the key pair, whom to admit, and how long a handshake may take. */
export interface TlsListenOptions extends Deno.TcpListenOptions {
  /** The certificate chain (PEM). */
  readonly cert: string;
  /** The private key (PEM). */
  readonly key: string;
  /**
   * A CA (PEM, one or more certificates): when given, only clients presenting a certificate it
   * signed complete their handshake; the others are closed.
   */
  readonly clientCa?: string;
  /** A connection whose handshake is not done this long after it was accepted is closed. */
  readonly handshakeTimeoutMs?: number;
  /** Called for each handshake that failed (a bad or missing client certificate, a timeout…). */
  readonly onHandshakeError?: (error: Error) => void;
}

/** The default handshake deadline: generous for a slow lamp, short for an idle socket. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Listens for TLS connections; each accepted connection starts its handshake at once.
 *
 * @param options The address, the key pair and the handshake deadline.
 * @returns The listener (its connections are `Deno.TlsConn`s).
 * @throws {TypeError} When the certificate or the key cannot be read, or do not match.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { listenTls } from "./tls_listener.ts";
 * // Tests make real key pairs with openssl (see scripts/support/test_pki.ts).
 * assertThrows(
 *   () => listenTls({ hostname: "127.0.0.1", port: 0, cert: "not a PEM", key: "not a PEM" }),
 *   TypeError,
 *   "the TLS certificate cannot be read",
 * );
 * ```
 */
export function listenTls(options: TlsListenOptions): Deno.TlsListener {
  const {
    cert,
    key,
    clientCa,
    handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS,
    onHandshakeError,
    ...address
  } = options;
  checkKeyPair(cert, key);
  if (clientCa !== undefined) checkCertificate(clientCa, "client CA");
  const context = createSecureContext({ cert, key, ca: clientCa });
  const checks = { requireClientCert: clientCa !== undefined, onHandshakeError };
  const tcp = Deno.listen({ ...address, transport: "tcp" });
  const accept = async () =>
    new TlsServerConn(await tcp.accept(), context, handshakeTimeoutMs, checks);
  return {
    addr: tcp.addr,
    accept,
    close: () => tcp.close(),
    ref: () => tcp.ref(),
    unref: () => tcp.unref(),
    [Symbol.dispose]: () => tcp.close(),
    async *[Symbol.asyncIterator]() {
      while (true) {
        try {
          yield await accept();
        } catch (error) {
          if (error instanceof Deno.errors.BadResource) return;
          throw error;
        }
      }
    },
  };
}
