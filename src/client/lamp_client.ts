/**
 * The lamp client: one dispatcher (the lamp's state and counts, kept across connections), sessions
 * run by the reconnect wrapper, and `close()`. It knows nothing about rendering.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import { Dispatcher, type DispatchListener, type FrameCounts } from "../commands/dispatcher.ts";
import type { Command } from "../commands/command.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import type { Address } from "../net/address.ts";
import type { Proxy } from "../net/proxy.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import type { LampEvent } from "./lamp_event.ts";
import { type LampTls, runSession } from "./lamp_session.ts";
import { reconnecting, type ReconnectPolicy } from "./reconnect.ts";

/** How a {@linkcode LampClient} connects, retries and reports. */
export interface LampClientOptions extends DispatchListener {
  /** Servers to use, tried in order; the next one is used after a failure. */
  readonly addresses: readonly Address[];
  /** Commands the lamp understands (the built-in ones by default). */
  readonly table?: CommandTable;
  /** Retry policy (full-jitter exponential backoff, healthy after 5 s, by default). */
  readonly policy?: Partial<ReconnectPolicy>;
  /** Give up a connection attempt after this long (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** On close, wait this long for the server to end its side before closing ours (default 1 s). */
  readonly closeTimeoutMs?: number;
  /** Drop a connection silent for this long (ms, 0 = never); default `"auto"` (see the session). */
  readonly idleTimeoutMs?: number | "auto";
  /** For `tls://` and `wss://` addresses: a private CA, a client certificate. */
  readonly tls?: LampTls;
  /** The HTTP proxy for an address, if it goes through one (none by default). */
  readonly proxy?: (address: Address) => Proxy | undefined;
  /** The stand's token, sent with a WebSocket address's upgrade (`Authorization: Bearer`). */
  readonly token?: string;
  /** Receives every lifecycle event, synchronously, in order. */
  readonly onEvent?: (event: LampEvent) => void;
  /** Called after the frames of each read were applied; a promise holds the next read back. */
  readonly onRead?: () => Promise<void> | void;
}

/** The defaults of {@linkcode LampClientOptions.policy}. */
export const DEFAULT_POLICY: ReconnectPolicy = {
  backoff: (attempt) => backoffDelay(attempt, Math.random, DEFAULT_BACKOFF),
  healthyAfterMs: 5000,
  unreachableEveryMs: 60_000,
};

/**
 * A lamp connected to a server: it starts connecting when created and keeps its state across
 * reconnects. `close()` ends it cleanly: the server reads EOF, never a reset.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LampClient } from "./lamp_client.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const lamp = new LampClient({ addresses: [{ hostname: "127.0.0.1", port: listener.addr.port }] });
 * const conn = await listener.accept();
 * const closing = lamp.close();
 * assertEquals(await conn.read(new Uint8Array(1)), null); // a clean EOF
 * conn.close();
 * listener.close();
 * await closing;
 * ```
 */
export class LampClient {
  /** Settles when the client has stopped (after `close()`; rejects on a bug). */
  readonly closed: Promise<void>;
  #dispatcher: Dispatcher;
  #stop = new AbortController();

  /** @param options Addresses and tuning; connecting starts at once. */
  constructor(options: LampClientOptions) {
    if (options.addresses.length === 0) {
      throw new RangeError("LampClient needs at least one address");
    }
    this.#dispatcher = new Dispatcher(options.table ?? createCommandTable(), options);
    const signal = this.#stop.signal;
    const session = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? "auto",
      tls: options.tls,
      token: options.token,
    };
    this.closed = reconnecting(
      (address, onConnected) =>
        runSession({
          ...session,
          address,
          proxy: options.proxy?.(address),
          dispatcher: this.#dispatcher,
          signal,
          onConnected,
          onRead: options.onRead,
        }),
      {
        addresses: options.addresses,
        policy: { ...DEFAULT_POLICY, ...options.policy },
        signal,
        onEvent: options.onEvent ?? (() => {}),
      },
    );
  }

  /** The lamp as it is now (an immutable snapshot). */
  get state(): LampState {
    return this.#dispatcher.state;
  }

  /** Frames seen so far, by outcome. */
  get counts(): FrameCounts {
    return this.#dispatcher.counts;
  }

  /** The last command applied and its value, if any. */
  get last(): { readonly command: Command; readonly args: unknown } | null {
    const command = this.#dispatcher.lastCommand;
    return command ? { command, args: this.#dispatcher.lastArgs } : null;
  }

  /**
   * Stops the lamp: cancels a pending retry or connect at once, or shuts the connection down
   * cleanly (our side first, then drains until the server closes or the close timeout ends).
   *
   * @returns Resolves when the client has stopped.
   */
  close(): Promise<void> {
    this.#stop.abort();
    return this.closed;
  }
}
