/**
 * The stand's lamp port: bound (TCP or TLS; one hub on this thread, or lamp workers sharing the
 * port, and then the web port too, where WebSocket lamps join the worker that accepts them), its
 * lamps' comings and goings logged and counted; and the keep-alive frame every lamp gets at an
 * interval.
 *
 * @module
 */
import type { Level } from "../log/level.ts";
import type { LogRecord } from "../log/log_line.ts";
import { encodeFrame } from "../protocol/encode_frame.ts";
import { KEEPALIVE_TYPE } from "../protocol/frame.ts";
import { ACCEPT_BACKLOG, bindPort, reachableHost } from "./bind_port.ts";
import type { BudgetPlan } from "./budgets.ts";
import { listenPort } from "./http_listener.ts";
import { LampHub } from "./lamp_hub.ts";
import type { LampEvents, LampSide } from "./lamp_side.ts";
import { LampWorkers } from "./lamp_workers.ts";
import type { StandMetrics } from "./metrics.ts";
import type { PortEvents } from "./port_events.ts";
import type { StandOptions } from "./stand_options.ts";
import type { WebFrontEvents } from "./web_front.ts";

const KEEPALIVE_FRAME = encodeFrame(KEEPALIVE_TYPE);

/** What the lamp port is opened with. */
export interface LampPortContext {
  /** The stand's options (host, port, TLS, queue limit, keep-alive, close timeout). */
  readonly options: StandOptions;
  /** The port budgets, with the number of lamp workers that fit. */
  readonly budgets: BudgetPlan;
  /** The port events (refusals, accept errors, failed handshakes). */
  readonly events: PortEvents;
  /** The metrics (lamps dropped). */
  readonly metrics: StandMetrics;
  /** The frames a lamp gets first when it connects (the retained state). */
  readonly sync: () => readonly Uint8Array[];
  /** The stand's log. */
  readonly log: (record: LogRecord, level: Level) => void;
}

/**
 * Opens the lamp port and announces it (`listening`).
 *
 * @param context What it is opened with.
 * @returns The lamp side.
 * @throws {Deno.errors.AddrInUse} When the port is taken (said with `--lamp-port`).
 */
export async function openLampPort(context: LampPortContext): Promise<LampSide> {
  const { options, budgets, log } = context;
  const { hostname, lampPort: port } = options;
  const events = lampEvents(context);
  let lamps: LampSide;
  if (budgets.workers > 1) {
    lamps = await LampWorkers.start({
      hostname,
      port: probePort("lamp", hostname, port),
      workers: budgets.workers,
      backlog: ACCEPT_BACKLOG,
      tls: options.tls?.lamp,
      queueLimit: options.queueLimit,
      maxConnections: budgets.lamps,
      sync: context.sync,
      events,
      onWorkerError: (worker, error, count) =>
        log({ event: "lamp_worker_failed", worker, error, lamps: count }, "error"),
      web: {
        config: {
          hostname,
          port: probePort("web", hostname, options.webPort),
          backlog: ACCEPT_BACKLOG,
          tls: options.tls?.web,
          access: { hostname, allowHosts: options.allowHosts, token: options.token },
          bodyLimit: options.bodyLimit,
          bodyTimeoutMs: options.bodyTimeoutMs,
        },
        maxConnections: budgets.web,
        events: webEvents(context.events),
      },
    });
  } else {
    const tls = options.tls?.lamp;
    const listener = bindPort(
      "lamp",
      hostname,
      port,
      () => listenPort({ hostname, port, tls, onHandshakeError: events.onHandshakeError }),
    );
    lamps = new LampHub(listener, {
      queueLimit: options.queueLimit,
      maxConnections: budgets.lamps,
      sync: context.sync,
      events,
    });
  }
  log({
    event: "listening",
    service: "lamps",
    address: `${reachableHost(hostname)}:${lamps.port}`,
    host: hostname,
    tls: options.tls?.lamp !== undefined,
    ...(options.tls?.lamp?.clientCa === undefined ? {} : { client_ca: true }),
    workers: budgets.workers,
  }, "info");
  return lamps;
}

/**
 * Binds a port once for a clear error when it is taken (said with its flag), then lets it go for
 * the workers to share.
 */
function probePort(service: "lamp" | "web", hostname: string, port: number): number {
  const probe = bindPort(service, hostname, port, () => Deno.listen({ hostname, port }));
  const bound = probe.addr.port;
  probe.close();
  return bound;
}

/** The web port's refusals and errors in the workers, counted and logged as the stand's own. */
function webEvents(events: PortEvents): WebFrontEvents {
  return {
    onRefusal: (refusal, level) => events.apiError({ event: "api_error", ...refusal }, level),
    onTimedOut: events.timedOut("web"),
    onRefused: events.refused("web"),
    onShed: events.shed("web"),
    onAcceptError: events.acceptError("web"),
    onHandshakeError: events.handshakeFailed("web"),
  };
}

/** Lamps connecting and leaving, logged; drops counted; the port's refusals and errors reported. */
function lampEvents({ events, metrics, log }: LampPortContext): LampEvents {
  return {
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
    onAcceptError: events.acceptError("lamps"),
    onRefused: events.refused("lamps"),
    onHandshakeError: events.handshakeFailed("lamps"),
  };
}

/**
 * Sends every lamp a keep-alive frame at an interval, so lamps notice a stand gone silent.
 *
 * @param lamps The lamp side.
 * @param intervalMs The interval (0: none).
 * @returns Stops the keep-alives.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { startKeepalive } from "./lamp_port.ts";
 * const sent: Uint8Array[] = [];
 * const stop = startKeepalive({ broadcast: (frame) => sent.push(frame) }, 0);
 * stop();
 * assertEquals(sent, []);
 * ```
 */
export function startKeepalive(
  lamps: Pick<LampSide, "broadcast">,
  intervalMs: number,
): () => void {
  if (intervalMs <= 0) return () => {};
  const timer = setInterval(() => lamps.broadcast(KEEPALIVE_FRAME), intervalMs);
  return () => clearInterval(timer);
}
