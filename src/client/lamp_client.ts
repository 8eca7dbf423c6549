/**
 * The lamp client: one dispatcher (the lamp's state and counts, kept across connections), sessions
 * run by the reconnect wrapper, and `close()`. It knows nothing about rendering.
 *
 * @module
 */
import { Dispatcher, type FrameCounts } from "../commands/dispatcher.ts";
import type { Command } from "../commands/command.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import { backoffDelay } from "../net/backoff.ts";
import { runSession } from "./lamp_session.ts";
import { lampOptions, type LampOptionsGiven } from "./lamp_options.ts";
import { reconnecting } from "./reconnect.ts";

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

  /**
   * A lamp; connecting starts at once.
   * @param given The addresses, and what differs from the defaults (`DEFAULT_LAMP_OPTIONS` in
   *   `lamp_options.ts`); connecting starts at once.
   */
  constructor(given: LampOptionsGiven) {
    const options = lampOptions(given);
    if (options.addresses.length === 0) {
      throw new RangeError("LampClient needs at least one address");
    }
    this.#dispatcher = new Dispatcher(options.table, options);
    const signal = this.#stop.signal;
    const bounds = {
      initialMs: options.retryInitialMs,
      maxMs: options.retryMaxMs,
      minMs: options.retryMinMs,
    };
    this.closed = reconnecting(
      (address, onConnected) =>
        runSession({
          address,
          connectTimeoutMs: options.connectTimeoutMs,
          closeTimeoutMs: options.closeTimeoutMs,
          idleTimeoutMs: options.idleTimeoutMs,
          tls: options.tls,
          token: options.token,
          proxy: options.proxy?.(address),
          dispatcher: this.#dispatcher,
          signal,
          onConnected,
          onRead: options.onRead,
        }),
      {
        addresses: options.addresses,
        policy: {
          backoff: options.backoff ?? ((attempt) => backoffDelay(attempt, Math.random, bounds)),
          healthyAfterMs: options.healthyAfterMs,
          unreachableEveryMs: options.unreachableEveryMs,
        },
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
