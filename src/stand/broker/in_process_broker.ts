/**
 * The default broker: delivery in this process, at once.
 *
 * @module
 */
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../../commands/send_result.ts";
import type { Broker, BrokerSink, BrokerStatus, FleetCounts } from "./broker.ts";

/**
 * Delivers every command straight to this instance's lamps and browsers.
 *
 * @example
 * ```ts ignore
 * import { InProcessBroker } from "./in_process_broker.ts";
 * const broker = new InProcessBroker(sink);
 * await broker.publish(command);
 * ```
 */
export class InProcessBroker implements Broker {
  #sink: BrokerSink;
  #lamps = 0;
  #browsers = 0;
  #delivered = 0;

  /**
   * A broker delivering in this process.
   * @param sink Where commands are delivered.
   */
  constructor(sink: BrokerSink) {
    this.#sink = sink;
  }

  /**
   * Delivers at once.
   * @param command The command.
   * @returns What the delivery did.
   */
  publish(command: OutgoingCommand): Promise<SendResult> {
    const result = this.#sink.deliver({ id: "0-0", origin: "local", command });
    this.#delivered++;
    return Promise.resolve(result);
  }

  /**
   * Remembers the counts (the fleet is this instance alone).
   * @param lamps Lamps connected here.
   * @param browsers Browsers connected here.
   */
  heartbeat(lamps: number, browsers: number): void {
    this.#lamps = lamps;
    this.#browsers = browsers;
  }

  /**
   * The fleet: this instance alone.
   * @returns This instance's counts.
   */
  fleet(): Promise<FleetCounts> {
    return Promise.resolve({
      instances: 1,
      lamps: this.#lamps,
      browsers: this.#browsers,
      skipped: [],
    });
  }

  /**
   * The broker's state: always connected.
   * @returns Always connected and caught up; only `delivered` counts.
   */
  status(): BrokerStatus {
    return {
      kind: "in-process",
      connected: true,
      caught_up: true,
      lag: 0,
      counters: {
        delivered: this.#delivered,
        skipped_messages: 0,
        skipped_state_entries: 0,
        gaps: 0,
        gap_entries: 0,
        state_restores: 0,
      },
    };
  }

  /** Nothing to close. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
