/**
 * The `GET /status` answer: what this stand is, has and does now.
 *
 * @module
 */
import type { BrokerStatus } from "./broker/broker.ts";
import type { SendResult } from "../commands/send_result.ts";
import type { Counts, ShownState } from "./page/messages.ts";

/** The `GET /status` answer. */
export interface StandStatus extends Counts {
  /** Always `true` (the stand answers). */
  readonly ok: true;
  /** flashlight's version. */
  readonly version: string;
  /** Seconds since the stand started. */
  readonly uptime_s: number;
  /** The retained state. */
  readonly state: ShownState;
  /** The last command sent, if any. */
  readonly last_command: SendResult | null;
  /** The broker. */
  readonly broker: BrokerStatus;
  /** With `?fleet=1`: the counts summed over every live instance. */
  readonly fleet?: { readonly instances: number } & Counts;
}
