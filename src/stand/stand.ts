/**
 * `flashlight serve`: the lamp server, the JSON API and the web page, wired to one core. Built in
 * dependency order: the core, the lamps, the browsers, the broker, then the two HTTP ports.
 *
 * @module
 */
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { encodeFrame } from "../protocol/encode_frame.ts";
import { KEEPALIVE_TYPE } from "../protocol/frame.ts";
import { VERSION } from "../version.ts";
import { checkHost, checkToken } from "./access.ts";
import { concat } from "@std/bytes/concat";
import type { ApiError } from "./api_error.ts";
import { apiRoutes, toApiError } from "./api_handler.ts";
import type { Broker, BrokerSink } from "./broker/broker.ts";
import { InProcessBroker } from "./broker/in_process_broker.ts";
import { BrowserHub } from "./browser_hub.ts";
import { limitsRecord, planBudgets } from "./budgets.ts";
import { ConnectionGuard } from "./connection_guard.ts";
import { listenHttp } from "./http_listener.ts";
import { listenTls } from "./server/tls_listener.ts";
import { standHttpOptions } from "./stand_http_options.ts";
import { LampHub } from "./lamp_hub.ts";
import type { LampEvents, LampSide } from "./lamp_side.ts";
import { LampWorkers } from "./lamp_workers.ts";
import type { BrowserMessage, Counts, ShownState } from "./page/messages.ts";
import type { StandStatus } from "./status.ts";
import { readiness } from "./readiness.ts";
import { routeTable } from "./route_table.ts";
import { StandMetrics } from "./metrics.ts";
import type { SendResult } from "../commands/send_result.ts";
import { StandCore } from "./stand_core.ts";
import type { StandOptions } from "./stand_options.ts";
import { webRoutes } from "./web_handler.ts";

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

const RECENT_FRAMES = 20;
/** Lamp and browser counts reach the browsers at most this often. */
const COUNT_UPDATE_MS = 250;
/** The fleet heartbeat is renewed at least this often. */
const HEARTBEAT_MS = 2000;
const KEEPALIVE_FRAME = encodeFrame(KEEPALIVE_TYPE);
/**
 * The lamp port's accept queue: a crowd of lamps coming back at once (10,000 after a restart)
 * waits there instead of overflowing into the kernel's SYN retries, which cost whole seconds
 * (Linux caps it at `net.core.somaxconn`, 4096 by default).
 */
const LAMP_BACKLOG = 4096;
/** API paths answered without a token: health checks (they tell nothing about the lamps). */
const OPEN_PATHS = new Set(["/healthz", "/readyz"]);

