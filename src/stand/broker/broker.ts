/**
 * The message transport between the stand's API and its lamps: in process by default, or a
 * Redis stream shared by several stand instances (`--broker redis://…`).
 *
 * @module
 */
import type { LampState } from "../../lamp/lamp_state.ts";
import type { LogRecord } from "../../log/log_line.ts";
import type { Level } from "../../log/level.ts";
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../../commands/send_result.ts";

/** A command as it travels through the broker. */
export interface BrokerMessage {
  /** Its id in the stream (Redis), `0-0` in process. */
  readonly id: string;
  /** The id of the instance whose API accepted it. */
  readonly origin: string;
  /** The command. */
  readonly command: OutgoingCommand;
}

/** Counts since the broker started, for logs, `/status` and metrics. */
export interface BrokerCounters {
  /** Commands delivered to this instance's lamps and browsers. */
  readonly delivered: number;
  /** Malformed commands on the wire (stream entries), logged and skipped. */
  readonly skipped_messages: number;
  /** Malformed entries in the stored state, logged and ignored. */
  readonly skipped_state_entries: number;
  /**
   * Times what followed this instance's place in the stream was gone (trimmed, the stream deleted
   * or recreated, its ids gone back) and it went on from where the stream is now.
   */
  readonly gaps: number;
  /** Commands those gaps lost here, where the stream's count tells (Redis 7: trims). */
  readonly gap_entries: number;
  /** Times this instance wrote state entries back that Redis had lost, corrupted or not had. */
  readonly state_restores: number;
}

/** What the broker reports about itself on `GET /status`. */
export interface BrokerStatus {
  /** `in-process` or `redis`. */
  readonly kind: "in-process" | "redis";
  /** Whether commands can be published and delivered now. */
  readonly connected: boolean;
  /** Connected, and nothing published to the fleet is waiting to be delivered here. */
  readonly caught_up: boolean;
  /**
   * Stream entries published to the fleet and not yet delivered here, from the stream's own count
   * of entries added (Redis 7; its length before), as the last read saw it; 0 when caught up and
   * in process.
   */
  readonly lag: number;
  /** The broker's address (without credentials), when it has one. */
  readonly url?: string;
  /**
   * Why it is not ready now, in current words: why it is not connected, or, connected, why Redis
   * does not take writes (refusing them, or not answering in time), or that it is catching up.
   */
  readonly error?: string;
  /** Counts since start. */
  readonly counters: BrokerCounters;
}

/** The fleet as the instances' heartbeats describe it. */
export interface FleetCounts {
  /** Instances with a live, well-formed heartbeat. */
  readonly instances: number;
  /** Lamps summed over them. */
  readonly lamps: number;
  /** Browsers summed over them. */
  readonly browsers: number;
  /** Heartbeat entries that were malformed and left out (instance ids, quoted, at most 20). */
  readonly skipped: readonly string[];
}

/** Receives what the broker delivers, in stream order. */
export interface BrokerSink {
  /** Delivers one command to this instance's lamps and browsers. */
  deliver(message: BrokerMessage): SendResult;
  /** Replaces the retained state and syncs the lamps to it (`version`: the newest entry's id). */
  adopt(state: LampState, version: string): void;
  /** Logs a broker event (`broker_connected`, `broker_gap`, …). */
  onEvent(record: LogRecord, level: Level): void;
}

/** The broker as the stand uses it. */
export interface Broker {
  /** Publishes a command to every instance (including this one); resolves once it was delivered here. */
  publish(command: OutgoingCommand): Promise<SendResult>;
  /** Reports this instance's counts for the fleet view. */
  heartbeat(lamps: number, browsers: number): void;
  /** Sums lamps and browsers over live instances. */
  fleet(): Promise<FleetCounts>;
  /** The broker's state and counters. */
  status(): BrokerStatus;
  /** Disconnects. */
  close(): Promise<void>;
}

/** Thrown by {@linkcode Broker.publish} while the broker cannot take commands (answered 503). */
export class BrokerUnavailableError extends Error {
  /**
   * The broker cannot take commands now.
   * @param message Why.
   */
  constructor(message: string) {
    super(message);
    this.name = "BrokerUnavailableError";
  }
}
