/**
 * The lamp's connection loop: dial, read frames into the lamp state, and reconnect with backoff
 * after any unexpected end, until closed. Owns the lifecycle; knows nothing about rendering.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import { dispatchFrame } from "../commands/dispatch_frame.ts";
import { INITIAL_LAMP_STATE, type LampState } from "../lamp/lamp_state.ts";
import { abortableSleep } from "../net/abortable_sleep.ts";
import { type Address, formatAddress } from "../net/address.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { ConnectTimeoutError, describeError, isRetriable } from "../net/connection_errors.ts";
import { FrameDecoder } from "../protocol/frame_decoder.ts";
import { toHex } from "../protocol/hex.ts";
import type { LampEvent } from "./lamp_event.ts";

/** How a {@linkcode LampClient} connects, retries and reports. */
export interface LampClientOptions {
  /** Servers to use, tried in order; the next one is used after a failure. */
  readonly addresses: readonly Address[];
  /** Commands the lamp understands (the built-in ones by default). */
  readonly table?: CommandTable;
  /** The delay before retry `attempt` (0-based); full-jitter exponential backoff by default. */
  readonly backoff?: (attempt: number) => number;
  /** Give up a connection attempt after this long (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** On close, wait this long for the server to end its side before closing ours (default 1 s). */
  readonly closeTimeoutMs?: number;
  /** Receives every event, synchronously, in order. */
  readonly onEvent?: (event: LampEvent) => void;
}

/** Counts of frames by outcome since the client started. */
export interface FrameCounts {
  /** Frames applied to the lamp. */
  applied: number;
  /** Frames of a type the table does not know (skipped). */
  unknown: number;
  /** Known frames with a wrong-shaped value (ignored). */
  malformed: number;
}

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * A lamp connected to a server: it starts connecting when created and keeps its state across
 * reconnects. `close()` ends it cleanly: the server reads EOF, never a reset.
 *
 * @example
 * ```ts ignore
 * import { LampClient } from "./lamp_client.ts";
 * const lamp = new LampClient({ addresses: [{ hostname: "127.0.0.1", port: 9999 }] });
 * // … later
 * await lamp.close();
 * ```
 */
export class LampClient {
  /** Frames seen so far, by outcome. */
  readonly counts: FrameCounts = { applied: 0, unknown: 0, malformed: 0 };
  /** Settles when the client has stopped (after `close()`, or rejects on a fatal error). */
  readonly closed: Promise<void>;

  #state: LampState = INITIAL_LAMP_STATE;
  #options: LampClientOptions;
  #table: CommandTable;
  #stop = new AbortController();
  #conn: Deno.TcpConn | null = null;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #address = "";

  /** @param options Addresses and tuning; connecting starts at once. */
  constructor(options: LampClientOptions) {
    if (options.addresses.length === 0) {
      throw new RangeError("LampClient needs at least one address");
    }
    this.#options = options;
    this.#table = options.table ?? createCommandTable();
    this.closed = this.#run();
  }

  /** The lamp as it is now. */
  get state(): LampState {
    return this.#state;
  }

  /**
   * Stops the lamp: cancels a pending retry or connect at once, or shuts the connection down
   * cleanly (our side first, then drains until the server closes or the close timeout ends).
   *
   * @returns Resolves when the client has stopped.
   */
  close(): Promise<void> {
    if (!this.#stop.signal.aborted) {
      this.#stop.abort();
      if (this.#conn) this.#shutDown(this.#conn);
    }
    return this.closed;
  }

  /** Ends our side; the read loop then drains until the server closes, or the timeout. */
  #shutDown(conn: Deno.TcpConn): void {
    conn.closeWrite().catch(() => {});
    this.#drainTimer = setTimeout(() => closeQuietly(conn), this.#options.closeTimeoutMs ?? 1000);
  }

  #emit(event: LampEvent): void {
    this.#options.onEvent?.(event);
  }

  async #run(): Promise<void> {
    const { addresses } = this.#options;
    const backoff = this.#options.backoff ?? ((n) => backoffDelay(n, Math.random, DEFAULT_BACKOFF));
    let attempt = 0;
    let index = 0;
    while (!this.#stop.signal.aborted) {
      const address = addresses[index % addresses.length];
      this.#address = formatAddress(address);
      this.#emit({ event: "connecting", address: this.#address });
      let reason: string;
      try {
        const conn = await this.#connect(address);
        const result = await this.#serve(conn);
        reason = result.reason;
        if (result.delivered) attempt = 0;
        else index++;
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        if (!isRetriable(error)) throw error;
        reason = `connect failed: ${describeError(error)}`;
        index++;
      }
      if (this.#stop.signal.aborted) break;
      this.#emit({ event: "disconnected", address: this.#address, reason });
      const delay = backoff(attempt++);
      this.#emit({ event: "retry", address: this.#address, delay_ms: delay, attempt });
      await abortableSleep(delay, this.#stop.signal);
    }
    this.#emit({ event: "shutdown", address: this.#address });
  }

  async #connect(address: Address): Promise<Deno.TcpConn> {
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new ConnectTimeoutError(timeoutMs)), timeoutMs);
    const onStop = () => attempt.abort();
    this.#stop.signal.addEventListener("abort", onStop);
    try {
      return await Deno.connect({ ...address, transport: "tcp", signal: attempt.signal });
    } catch (error) {
      throw attempt.signal.reason instanceof ConnectTimeoutError ? attempt.signal.reason : error;
    } finally {
      clearTimeout(timer);
      this.#stop.signal.removeEventListener("abort", onStop);
    }
  }

  /** Reads one connection until it ends; a fresh decoder, so no half frame survives it. */
  async #serve(conn: Deno.TcpConn): Promise<{ delivered: boolean; reason: string }> {
    conn.setNoDelay(true);
    conn.setKeepAlive(true);
    this.#conn = conn;
    if (this.#stop.signal.aborted) this.#shutDown(conn);
    this.#emit({ event: "connected", address: this.#address });
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    const onFrame = (type: number, bytes: Uint8Array, start: number, end: number) =>
      this.#apply(type, bytes, start, end);
    let delivered = false;
    let reason = "server closed the connection";
    try {
      for (;;) {
        let count: number | null;
        try {
          count = await conn.read(buffer);
        } catch (error) {
          reason = describeError(error); // the network failed: reconnect
          break;
        }
        if (count === null) break;
        if (this.#stop.signal.aborted) continue; // draining after our side was closed
        delivered = true;
        decoder.push(buffer.subarray(0, count), onFrame); // a throw here is a bug: it surfaces
      }
    } finally {
      clearTimeout(this.#drainTimer);
      this.#conn = null;
      closeQuietly(conn);
    }
    if (decoder.bufferedBytes > 0) {
      reason += ` (discarded ${decoder.bufferedBytes} bytes of a partial frame)`;
    }
    return { delivered, reason };
  }

  #apply(type: number, bytes: Uint8Array, start: number, end: number): void {
    const result = dispatchFrame(this.#table, this.#state, type, bytes, start, end);
    this.counts[result.kind]++;
    if (result.kind === "applied") {
      this.#state = result.state;
      this.#emit({
        event: "command",
        address: this.#address,
        command: result.command,
        args: result.args,
        state: result.state,
      });
    } else {
      this.#emit({
        event: "ignored",
        address: this.#address,
        reason: result.kind,
        type,
        length: end - start,
        hex: toHex(bytes.subarray(start, end), 32),
      });
    }
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
