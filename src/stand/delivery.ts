/**
 * Where the broker delivers: each command, in stream order, applied to the retained state, queued
 * for every lamp of this instance, shown to its browsers, logged and counted; and the fleet's state
 * adopted when this instance missed commands.
 *
 * @module
 */
import type { SendResult } from "../commands/send_result.ts";
import type { LampState } from "../lamp/lamp_state.ts";
import type { Level } from "../log/level.ts";
import type { LogRecord } from "../log/log_line.ts";
import type { BrokerMessage, BrokerSink } from "./broker/broker.ts";
import type { BrowserSide } from "./browser_side.ts";
import type { StandMetrics } from "./metrics.ts";
import type { FrameSink, StandCore } from "./stand_core.ts";

/** What a delivery reaches. */
export interface DeliveryContext {
  /** The retained state. */
  readonly core: StandCore;
  /** This instance's lamps. */
  readonly lamps: FrameSink;
  /** This instance's browsers. */
  readonly browsers: BrowserSide;
  /** The metrics (commands delivered). */
  readonly metrics: StandMetrics;
  /** The stand's log (`command`, `state_adopted`, and the broker's own events). */
  readonly log: (record: LogRecord, level: Level) => void;
  /** Whether lamps are synced to an adopted state (`StandOptions.sync`). */
  readonly sync: boolean;
}

/**
 * The broker's sink.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createCommandTable } from "../commands/command_table.ts";
 * import { BrowserSide } from "./browser_side.ts";
 * import { Delivery } from "./delivery.ts";
 * import { StandMetrics } from "./metrics.ts";
 * import { StandCore } from "./stand_core.ts";
 * const table = createCommandTable();
 * const core = new StandCore(table);
 * const lamps = { count: 0, broadcast: () => 0 };
 * const browsers = new BrowserSide({ table, core, lamps, queueLimit: 1 << 16, log: () => {} });
 * const metrics = new StandMetrics();
 * const delivery = new Delivery({ core, lamps, browsers, metrics, log: () => {}, sync: true });
 * const on = { type: 0x12, value: new Uint8Array(), command: "ON", text: "" };
 * assertEquals(delivery.deliver({ id: "0-0", origin: "local", command: on }).on, true);
 * browsers.close();
 * ```
 */
export class Delivery implements BrokerSink {
  #context: DeliveryContext;

  /**
   * A delivery into this instance's parts.
   * @param context What a delivery reaches.
   */
  constructor(context: DeliveryContext) {
    this.#context = context;
  }

  /**
   * Delivers one command to this instance's lamps and browsers.
   * @param message The command from the broker.
   * @returns What it did.
   */
  deliver(message: BrokerMessage): SendResult {
    const { core, lamps, browsers, metrics, log } = this.#context;
    const result = core.deliver(message.command, lamps);
    metrics.delivered.inc();
    const { command, value, frame, effect } = result;
    log({ event: "command", command, value, frame, effect, lamps: result.lamps }, "info");
    browsers.hub.broadcast({ type: "frame", ...result });
    return result;
  }

  /**
   * Takes the fleet's state (this instance missed commands): lamps are synced to it, browsers
   * shown it.
   * @param state The fleet's retained state.
   * @param version The id of its newest entry.
   */
  adopt(state: LampState, version: string): void {
    const { core, lamps, browsers, log, sync } = this.#context;
    core.adopt(state);
    log({ event: "state_adopted", ...core.shown, version }, "info");
    if (sync) { for (const frame of core.sync()) lamps.broadcast(frame); }
    browsers.hub.broadcast(browsers.hello());
  }

  /**
   * Logs a broker event (`broker_connected`, `broker_gap`, …).
   * @param record The event.
   * @param level Its level.
   */
  onEvent(record: LogRecord, level: Level): void {
    this.#context.log(record, level);
  }
}
