/**
 * The message transport between the stand's API and its lamps: in process by default, or a
 * Redis channel shared by several stand instances (`--broker redis://…`).
 *
 * @module
 */
import type { LampState } from "../../lamp/lamp_state.ts";
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../stand_core.ts";

/** A command as it travels through the broker. */
export interface BrokerMessage {
  /** Publish order (Redis); 0 in process. */
  readonly seq: number;
  /** The id of the instance whose API accepted it. */
  readonly origin: string;
  /** The command. */
  readonly command: OutgoingCommand;
}

/** What the broker reports about itself on `GET /status`. */
export interface BrokerStatus {
  /** `in-process` or `redis`. */
  readonly kind: string;
  /** Whether commands can be published now. */
  readonly connected: boolean;
  /** The broker's address, when it has one. */
  readonly url?: string;
}

/** Receives what the broker delivers, in publish order. */
export interface BrokerSink {
  /** Delivers one command to this instance's lamps and browsers. */
  deliver(message: BrokerMessage): SendResult;
  /** Replaces the retained state (after reconnecting to a broker that moved on). */
  adopt(state: LampState, lastSeq: number): void;
  /** Reports a broker transition for the log. */
  onTransition(event: string, detail: Record<string, string | number | boolean>): void;
}

/** The broker as the stand uses it. */
export interface Broker {
  /** Publishes a command to every instance (including this one); resolves once it was delivered here. */
  publish(command: OutgoingCommand): Promise<SendResult>;
  /** Reports this instance's counts for the fleet view. */
  heartbeat(lamps: number, browsers: number): void;
  /** Sums lamps and browsers over live instances. */
  fleet(): Promise<{ instances: number; lamps: number; browsers: number }>;
  /** The broker's state. */
  status(): BrokerStatus;
  /** Disconnects. */
  close(): Promise<void>;
}

/** Thrown by {@linkcode Broker.publish} while the broker cannot take commands (answered 503). */
export class BrokerUnavailableError extends Error {
  /** @param message Why. */
  constructor(message: string) {
    super(message);
    this.name = "BrokerUnavailableError";
  }
}
