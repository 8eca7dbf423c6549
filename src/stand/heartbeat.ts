/**
 * This instance's counts, reported to the broker for the fleet view (`/status?fleet=1`): at once
 * when they change, and renewed every 2 s while they do not.
 *
 * @module
 */
import type { Broker } from "./broker/broker.ts";
import type { Counts } from "./page/messages.ts";

/** How often the counts are looked at. */
const CHECK_MS = 250;
/** The heartbeat is renewed at least this often. */
const RENEW_MS = 2000;

/**
 * Starts reporting the counts to the broker.
 *
 * @param broker The broker.
 * @param counts Reads the counts now.
 * @returns Stops the reports.
 * @example
 * ```ts
 * import { startHeartbeat } from "./heartbeat.ts";
 * import { InProcessBroker } from "./broker/in_process_broker.ts";
 * const broker = new InProcessBroker({ deliver: () => { throw new Error("none"); }, adopt() {}, onEvent() {} });
 * const stop = startHeartbeat(broker, () => ({ lamps: 0, browsers: 0 }));
 * stop();
 * ```
 */
export function startHeartbeat(
  broker: Pick<Broker, "heartbeat">,
  counts: () => Counts,
): () => void {
  let sent: Counts = { lamps: -1, browsers: -1 };
  let sentAt = 0;
  const timer = setInterval(() => {
    const now = counts();
    if (
      now.lamps === sent.lamps && now.browsers === sent.browsers && Date.now() - sentAt < RENEW_MS
    ) {
      return;
    }
    broker.heartbeat(now.lamps, now.browsers);
    sent = now;
    sentAt = Date.now();
  }, CHECK_MS);
  return () => clearInterval(timer);
}
