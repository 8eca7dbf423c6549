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

/** Something that happened to a worker's lamps. */
export type LampWorkerEvent =
  | { readonly type: "connected"; readonly address: string }
  | { readonly type: "disconnected"; readonly address: string; readonly end: PeerEnd }
  | { readonly type: "refused"; readonly total: number }
  | { readonly type: "handshake_failed"; readonly message: string }
  | {
    readonly type: "accept_error";
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
  | { readonly type: "closed" };