/** Runs a bind and, when it fails, says what failed and what to do, in words. */
function bind<T>(service: string, hostname: string, port: number, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    const where = `${service} port ${urlHost(hostname)}:${port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `${where} is already in use (choose another with --${service}-port)`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new Deno.errors.AddrNotAvailable(
        `cannot listen on ${where}: ${hostname} is not an address of this machine (check --host)`,
      );
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.PermissionDenied(
        `cannot listen on ${where}: not allowed (ports below 1024 need privileges; choose another with --${service}-port)`,
      );
    }
    if (error instanceof Error && /lookup address/i.test(error.message)) {
      throw new Deno.errors.AddrNotAvailable(
        `cannot listen on ${where}: the name ${hostname} does not resolve (check --host)`,
      );
    }
    throw error;
  }
}

/** The host part of a URL for an interface (IPv6 in brackets). */
function urlHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
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
  const { hostname, log, table } = options;
  const startedAt = Date.now();
  const cleanups: (() => Promise<void> | void)[] = [];
  const closeAll = () => Promise.all(cleanups.splice(0).reverse().map((cleanup) => cleanup()));
  try {
    const core = new StandCore(table);
    const metrics = new StandMetrics();
    // SO_REUSEPORT spreads connections over listeners only on Linux (Deno ignores it elsewhere).
    const requested = Deno.build.os === "linux" ? options.workers ?? 1 : 1;
    const budgets = planBudgets({
      workers: requested,
      lamps: options.maxLamps,
      api: options.maxApiConnections,
      web: options.maxWebConnections,
    });
    log(limitsRecord(budgets), budgets.shortfall > 0 ? "warn" : "info");
    const guard = new ConnectionGuard(budgets, log);
    cleanups.push(() => guard.close());
    const refused = (service: "lamps" | "api" | "web") => {
      const report = guard.refused(service);
      return (total: number) => {
        metrics.overCap.inc(service);
        report(total);
      };
    };
    const shed = (service: "api" | "web") => {
      const report = guard.shed(service);
      return (total: number) => {
        metrics.shed.inc(service);
        report(total);
      };
    };
    /** The `listening` field of a port that admits only clients with a certificate. */
    const clientCa = (port: "lamp" | "api" | "web"): Record<string, boolean> =>
      options.tls?.[port]?.clientCa === undefined ? {} : { client_ca: true };
    const handshakeFailed = (service: "lamps" | "api" | "web") => {
      const report = guard.handshakeFailed(service);
      return (error: Error) => {
        metrics.handshakeFailed.inc(service);
        report(error);
      };
    };
    const recent: SendResult[] = [];
    const shownState = (): ShownState => core.shown;

    const lampEvents: LampEvents = {
      onConnect: (lamp, count) => {
        log({ event: "lamp_connected", lamp: lamp.address, lamps: count }, "info");
      },
      onDisconnect: (lamp, end, count) => {
        const event = end.dropped ? "lamp_dropped" : "lamp_disconnected";
        if (end.dropped) metrics.dropped.inc(end.dropped);
        log(
          { event, lamp: lamp.address, lamps: count, reason: end.reason },
          end.dropped ? "warn" : "info",
        );
      },
      onAcceptError: guard.acceptError("lamps"),
      onRefused: refused("lamps"),
      onHandshakeError: handshakeFailed("lamps"),
    };
    // One joined sync per state, not two new frames per lamp: 10,000 lamps arriving at once
    // otherwise leave 30,000 small arrays for the collector.
    // The core's state is the same object for as long as it is unchanged.
    let synced: { state: LampState | null; frames: readonly Uint8Array[] } = {
      state: null,
      frames: [],
    };
    const lampSync = () => {
      if (!options.sync) return [];
      if (synced.state !== core.state) {
        synced = { state: core.state, frames: [concat(core.syncFrames())] };
      }
      return synced.frames;
    };
    const { workers } = budgets;
    if (workers < requested) {
      log({
        event: "lamp_workers_reduced",
        requested,
        workers,
        reason: `the open-file limit leaves too few descriptors for ${requested} (ulimit -n)`,
      }, "warn");
    }
    let lamps: LampSide;
    if (workers > 1) {
      // Bound once here for a clear error when the port is taken, then shared by the workers.
      const probe = bind(
        "lamp",
        hostname,
        options.lampPort,
        () => Deno.listen({ hostname, port: options.lampPort }),
      );
      const port = probe.addr.port;
      probe.close();
      lamps = await LampWorkers.start({
        hostname,
        port,
        workers,
        backlog: LAMP_BACKLOG,
        tls: options.tls?.lamp,
        queueLimit: options.queueLimit,
        maxConnections: budgets.lamps,
        sync: lampSync,
        events: lampEvents,
        onWorkerError: (worker, error, count) =>
          log({ event: "lamp_worker_failed", worker, error, lamps: count }, "error"),
      });
    } else {
      const listener = bind(
        "lamp",
        hostname,
        options.lampPort,
        () =>
          options.tls?.lamp
            ? listenTls({
              hostname,
              port: options.lampPort,
              tcpBacklog: LAMP_BACKLOG,
              ...options.tls.lamp,
              onHandshakeError: lampEvents.onHandshakeError,
            })
            : Deno.listen({ hostname, port: options.lampPort, tcpBacklog: LAMP_BACKLOG }),
      );
      lamps = new LampHub(listener, {
        queueLimit: options.queueLimit,
        maxConnections: budgets.lamps,
        sync: lampSync,
        events: lampEvents,
      });
    }
    cleanups.push(() => lamps.close(options.closeTimeoutMs));
    log({
      event: "listening",
      service: "lamps",
      address: `${urlHost(hostname)}:${lamps.port}`,
      tls: options.tls?.lamp !== undefined,
      ...clientCa("lamp"),
      workers,
    }, "info");
    if (options.keepaliveMs > 0) {
      const keepalive = setInterval(() => lamps.broadcast(KEEPALIVE_FRAME), options.keepaliveMs);
      cleanups.push(() => clearInterval(keepalive));
    }

    const browsers = new BrowserHub(
      options.browserQueueLimit,
      (count) => log({ event: "browsers", browsers: count }, "info"),
    );
    cleanups.push(() => browsers.close());
    const counts = (): Counts => ({ lamps: lamps.count, browsers: browsers.count });
    const pieces = table.state.map(({ name, shows }) => ({ name, ...(shows ? { shows } : {}) }));
    const commands = table.commands.map(({ name, valueHint, state }) => ({
      name,
      valueHint,
      ...(state ? { state: state.name } : {}),
    }));
    const hello = (): BrowserMessage => ({
      type: "hello",
      pieces,
      commands,
      state: shownState(),
      ...counts(),
      recent: [...recent],
    });

    const sink: BrokerSink = {
      deliver: (message) => {
        const result = core.deliver(message.command, lamps);
        metrics.delivered.inc();
        recent.push(result);
        if (recent.length > RECENT_FRAMES) recent.shift();
        const { command, value, frame, effect } = result;
        log({ event: "command", command, value, frame, effect, lamps: result.lamps }, "info");
        browsers.broadcast({ type: "frame", ...result });
        return result;
      },
      adopt: (state, version) => {
        core.adopt(state);
        log({ event: "state_adopted", ...core.shown, version }, "info");
        if (options.sync) { for (const frame of core.syncFrames()) lamps.broadcast(frame); }
        browsers.broadcast(hello());
      },
      onEvent: log,
    };
    // Loaded only when asked for: the Redis client costs the lamp and a plain stand ~20 MB of RSS.
    const broker: Broker = options.broker
      ? new (await import("./broker/redis_broker.ts")).RedisBroker({
        address: options.broker,
        instanceId: crypto.randomUUID(),
        table,
        sink,
        retryDelay: (attempt) => backoffDelay(attempt, Math.random, DEFAULT_BACKOFF),
        maxLen: options.brokerMaxLen,
      })
      : new InProcessBroker(sink);
    cleanups.push(() => broker.close());

    // Counts go out on a tick, not on every connect: a thousand lamps arriving cost one message.
    let sent = { lamps: -1, browsers: -1 };
    let heartbeatAt = 0;
    const ticker = setInterval(() => {
      const now = counts();
      const changed = now.lamps !== sent.lamps || now.browsers !== sent.browsers;
      if (changed) browsers.broadcast({ type: "count", ...now });
      if (changed || Date.now() - heartbeatAt >= HEARTBEAT_MS) {
        broker.heartbeat(now.lamps, now.browsers);
        heartbeatAt = Date.now();
      }
      sent = now;
    }, COUNT_UPDATE_MS);
    cleanups.push(() => clearInterval(ticker));

    metrics.observe({
      lamps: () => lamps.count,
      browsers: () => browsers.count,
      queuedBytes: () => lamps.queuedBytes,
      broker: () => broker.status(),
    });
    const send = async (outgoing: OutgoingCommand): Promise<SendResult> => {
      const result = await broker.publish(outgoing);
      metrics.accepted.inc();
      return result;
    };
    const ready = () => readiness(broker.status());
    const status = async (fleet = false): Promise<StandStatus> => ({
      ok: true,
      version: VERSION,
      ...counts(),
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      state: shownState(),
      last_command: core.last,
      broker: broker.status(),
      ...(fleet ? { fleet: await broker.fleet() } : {}),
    });
    const httpOptions = (service: "api" | "web") =>
      standHttpOptions({
        service,
        guard,
        bodyLimit: options.bodyLimit,
        bodyTimeoutMs: options.bodyTimeoutMs,
        tls: options.tls?.[service],
        onRefused: refused(service),
        onShed: shed(service),
        onRefusal: (status) => metrics.refusal(status),
        onHandshakeError: handshakeFailed(service),
      });
    const scheme = (service: "api" | "web") => options.tls?.[service] ? "https" : "http";
    const onError = (error: ApiError, request: Request) => {
      metrics.refusal(error.status);
      guard.apiError({
        event: "api_error",
        status: error.status,
        error: error.message,
        method: request.method,
        path: URL.parse(request.url)?.pathname ?? "?",
      }, "warn");
    };

    // The API and the page: bound, budgeted, closed on shutdown and announced the same way.
    const serveHttpPort = (
      service: "api" | "web",
      handler: Parameters<typeof listenHttp>[2],
    ) => {
      const port = service === "api" ? options.apiPort : options.webPort;
      const server = bind(
        service,
        hostname,
        port,
        () => listenHttp(hostname, port, handler, httpOptions(service)),
      );
      cleanups.push(() => server.close());
      log({
        event: "listening",
        service,
        url: `${scheme(service)}://${urlHost(hostname)}:${server.port}/`,
        tls: options.tls?.[service] !== undefined,
        ...clientCa(service),
      }, "info");
      return server;
    };
    const apiHandler = routeTable(
      apiRoutes({
        table,
        send,
        status,
        bodyLimit: options.bodyLimit,
        bodyTimeoutMs: options.bodyTimeoutMs,
        metrics,
        ready,
      }),
      {
        onError,
        toApiError,
        guard: (request, url) => {
          checkHost(request, options);
          if (!OPEN_PATHS.has(url.pathname)) checkToken(request, options.token);
        },
      },
    );
    const api = serveHttpPort("api", apiHandler);

    const webHandler = routeTable(
      webRoutes({
        table,
        browsers,
        send,
        hello,
        onError,
        messageLimit: options.bodyLimit,
        token: options.token,
      }),
      { onError, toApiError, guard: (request) => checkHost(request, options) },
    );
    const web = serveHttpPort("web", webHandler);

    return {
      ports: { lamp: lamps.port, api: api.port, web: web.port },
      send,
      status,
      close: async () => {
        // Said first: the lamps' and browsers' goodbyes follow it, as they happen.
        log({ event: "shutdown", lamps: lamps.count, browsers: browsers.count }, "info");
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
