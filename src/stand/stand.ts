/**
 * `flashlight serve`: the lamp server, the JSON API and the web page, wired to one core.
 *
 * @module
 */
import { type CommandTable, createCommandTable } from "../commands/command_table.ts";
import { formatColor } from "../lamp/rgb.ts";
import type { LogRecord } from "../log/log_line.ts";
import type { Level } from "../log/log_writer.ts";
import { VERSION } from "../version.ts";
import type { ApiError } from "./api_error.ts";
import { createApiHandler } from "./api_handler.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import { BrowserHub, type BrowserMessage } from "./browser_hub.ts";
import { LampHub } from "./lamp_hub.ts";
import { type SendResult, StandCore } from "./stand_core.ts";
import { createWebHandler } from "./web_handler.ts";
import type { Broker, BrokerSink } from "./broker/broker.ts";
import type { BrokerAddress } from "./broker/broker_url.ts";
import { InProcessBroker } from "./broker/in_process_broker.ts";
import { backoffDelay, DEFAULT_BACKOFF } from "../net/backoff.ts";
import { listenHttp, type TlsKeyPair } from "./http_listener.ts";
import { ConnectionGuard } from "./connection_guard.ts";
import { defaultConnectionCaps } from "./server/connection_caps.ts";
import { readFdLimits } from "./server/fd_limits.ts";
import { standHttpOptions } from "./stand_http_options.ts";

/** How the stand listens and behaves. */
export interface StandOptions {
  /** Interface for all three listeners. */
  readonly hostname: string;
  /** Lamp TCP port (0: any free port). */
  readonly lampPort: number;
  /** JSON API port (0: any free port). */
  readonly apiPort: number;
  /** Web page port (0: any free port). */
  readonly webPort: number;
  /** Send the current state to each lamp that connects. */
  readonly sync: boolean;
  /** Bytes a lamp (or browser) may have unsent before it is dropped. */
  readonly queueLimit: number;
  /** Receives every log event. */
  readonly log: (record: LogRecord, level: Level) => void;
  /** Commands (the built-in ones by default). */
  readonly table?: CommandTable;
  /** Largest API body in bytes (default 16 KiB). */
  readonly bodyLimit?: number;
  /** Time allowed for an API body, in ms (default 10 s). */
  readonly bodyTimeoutMs?: number;
  /** Time each lamp gets to close its side on shutdown, in ms (default 1 s). */
  readonly closeTimeoutMs?: number;
  /** A Redis broker shared with other instances (in process when absent). */
  readonly broker?: BrokerAddress;
  /** Most lamps connected at once (default: from the open-file limit, see `defaultConnectionCaps`). */
  readonly maxLamps?: number;
  /** Most API connections open at once (default: from the open-file limit). */
  readonly maxApiConnections?: number;
  /** Most page connections (WebSockets included) open at once (default: from the open-file limit). */
  readonly maxWebConnections?: number;
  /** Key pairs (PEM) per port: the lamp port over TLS, the API and the page over HTTPS/WSS. */
  readonly tls?: {
    readonly lamp?: TlsKeyPair;
    readonly api?: TlsKeyPair;
    readonly web?: TlsKeyPair;
  };
}

/** A running stand. */
export interface Stand {
  /** The ports actually bound. */
  readonly ports: { readonly lamp: number; readonly api: number; readonly web: number };
  /** Sends a checked command to every lamp and browser (through the broker). */
  send(outgoing: OutgoingCommand): Promise<SendResult>;
  /** Status as served on `GET /status` (`fleet`: with the counts summed over all instances). */
  status(fleet?: boolean): Promise<Record<string, unknown>>;
  /** Closes lamps cleanly (they read EOF), browsers, and all listeners. */
  close(): Promise<void>;
}

const RECENT_FRAMES = 20;

/** Runs a bind and, when the port is taken, says which one in the error. */
function bind<T>(service: string, port: number, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `${service} port ${port} is already in use (choose another with --${service}-port)`,
      );
    }
    throw error;
  }
}

/**
 * Starts the stand; resolves once all three listeners are bound.
 *
 * @param options Ports, behaviour and the log sink.
 * @returns The running stand.
 * @throws {Deno.errors.AddrInUse} When a port is taken (nothing is left listening).
 * @example
 * ```ts ignore
 * import { startStand } from "./stand.ts";
 * const stand = await startStand({ hostname: "127.0.0.1", lampPort: 0, apiPort: 0, webPort: 0,
 *   sync: true, queueLimit: 1 << 20, log: () => {} });
 * await stand.close();
 * ```
 */
