/**
 * One connection of the lamp: dial, read loop → frame decoder → command table, clean close. It
 * knows nothing of retries; {@linkcode ./reconnect.ts} turns it into a lamp that keeps trying.
 *
 * @module
 */
import type { Dispatcher } from "../commands/dispatcher.ts";
import { type Address, formatAddress } from "../net/address.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { describeError, isRetriable } from "../net/connection_errors.ts";
import type { Proxy } from "../net/proxy.ts";
import { FrameDecoder } from "../protocol/frame_decoder.ts";
import { dial, type LampConn, type LampTls } from "./dial.ts";
import { IdleWatch } from "./idle_watch.ts";

export type { LampTls };

/** How one session dials, reads and ends. */
export interface SessionOptions {
  /** Where to connect. */
  readonly address: Address;
  /** Applies the frames (it outlives the session: the lamp keeps its state across connections). */
  readonly dispatcher: Dispatcher;
  /** Ends the session cleanly: our side first, then what is in flight is drained. */
  readonly signal: AbortSignal;
  /** Give up connecting after this long. */
  readonly connectTimeoutMs: number;
  /** On close, how long to wait for the server to end its side before closing ours. */
  readonly closeTimeoutMs: number;
  /**
   * Drop the connection after this long without a byte; 0 = never. With `"auto"`, never until the
   * server sends a keep-alive frame, then three times the longest gap seen between two of them
   * (at least 30 s): a flashlight stand sends them, other servers are never timed out.
   */
  readonly idleTimeoutMs: number | "auto";
  /** For `tls` addresses: certificates to trust in place of the system's, a client certificate. */
  readonly tls?: LampTls;
  /** The HTTP proxy to go through, if any. */
  readonly proxy?: Proxy;
  /** The stand's token, for a WebSocket address (`Authorization: Bearer`). */
  readonly token?: string;
  /** Called once the connection is up. */
  readonly onConnected?: () => void;
  /**
   * Called after the frames of each read were applied (flush logs, redraw); when it returns a
   * promise, the next read waits for it: a log whose output has fallen behind slows the stream
   * down instead of losing lines.
   */
  readonly onRead?: () => Promise<void> | void;
}

/** How a session ended. */
export interface SessionEnd {
  /** Whether the connection was established at all. */
  readonly connected: boolean;
  /** Frames applied during the session. */
  readonly applied: number;
  /** How long the connection was up, in ms (0 when it never was). */
  readonly upMs: number;
  /** Why it ended, for a log line: `server closed the connection`, `connection refused`… */
  readonly reason: string;
}

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Runs one session to its end. Network failures end it with a reason; anything else (a bug, a
 * missing permission) is thrown.
 *
 * @param options What to dial and how.
 * @returns How it ended.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { Dispatcher } from "../commands/dispatcher.ts";
 * import { runSession } from "./lamp_session.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const dispatcher = new Dispatcher(createCommandTable());
 * const session = runSession({
 *   address: { hostname: "127.0.0.1", port: listener.addr.port },
 *   dispatcher,
 *   signal: new AbortController().signal,
 *   connectTimeoutMs: 1000,
 *   closeTimeoutMs: 1000,
 *   idleTimeoutMs: 0,
 * });
 * const conn = await listener.accept();
 * await conn.write(new Uint8Array([0x12, 0, 0]));
 * conn.close();
 * listener.close();
 * const end = await session;
 * assertEquals([end.connected, end.applied, dispatcher.state.on], [true, 1, true]);
 * ```
 */
export async function runSession(options: SessionOptions): Promise<SessionEnd> {
  let conn: LampConn;
  try {
    conn = await dial(options.address, options);
  } catch (error) {
    if (!isRetriable(error) && !options.signal.aborted) throw error;
    return { connected: false, applied: 0, upMs: 0, reason: describeError(error) };
  }
  const started = performance.now();
  const appliedBefore = options.dispatcher.counts.applied;
  const reason = await readUntilEnd(conn, options);
  return {
    connected: true,
    applied: options.dispatcher.counts.applied - appliedBefore,
    upMs: performance.now() - started,
    reason,
  };
}

/** The read loop: every read goes through a fresh decoder into the dispatcher. */
async function readUntilEnd(conn: LampConn, options: SessionOptions): Promise<string> {
  const { dispatcher, signal, onRead } = options;
  const decoder = new FrameDecoder(dispatcher);
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const idle = new IdleWatch(options.idleTimeoutMs, dispatcher, () => closeQuietly(conn));
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const shutDown = () => {
    conn.closeWrite().catch(() => {});
    drainTimer = setTimeout(() => closeQuietly(conn), options.closeTimeoutMs);
  };
  signal.addEventListener("abort", shutDown);
  options.onConnected?.();
  if (signal.aborted) shutDown();
  let reason = "server closed the connection";
  let received = false;
  try {
    for (;;) {
      let count: number | null;
      try {
        count = await conn.read(buffer);
      } catch (error) {
        reason = idle.fired
          ? idle.reason()
          : !received && options.address.tls && error instanceof Deno.errors.UnexpectedEof
          ? refusedAfterHandshake(options.tls?.cert !== undefined)
          : describeError(error); // the network failed
        break;
      }
      if (count === null) {
        if (conn.closeFrame) reason = closedWebSocket(conn.closeFrame);
        else if (!received && !options.address.tls && options.address.websocket === undefined) {
          // A TLS port waits for a handshake a plain lamp never starts, then closes in silence.
          reason += ` before sending a byte${tlsHint(options)}`;
        }
        break;
      }
      received = true;
      if (signal.aborted) continue; // draining after our side was closed
      idle.bytesArrived();
      decoder.push(buffer.subarray(0, count), dispatcher.frame); // a throw here is a bug: it surfaces
      const wait = onRead?.();
      if (wait !== undefined) await wait;
    }
  } finally {
    signal.removeEventListener("abort", shutDown);
    clearTimeout(drainTimer);
    idle.stop();
    closeQuietly(conn);
  }
  if (decoder.bufferedBytes > 0) {
    reason += ` (discarded ${decoder.bufferedBytes} bytes of a partial frame)`;
  }
  return reason;
}

/** `(if it serves TLS: tls://host:port)`: the address a plain lamp would need for a TLS port. */
function tlsHint(options: SessionOptions): string {
  return ` (if it serves TLS, connect to ${formatAddress({ ...options.address, tls: true })})`;
}

/**
 * Why a TLS server may close the connection right after the handshake, without a byte or a
 * close_notify: in TLS 1.3 a server checks the client's certificate after the client is done,
 * and a stand that admits only lamps with a certificate from its CA (`--tls-client-ca`) closes
 * the others so.
 */
function refusedAfterHandshake(presented: boolean): string {
  return presented
    ? "tls: the server closed the connection after the handshake: it may not trust this lamp's certificate (--cert)"
    : "tls: the server closed the connection after the handshake: it may require a client certificate (--cert, --key)";
}

/** How the stand closed a WebSocket, for a log line: `server closed the WebSocket (1001)`. */
function closedWebSocket(frame: { readonly code: number; readonly reason: string }): string {
  const reason = frame.reason.slice(0, 60).replace(/[^\x20-\x7e]/g, "?");
  return `server closed the WebSocket (${frame.code}${reason ? ` ${reason}` : ""})`;
}
