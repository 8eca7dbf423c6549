/**
 * `flashlight serve`: the composition root. It wires the stand's parts, each in its own module:
 * the port budgets and their events, the core (retained state), the lamp port, the browsers, the
 * broker and the delivery it feeds, then the page and API ports.
 *
 * @module
 */
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import type { SendResult } from "../commands/send_result.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { VERSION } from "../version.ts";
import { noTokenWarning } from "./access.ts";
import type { Broker, BrokerSink } from "./broker/broker.ts";
import { InProcessBroker } from "./broker/in_process_broker.ts";
import { BrowserSide } from "./browser_side.ts";
import { standBudgets } from "./budgets.ts";
import { Delivery } from "./delivery.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { openApiPort, openWebPort } from "./http_ports.ts";
import { openLampPort, startKeepalive } from "./lamp_port.ts";
import { StandMetrics } from "./metrics.ts";
import { PortEvents } from "./port_events.ts";
import { readiness } from "./readiness.ts";
import { StandCore } from "./stand_core.ts";
import type { StandOptions } from "./stand_options.ts";
import type { StandStatus } from "./status.ts";

/** A running stand. */
export interface Stand {
  /** The ports actually bound. */
  readonly ports: { readonly lamp: number; readonly api: number; readonly web: number };
  /** Sends a checked command to every lamp and browser (through the broker). */
  send(outgoing: OutgoingCommand): Promise<SendResult>;
  /** Status as served on `GET /status` (`fleet`: with the counts summed over all instances). */
  status(fleet?: boolean): Promise<StandStatus>;
  /** Closes lamps cleanly (they read EOF), browsers, and all listeners. */
  close(): Promise<void>;
}

/**
 * Starts the stand; resolves once all three listeners are bound.
 *
 * @param options Ports, behaviour and the log sink (see `standOptions` for the defaults).
 * @returns The running stand.
 * @throws {Deno.errors.AddrInUse} When a port is taken (nothing is left listening).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { startStand } from "./stand.ts";
 * import { standOptions } from "./stand_options.ts";
 * const stand = await startStand(standOptions({ lampPort: 0, apiPort: 0, webPort: 0 }));
 * assertEquals((await stand.status()).lamps, 0);
 * await stand.close();
 * ```
 */
export async function startStand(options: StandOptions): Promise<Stand> {
  const { log, table } = options;
  const startedAt = Date.now();
  const parts = new AsyncDisposableStack();
  try {
    const metrics = new StandMetrics();
    const budgets = standBudgets(options, log);
    const unguarded = noTokenWarning(options);
    if (unguarded) log(unguarded, "warn");
    const events = new PortEvents(budgets, log, metrics);
    parts.defer(() => events.close());
    const core = new StandCore(table);
    const sync = () => options.sync ? core.sync() : [];
    const lamps = await openLampPort({ options, budgets, events, metrics, sync, log });
    parts.defer(() => lamps.close(options.closeTimeoutMs));
    parts.defer(startKeepalive(lamps, options.keepaliveMs));
    const browsers = new BrowserSide({
      table,
      core,
      lamps,
      queueLimit: options.browserQueueLimit,
      log,
    });
    parts.defer(() => browsers.close());
    const delivery = new Delivery({ core, lamps, browsers, metrics, log, sync: options.sync });
    const broker = await openBroker(options, delivery);
    parts.defer(() => broker.close());
    parts.defer(startHeartbeat(broker, () => browsers.counts()));
    metrics.observe({
      lamps: () => lamps.count,
      browsers: () => browsers.hub.count,
      queuedBytes: () => lamps.queuedBytes,
      broker: () => broker.status(),
    });

    const send = async (outgoing: OutgoingCommand): Promise<SendResult> => {
      const result = await broker.publish(outgoing);
      metrics.accepted.inc();
      return result;
    };
    const status = async (fleet = false): Promise<StandStatus> => ({
      ok: true,
      version: VERSION,
      ...browsers.counts(),
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      state: core.shown,
      last_command: core.last,
      broker: broker.status(),
      ...(fleet ? { fleet: await broker.fleet() } : {}),
    });
    const http = { options, events, log };
    const web = openWebPort(http, {
      table,
      browsers: browsers.hub,
      lamps,
      send,
      hello: () => browsers.hello(),
    }, lamps.webConnections ?? null);
    parts.defer(() => {
      // Browsers hear "going away" (1001) before the port drops their connections.
      browsers.close();
      return web.close();
    });
    const api = openApiPort(http, {
      table,
      send,
      status,
      metrics,
      ready: () => readiness(broker.status()),
      page: () => ({ port: web.port, tls: options.tls?.web !== undefined }),
    });
    parts.defer(() => api.close());

    const running = parts.move();
    return {
      ports: { lamp: lamps.port, api: api.port, web: web.port },
      send,
      status,
      close: async () => {
        // Said first: the lamps' and browsers' goodbyes follow it, as they happen.
        log({ event: "shutdown", lamps: lamps.count, browsers: browsers.hub.count }, "info");
        await running.disposeAsync();
      },
    };
  } catch (error) {
    await parts.disposeAsync();
    throw error;
  }
}

/**
 * The broker: a Redis stream shared by a fleet (`--broker`), else delivery in this process. The
 * Redis client is loaded only when asked for: a plain stand does not carry its memory.
 */
async function openBroker(options: StandOptions, sink: BrokerSink): Promise<Broker> {
  if (!options.broker) return new InProcessBroker(sink);
  const { RedisBroker } = await import("./broker/redis_broker.ts");
  return new RedisBroker({
    address: options.broker,
    instanceId: crypto.randomUUID(),
    table: options.table,
    sink,
    retryDelay: (attempt) => backoffDelay(attempt, Math.random, DEFAULT_BACKOFF),
    maxLen: options.brokerMaxLen,
  });
}
