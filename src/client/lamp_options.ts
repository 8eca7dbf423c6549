/**
 * How a lamp connects, retries and reports, with every default in one place: the lamp command, the
 * tests and the benchmarks give the addresses and only what differs.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import type { DispatchListener } from "../commands/dispatcher.ts";
import type { Address } from "../net/address.ts";
import { DEFAULT_BACKOFF } from "../net/backoff.ts";
import type { Proxy } from "../net/proxy.ts";
import type { LampEvent } from "./lamp_event.ts";
import type { LampTls } from "./dial.ts";

/** How a lamp (`LampClient`) connects, retries and reports. */
export interface LampOptions extends DispatchListener {
  /** Servers to use, tried in order; the next one is used after a failure. Required. */
  readonly addresses: readonly Address[];
  /**
   * Commands the lamp understands.
   *
   * @default {createCommandTable()}
   */
  readonly table: CommandTable;
  /**
   * Upper bound of the first reconnect delay, in ms: each retry doubles it (full jitter: the delay
   * is drawn at random below the bound, so lamps that lost one server spread out).
   *
   * @default {500}
   */
  readonly retryInitialMs: number;
  /**
   * The cap on every reconnect delay, in ms (`--retry-max`).
   *
   * @default {5000}
   */
  readonly retryMaxMs: number;
  /**
   * The least reconnect delay, in ms, so a server that accepts and closes at once cannot cause a
   * tight loop.
   *
   * @default {50}
   */
  readonly retryMinMs: number;
  /**
   * The delay before retry `attempt` (0-based since the last healthy connection), in ms, in place
   * of the full-jitter backoff the three bounds above describe.
   *
   * @default {undefined}
   */
  readonly backoff?: (attempt: number) => number;
  /**
   * A connection is healthy once it applied a frame and stayed up this long, in ms; only then does
   * the backoff start again from 0 on the same address.
   *
   * @default {5000}
   */
  readonly healthyAfterMs: number;
  /**
   * `unreachable` is reported once every address has failed in a row, then again this often, in
   * ms, while no connection is healthy.
   *
   * @default {60000}
   */
  readonly unreachableEveryMs: number;
  /**
   * Give up a connection attempt after this long, in ms.
   *
   * @default {10000}
   */
  readonly connectTimeoutMs: number;
  /**
   * On close, wait this long, in ms, for the server to end its side before closing ours.
   *
   * @default {1000}
   */
  readonly closeTimeoutMs: number;
  /**
   * Drop a connection silent for this long, in ms (0: never). `"auto"`: never until the server
   * sends a keep-alive frame, then three times the longest gap seen between two (at least 30 s).
   *
   * @default {"auto"}
   */
  readonly idleTimeoutMs: number | "auto";
  /**
   * For `tls://` and `wss://` addresses: a private CA, a client certificate (none: the system's
   * roots, no client certificate).
   *
   * @default {undefined}
   */
  readonly tls?: LampTls;
  /**
   * The HTTP proxy for an address, if it goes through one (none: every address directly).
   *
   * @default {undefined}
   */
  readonly proxy?: (address: Address) => Proxy | undefined;
  /**
   * The stand's token, sent with a WebSocket address's upgrade (`Authorization: Bearer`).
   *
   * @default {undefined}
   */
  readonly token?: string;
  /**
   * Receives every lifecycle event, synchronously, in order.
   *
   * @default {undefined}
   */
  readonly onEvent?: (event: LampEvent) => void;
  /**
   * Called after the frames of each read were applied; a promise holds the next read back.
   *
   * @default {undefined}
   */
  readonly onRead?: () => Promise<void> | void;
  /**
   * Called for each frame applied, with the lamp's state after it (one value per piece of the
   * table's `state`).
   *
   * @default {undefined}
   */
  readonly onApplied?: DispatchListener["onApplied"];
  /**
   * Called for each frame skipped (unknown or malformed); its value is `bytes[start, end)`.
   *
   * @default {undefined}
   */
  readonly onIgnored?: DispatchListener["onIgnored"];
}

/** What a caller gives: the addresses, and whatever differs from the defaults. */
export type LampOptionsGiven = Pick<LampOptions, "addresses"> & Partial<LampOptions>;

/** The defaults of every option that has one. */
export const DEFAULT_LAMP_OPTIONS = {
  retryInitialMs: DEFAULT_BACKOFF.initialMs,
  retryMaxMs: DEFAULT_BACKOFF.maxMs,
  retryMinMs: DEFAULT_BACKOFF.minMs,
  healthyAfterMs: 5000,
  unreachableEveryMs: 60_000,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 1000,
  idleTimeoutMs: "auto",
} as const satisfies Partial<LampOptions>;

/**
 * Completes options with the defaults (the built-in commands).
 *
 * @param given The addresses, and what differs from the defaults.
 * @returns The whole options.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { lampOptions } from "./lamp_options.ts";
 * const options = lampOptions({ addresses: [{ hostname: "127.0.0.1", port: 9999 }], retryMaxMs: 60_000 });
 * assertEquals([options.retryInitialMs, options.retryMaxMs], [500, 60_000]);
 * ```
 */
export function lampOptions(given: LampOptionsGiven): LampOptions {
  return { ...DEFAULT_LAMP_OPTIONS, table: createCommandTable(), ...given };
}
