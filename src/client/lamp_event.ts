/**
 * The lamp client's lifecycle events. Their names are the log's and the terminal view's: one
 * vocabulary (docs/operations.md, the log events). Frames are not events: they are counted by the dispatcher and
 * reported per frame only to a listener that asks (see `DispatchListener`).
 *
 * @module
 */

/** Everything a lamp client reports about its connection, in the order it happens. */
export type LampEvent =
  | { readonly event: "connecting"; readonly address: string }
  | { readonly event: "connected"; readonly address: string }
  | {
    /** A connection attempt failed before it was established. */
    readonly event: "connect_failed";
    readonly address: string;
    readonly reason: string;
  }
  | {
    /** An established connection ended. */
    readonly event: "disconnected";
    readonly address: string;
    readonly reason: string;
  }
  | {
    /** The next attempt is scheduled: `address` is the one just tried, `next` the one to try. */
    readonly event: "retry";
    readonly address: string;
    readonly next: string;
    readonly delay_ms: number;
    readonly attempt: number;
  }
  | {
    /**
     * No healthy connection for a while: reported once every address has failed in a row (the
     * first failure, for one address) and then at most once a minute while it lasts, so even a
     * `--quiet` lamp says why it shows nothing; a failover that works is no outage.
     */
    readonly event: "unreachable";
    readonly address: string;
    readonly reason: string;
    readonly attempts: number;
    readonly since_s: number;
  };