export async function startStand(options: StandOptions): Promise<Stand> {
  const { hostname, log } = options;
  const table = options.table ?? createCommandTable();
  const closeTimeoutMs = options.closeTimeoutMs ?? 1000;
  const startedAt = Date.now();
  const recent: SendResult[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const counts = () => ({ lamps: lamps.count, browsers: browsers.count });
  /** Tells the browsers and the fleet (heartbeat) that a lamp or browser came or went. */
  const countsChanged = () => {
    browsers.broadcast({ type: "count", ...counts() });
    broker.heartbeat(lamps.count, browsers.count);
  };

  const browsers = new BrowserHub(options.queueLimit, (count) => {
    log({ event: "browsers", browsers: count }, "info");
    countsChanged();
  });
  let lamps: LampHub;
  const core = new StandCore(table, { broadcast: (frame) => lamps.broadcast(frame) });
  /** The retained state as the API and the page show it. */
  const currentState = () => ({ on: core.state.on, color: formatColor(core.state.color) });
  const hello = (): BrowserMessage => ({
    type: "hello",
    state: currentState(),
    ...counts(),
    recent: [...recent],
  });
  const sink: BrokerSink = {
    deliver: (message) => {
      const result = core.deliver(message.command);
      recent.push(result);
      if (recent.length > RECENT_FRAMES) recent.shift();
      const { command, value, frame } = result;
      log({ event: "command", command, value, frame, lamps: result.lamps }, "info");
      browsers.broadcast({ type: "frame", ...result });
      return result;
    },
    adopt: (state, seq) => {
      core.adopt(state);
      log({ event: "state_adopted", on: state.on, color: formatColor(state.color), seq }, "info");
      if (options.sync) { for (const frame of core.syncFrames()) lamps?.broadcast(frame); }
      browsers.broadcast(hello());
    },
    onTransition: (event, detail) =>
      log({ event, ...detail }, event === "broker_disconnected" ? "warn" : "info"),
  };
  // Loaded only when asked for: the Redis client costs the lamp and a plain stand ~20 MB of RSS.
  const broker: Broker = options.broker
    ? new (await import("./broker/redis_broker.ts")).RedisBroker({
      address: options.broker,
      instanceId: crypto.randomUUID(),
      table,
      sink,
      retryDelay: (attempt) => backoffDelay(attempt, Math.random, DEFAULT_BACKOFF),
    })
    : new InProcessBroker(sink);
  cleanups.push(() => broker.close());
  const heartbeat = setInterval(() => broker.heartbeat(lamps.count, browsers.count), 2000);
  cleanups.push(() => clearInterval(heartbeat));
  const send = (outgoing: OutgoingCommand): Promise<SendResult> => broker.publish(outgoing);
  const status = async (fleet = false) => ({
    ok: true,
    version: VERSION,
    ...counts(),
    uptime_s: Math.round((Date.now() - startedAt) / 1000),
    state: currentState(),
    last_command: core.last,
    broker: broker.status(),
    ...(fleet ? { fleet: await broker.fleet() } : {}),
  });
  const limits = readFdLimits();
  const defaultCaps = defaultConnectionCaps(limits);
  const guard = new ConnectionGuard(limits, {
    lamps: options.maxLamps ?? defaultCaps.lamps,
    api: options.maxApiConnections ?? defaultCaps.api,
    web: options.maxWebConnections ?? defaultCaps.web,
  }, log);
  cleanups.push(() => guard.close());
  guard.logLimits();
  const bodyLimit = options.bodyLimit ?? 16 * 1024;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const httpOptions = (service: "api" | "web") =>
    standHttpOptions({
      service,
      guard,
      log,
      bodyLimit,
      bodyTimeoutMs,
      tls: options.tls?.[service],
    });
  const scheme = (service: "api" | "web") => options.tls?.[service] ? "https" : "http";
  const onError = (error: ApiError, request: Request) =>
    log({
      event: "api_error",
      status: error.status,
      error: error.message,
      method: request.method,
      path: new URL(request.url).pathname,
    }, "warn");

  try {
    const lampTls = options.tls?.lamp;
    const listener = bind(
      "lamp",
      options.lampPort,
      () =>
        lampTls
          ? Deno.listenTls({ hostname, port: options.lampPort, ...lampTls })
          : Deno.listen({ hostname, port: options.lampPort, transport: "tcp" }),
    );
    lamps = new LampHub(listener, options.queueLimit, {
      onConnect: (peer, count) => {
        log({ event: "lamp_connected", lamp: peer.address, lamps: count }, "info");
        countsChanged();
        return options.sync ? core.syncFrames() : [];
      },
      onDisconnect: (peer, end, count) => {
        const record = {
          event: end.dropped ? "lamp_dropped" : "lamp_disconnected",
          lamp: peer.address,
          lamps: count,
          reason: end.reason,
        };
        log(record, end.dropped ? "warn" : "info");
        countsChanged();
      },
      onAcceptError: guard.acceptError("lamps"),
      onRefused: guard.refused("lamps"),
    }, guard.caps.lamps);
    guard.watch("lamps", lamps);
    cleanups.push(() => lamps.close(closeTimeoutMs));
    log({
      event: "listening",
      service: "lamps",
      address: `${hostname}:${listener.addr.port}`,
      tls: lampTls !== undefined,
    }, "info");

    const apiHandler = createApiHandler({
      table,
      send,
      status,
      onError,
      bodyLimit,
      bodyTimeoutMs,
    });
    const api = bind(
      "api",
      options.apiPort,
      () => listenHttp(hostname, options.apiPort, apiHandler, httpOptions("api")),
    );
    guard.watch("api", api);
    cleanups.push(() => api.close());
    log(
      { event: "listening", service: "api", url: `${scheme("api")}://${hostname}:${api.port}/` },
      "info",
    );

    const webHandler = createWebHandler({
      table,
      browsers,
      send,
      hello,
      onError,
      messageLimit: bodyLimit,
    });
    const web = bind(
      "web",
      options.webPort,
      () => listenHttp(hostname, options.webPort, webHandler, httpOptions("web")),
    );
    guard.watch("web", web);
    cleanups.push(() => {
      browsers.close();
      return web.close();
    });
    log(
      { event: "listening", service: "web", url: `${scheme("web")}://${hostname}:${web.port}/` },
      "info",
    );

    return {
      ports: { lamp: listener.addr.port, api: api.port, web: web.port },
      send,
      status,
      close: async () => {
        await Promise.all(cleanups.map((cleanup) => cleanup()));
        log({ event: "shutdown" }, "info");
      },
    };
  } catch (error) {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
    throw error;
  }
}
