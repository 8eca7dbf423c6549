/**
 * The default broker: delivery in this process, at once.
 *
 * @module
 */
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../stand_core.ts";
import type { Broker, BrokerSink } from "./broker.ts";

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

  /** @param sink Where commands are delivered. */
  constructor(sink: BrokerSink) {
    this.#sink = sink;
  }

  /**
   * Delivers at once.
   * @param command The command.
   * @returns What the delivery did.
   */
  publish(command: OutgoingCommand): Promise<SendResult> {
    return Promise.resolve(this.#sink.deliver({ seq: 0, origin: "local", command }));
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

  /** @returns This instance's counts. */
  fleet(): Promise<{ instances: number; lamps: number; browsers: number }> {
    return Promise.resolve({ instances: 1, lamps: this.#lamps, browsers: this.#browsers });
  }

  /** @returns Always connected. */
  status(): { kind: string; connected: boolean } {
    return { kind: "in-process", connected: true };
  }

  /** Nothing to close. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
