/**
 * What the stand and its lamp workers say to each other (structured-cloned messages, in order
 * per worker). The stand sends frames together with the sync frames of the state they lead to,
 * in one message, so a lamp a worker accepts between two messages gets a sync that matches the
 * frames it will get next.
 *
 * @module
 */
import type { TlsKeyPair } from "./http_listener.ts";
import type { PeerEnd } from "./lamp_side.ts";
import type { AcceptErrorKind } from "./server/accept_error.ts";
import type { LentConnInfo } from "./server/lent_conn.ts";
import type { WebFrontConfig, WebRefusal } from "./web_front.ts";

/** From the stand to a lamp worker. */
export type ToLampWorker =
  | {
    /** Listen on `port` (shared with the other workers through `SO_REUSEPORT`) and serve. */
    readonly type: "start";
    readonly hostname: string;
    readonly port: number;
    readonly backlog: number;
    readonly tls?: TlsKeyPair;
    readonly queueLimit: number;
    /** The lamp port's budget, shared by all workers (see `PortBudget`); this one is `holder`. */
    readonly budget: {
      readonly size: number;
      readonly counters: SharedArrayBuffer;
      readonly holder: number;
    };
    readonly sync: readonly Uint8Array[];
    /** Serve the web port too (`/lamp` here, the rest lent to the stand). */
    readonly web?: WebFrontConfig;
  }
  | {
    /** Send these frames to every lamp; lamps connecting from now on get `sync` first. */
    readonly type: "frames";
    readonly frames: readonly Uint8Array[];
    readonly sync: readonly Uint8Array[];
  }
  | {
    /** Stop accepting, write what is queued, close every lamp cleanly, then say `closed`. */
    readonly type: "close";
    readonly timeoutMs: number;
  };

/** The port an event happened on: the lamp port, or the web port. */
export type WorkerPort = "lamps" | "web";

/** Something that happened to a worker's lamps, or on its ports. */
export type LampWorkerEvent =
  | { readonly type: "connected"; readonly address: string }
  | { readonly type: "disconnected"; readonly address: string; readonly end: PeerEnd }
  | {
    /** Connections over the budget closed (`refused`) or closed for newcomers (`shed`). */
    readonly type: "refused" | "shed";
    readonly port: WorkerPort;
    readonly total: number;
  }
  | { readonly type: "handshake_failed"; readonly port: WorkerPort; readonly message: string }
  | { readonly type: "web_refusal"; readonly refusal: WebRefusal; readonly level: "warn" | "error" }
  | { readonly type: "web_timed_out" }
  | {
    readonly type: "accept_error";
    readonly port: WorkerPort;
    readonly name: string;
    readonly message: string;
    readonly code?: string;
    readonly kind: AcceptErrorKind;
    readonly delayMs: number;
  };

/** From a lamp worker to the stand. */
export type FromLampWorker =
  | { readonly type: "started" }
  | { readonly type: "failed"; readonly name: string; readonly message: string }
  | {
    /** What happened since the last report, in order, and the bytes now queued for its lamps. */
    readonly type: "events";
    readonly events: readonly LampWorkerEvent[];
    readonly queued: number;
  }
  | {
    /** A connection to the web port, lent to the stand over `port` (see `lent_conn.ts`). */
    readonly type: "web_conn";
    readonly port: MessagePort;
    readonly info: LentConnInfo;
  }
  | { readonly type: "closed" };
