/**
 * How a stand listens and behaves, with every default in one place: `serve`, the demo, the soak,
 * the benchmarks and the tests pass only what differs.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import type { Level } from "../log/level.ts";
import type { LogRecord } from "../log/log_line.ts";
import type { BrokerAddress } from "./broker/broker_url.ts";
import type { TlsKeyPair } from "./http_listener.ts";

/** How the stand listens and behaves. */
export interface StandOptions {
  /**
   * Interface for all three listeners.
   *
   * @default {"127.0.0.1"}
   */
  readonly hostname: string;
  /**
   * Lamp TCP port (0: any free port).
   *
   * @default {9999}
   */
  readonly lampPort: number;
  /**
   * JSON API port (0: any free port).
   *
   * @default {9000}
   */
  readonly apiPort: number;
  /**
   * Web page port (0: any free port).
   *
   * @default {8888}
   */
  readonly webPort: number;
  /**
   * Threads serving the lamp port (1: the main thread). With 2 or more, lamp workers share the
   * port (`SO_REUSEPORT`, Linux spreads the lamps over them) and each writes to its own lamps, on
   * its own core; they share the web port too, keeping its WebSocket lamps and handing the rest to
   * the main thread. `serve` starts one per core. Linux only (elsewhere always 1).
   *
   * @default {1}
   */
  readonly workers?: number;
  /**
   * Send the current state to each lamp that connects.
   *
   * @default {true}
   */
  readonly sync: boolean;
  /**
   * Bytes a lamp may have unsent before it is dropped.
   *
   * @default {1048576}
   */
  readonly queueLimit: number;
  /**
   * Bytes a browser may have unsent before it is closed: a page's messages are small, and every
   * browser that stops reading holds this much.
   *
   * @default {65536}
   */
  readonly browserQueueLimit: number;
  /**
   * Largest API body or WebSocket message, in bytes.
   *
   * @default {16384}
   */
  readonly bodyLimit: number;
  /**
   * Time allowed for an API body, in ms.
   *
   * @default {10000}
   */
  readonly bodyTimeoutMs: number;
  /**
   * Time each lamp gets to close its side on shutdown, in ms.
   *
   * @default {1000}
   */
  readonly closeTimeoutMs: number;
  /**
   * A keep-alive frame goes to every lamp this often, in ms (0: never).
   *
   * @default {15000}
   */
  readonly keepaliveMs: number;
  /**
   * Receives every log event (by default, none is kept).
   *
   * @default {() => undefined}
   */
  readonly log: (record: LogRecord, level: Level) => void;
  /**
   * Commands.
   *
   * @default {createCommandTable()}
   */
  readonly table: CommandTable;
  /**
   * A Redis broker shared with other instances (none: the broker is in process).
   *
   * @default {undefined}
   */
  readonly broker?: BrokerAddress;
  /**
   * About how many commands the broker's Redis stream keeps.
   *
   * @default {10000}
   */
  readonly brokerMaxLen?: number;
  /**
   * Host names the HTTP ports answer to besides loopback and the bound address.
   *
   * @default {[]}
   */
  readonly allowHosts: readonly string[];
  /**
   * The token the API and the page's WebSocket require (none: no authentication).
   *
   * @default {undefined}
   */
  readonly token?: string;
  /**
   * The lamp port's budget: lamp connections at once (none: from the descriptors free, see
   * `planBudgets`).
   *
   * @default {undefined}
   */
  readonly maxLamps?: number;
  /**
   * The API's budget: connections at once (none: from the descriptors free).
   *
   * @default {undefined}
   */
  readonly maxApiConnections?: number;
  /**
   * The page's budget: connections at once, WebSockets included (none: from the descriptors
   * free).
   *
   * @default {undefined}
   */
  readonly maxWebConnections?: number;
  /**
   * Key pairs (PEM) per port: the lamp port over TLS, the API and the page over HTTPS/WSS (none:
   * plain TCP, HTTP and WS).
   *
   * @default {undefined}
   */
  readonly tls?: {
    readonly lamp?: TlsKeyPair;
    readonly api?: TlsKeyPair;
    readonly web?: TlsKeyPair;
  };
}

/** The defaults of every option that has one. */
export const DEFAULT_STAND_OPTIONS = {
  hostname: "127.0.0.1",
  lampPort: 9999,
  apiPort: 9000,
  webPort: 8888,
  sync: true,
  queueLimit: 1 << 20,
  browserQueueLimit: 64 * 1024,
  bodyLimit: 16 * 1024,
  bodyTimeoutMs: 10_000,
  closeTimeoutMs: 1000,
  keepaliveMs: 15_000,
  allowHosts: [],
} as const satisfies Partial<StandOptions>;

/**
 * Completes options with the defaults (no log: events are dropped; the built-in commands).
 *
 * @param given What differs from the defaults.
 * @returns The whole options.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { standOptions } from "./stand_options.ts";
 * assertEquals(standOptions({ lampPort: 0 }).apiPort, 9000);
 * ```
 */
export function standOptions(given: Partial<StandOptions> = {}): StandOptions {
  return { ...DEFAULT_STAND_OPTIONS, log: () => {}, table: createCommandTable(), ...given };
}
