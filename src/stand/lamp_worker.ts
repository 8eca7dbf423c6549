/**
 * A lamp worker: one thread serving its share of the lamp port. It listens on the port with
 * `SO_REUSEPORT` (the kernel spreads the lamps over the workers), runs a {@linkcode LampHub} for
 * the lamps it gets, and speaks `lamp_worker_messages.ts` with the stand, which starts it (see
 * `lamp_workers.ts`). It serves its share of the web port too: WebSocket lamps join its hub, the
 * other connections are lent to the stand (`web_front.ts`). Its events go to the stand in
 * batches, at most one message per task.
 *
 * @module
 */
import { LampHub } from "./lamp_hub.ts";
import type { FromLampWorker, LampWorkerEvent, ToLampWorker } from "./lamp_worker_messages.ts";
import type { HttpServer } from "./server/http_server.ts";
import { lendConn } from "./server/lent_conn.ts";
import { PortBudget } from "./server/port_budget.ts";
import { listenPort } from "./http_listener.ts";
import { openWebFront, type WebFrontConfig } from "./web_front.ts";

/** How often the bytes queued for this worker's lamps are reported while they change. */
const QUEUED_REPORT_MS = 1000;

const scope = globalThis as unknown as {
  postMessage(message: FromLampWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToLampWorker>) => void) | null;
};

let hub: LampHub | null = null;
let web: HttpServer | null = null;
let sync: readonly Uint8Array[] = [];
let events: LampWorkerEvent[] = [];
let reportTimer: ReturnType<typeof setTimeout> | undefined;
let queuedReported = 0;

function report(event: LampWorkerEvent): void {
  events.push(event);
  reportTimer ??= setTimeout(flushEvents, 0);
}

function flushEvents(): void {
  clearTimeout(reportTimer);
  reportTimer = undefined;
  queuedReported = hub?.queuedBytes ?? 0;
  scope.postMessage({ type: "events", events, queued: queuedReported });
  events = [];
}

function start(message: Extract<ToLampWorker, { type: "start" }>): void {
  const { hostname, port, backlog, tls } = message;
  sync = message.sync;
  let listener: Deno.Listener<Deno.Conn>;
  try {
    // reusePort is unstable in Deno 2.9: the stand runs with --unstable-net (deno.json, compile).
    const onHandshakeError = (error: Error) =>
      report({ type: "handshake_failed", port: "lamps", message: error.message });
    listener = listenPort({ hostname, port, backlog, reusePort: true, tls, onHandshakeError });
  } catch (error) {
    const { name, message } = error as Error;
    scope.postMessage({ type: "failed", name, message });
    return;
  }
  hub = new LampHub(listener, {
    queueLimit: message.queueLimit,
    maxConnections: new PortBudget(
      message.budget.size,
      new Int32Array(message.budget.counters),
      message.budget.holder,
    ),
    sync: () => sync,
    events: {
      onConnect: (lamp) => report({ type: "connected", address: lamp.address }),
      onDisconnect: (lamp, end) => report({ type: "disconnected", address: lamp.address, end }),
      onRefused: (total) => report({ type: "refused", port: "lamps", total }),
      onAcceptError: (error, kind, delayMs) =>
        report({
          type: "accept_error",
          port: "lamps",
          name: error.name,
          message: error.message,
          code: (error as { code?: string }).code,
          kind,
          delayMs,
        }),
    },
  });
  if (message.web) {
    try {
      web = serveWeb(message.web, hub);
    } catch (error) {
      const { name, message } = error as Error;
      scope.postMessage({ type: "failed", name, message });
      return;
    }
  }
  setInterval(() => {
    if (hub && hub.queuedBytes !== queuedReported && reportTimer === undefined) flushEvents();
  }, QUEUED_REPORT_MS);
  scope.postMessage({ type: "started" });
}

/** The web port: `/lamp` joins `lamps`, every other connection is lent to the stand. */
function serveWeb(config: WebFrontConfig, lamps: LampHub): HttpServer {
  return openWebFront(config, {
    admit: (lamp) => lamps.admit(lamp),
    lend: (conn, first, info, signal, place) => {
      const { port1, port2 } = new MessageChannel();
      scope.postMessage({ type: "web_conn", port: port2, info }, [port2]);
      return lendConn(conn, first, port1, signal, place);
    },
    events: {
      onRefusal: (refusal, level) => report({ type: "web_refusal", refusal, level }),
      onTimedOut: () => report({ type: "web_timed_out" }),
      onRefused: (total) => report({ type: "refused", port: "web", total }),
      onShed: (total) => report({ type: "shed", port: "web", total }),
      onAcceptError: (error, kind, delayMs) =>
        report({
          type: "accept_error",
          port: "web",
          name: error.name,
          message: error.message,
          code: (error as { code?: string }).code,
          kind,
          delayMs,
        }),
      onHandshakeError: (error) =>
        report({ type: "handshake_failed", port: "web", message: error.message }),
    },
  });
}

scope.onmessage = async ({ data: message }) => {
  if (message.type === "start") {
    start(message);
  } else if (message.type === "frames") {
    for (const frame of message.frames) hub?.broadcast(frame);
    sync = message.sync;
  } else if (message.type === "close") {
    await web?.close();
    await hub?.close(message.timeoutMs);
    flushEvents();
    scope.postMessage({ type: "closed" });
  }
};
