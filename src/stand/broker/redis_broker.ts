/**
 * The Redis broker: commands go through one Redis stream that every instance follows, so each
 * instance delivers every command, in stream order, to its own lamps and browsers. The retained
 * state and instance heartbeats live in Redis too.
 *
 * Delivery guarantee (docs/reliability.md says it for users). When the API answers 200, the
 * command is in the Redis stream and the answering instance has delivered it to its lamps. Every
 * instance delivers the stream's commands in stream order, each once to each lamp connected to it
 * at that moment (a lamp that connects later is synced to the retained state instead), as long as
 * the stream holds them when it reads: an instance that was away resumes after the last entry it
 * read. Only the stream's own ids place it (see `stream_place.ts`): when what follows its place is
 * gone (trimmed, the stream deleted or recreated, its ids gone back), it logs `broker_gap`
 * (`reason`, `after`, `resumed_at`, `missed` when the stream's count tells), counts it, syncs its lamps to retained state it missed (if
 * any) and delivers what the stream still holds. A 503 that says "may still be delivered" (no
 * confirmation or no local delivery within 2 s, the connection dropped mid-publish, or the entry
 * left the stream before this instance read it) means other instances may deliver it, so a retry
 * can duplicate it; any other 503 (the broker unavailable, Redis refused the command) means the
 * command is nowhere. The retained state keeps, per frame type, the latest frame a lamp would
 * apply, versioned by its stream id; copies that disagree merge entry by entry, the newer version
 * winning, and live instances write back what Redis lacks, announced by a `state` stream entry
 * that every instance merges in stream order. Versions come from the Redis host's clock; one
 * newer than both the stream's newest id and that clock is from the future and is skipped.
 *
 * @module
 */
import { createClient, ErrorReply } from "redis";
import type { CommandTable } from "../../commands/command_table.ts";
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../../commands/send_result.ts";
import {
  type Broker,
  type BrokerSink,
  type BrokerStatus,
  BrokerUnavailableError,
  type FleetCounts,
} from "./broker.ts";
import type { BrokerAddress } from "./broker_url.ts";
import { sumHeartbeats } from "./fleet_counts.ts";
import { redactSecret, redisClientOptions } from "./redis_connection.ts";
import { describeRedisError } from "./redis_error_text.ts";
import { brokerKeys, HEARTBEATS_SCRIPT, PUBLISH_SCRIPT } from "./redis_scripts.ts";
import { isRetained } from "./retained_frames.ts";
import { sharedSchedule } from "./shared_schedule.ts";
import { commandFields } from "./stream_entry.ts";
import { isStreamId } from "./stream_id.ts";
import { type CounterSet, StreamFollower } from "./stream_follower.ts";
import { quoteWireText } from "./wire_text.ts";

/** How long an instance's heartbeat key lives without renewal. */
const HEARTBEAT_TTL_MS = 6000;
/** The follower's connection is closed after this long without a byte (its reads end every 1 s). */
const READ_SILENCE_MS = 5000;

/** What a {@linkcode RedisBroker} needs. */
export interface RedisBrokerOptions {
  /** Where Redis is. */
  readonly address: BrokerAddress;
  /** This instance's id (unique in the fleet). */
  readonly instanceId: string;
  /** The command table (decides what is retained, and replays it). */
  readonly table: CommandTable;
  /** Where deliveries and log events go. */
  readonly sink: BrokerSink;
  /** The reconnect delay for attempt n. */
  readonly retryDelay: (attempt: number) => number;
  /** Key prefix (default `flashlight`). */
  readonly prefix?: string;
  /** About how many commands the stream keeps (`MAXLEN ~`; default 10,000). */
  readonly maxLen?: number;
  /** How long a publish waits to be delivered here before answering 503, in ms (default 2000). */
  readonly deliveryTimeoutMs?: number;
}

/**
 * A broker over a Redis stream, with the retained state and instance heartbeats in keys.
 *
 * @example
 * ```ts ignore
 * import { RedisBroker } from "./redis_broker.ts";
 * const broker = new RedisBroker({ address, instanceId: "a", table, sink, retryDelay: () => 100 });
 * await broker.publish(command);
 * await broker.close();
 * ```
 */
export class RedisBroker implements Broker {
  #options: RedisBrokerOptions;
  #keys: ReturnType<typeof brokerKeys>;
  #maxLen: number;
  #timeoutMs: number;
  #pub: ReturnType<typeof createClient>;
  #reader: ReturnType<typeof createClient>;
  #follower: StreamFollower;
  #pubReady = false;
  #followerReady = false;
  #connected = false;
  #closed = false;
  /** Why each part is not ready, as last heard (cleared when it is). */
  #why = { pub: "", reader: "", follower: "" };
  /** Why Redis does not take writes, as the last write showed (cleared by a write it took). */
  #writeTrouble = "";
  /** The reasons logged since Redis was last connected: each is said once per outage. */
  #loggedReasons = new Set<string>();
  #counters: CounterSet = {
    delivered: 0,
    skipped_messages: 0,
    skipped_state_entries: 0,
    gaps: 0,
    gap_entries: 0,
    state_restores: 0,
  };
  #results = new Map<string, SendResult>();
  #waiters = new Map<
    string,
    { resolve: (result: SendResult) => void; fail: (why: string) => void }
  >();

  /**
   * A broker on Redis; connecting starts at once.
   * @param options Address, identity, table and sink; connecting starts at once.
   */
  constructor(options: RedisBrokerOptions) {
    this.#options = options;
    this.#keys = brokerKeys(options.prefix ?? "flashlight");
    this.#maxLen = options.maxLen ?? 10_000;
    this.#timeoutMs = options.deliveryTimeoutMs ?? 2000;
    const { address, retryDelay } = options;
    // Both connections dial together, so a Redis that is back finds both at once.
    const dial = sharedSchedule(retryDelay);
    this.#pub = createClient(redisClientOptions(address, dial));
    this.#reader = createClient(redisClientOptions(address, dial, READ_SILENCE_MS));
    for (const [part, client] of [["pub", this.#pub], ["reader", this.#reader]] as const) {
      client.on("error", (error: Error) => this.#onError(part, error));
      client.on("ready", () => this.#why[part] = "");
    }
    this.#pub.on("ready", () =>
      this.#update(() => {
        this.#pubReady = true;
        this.#writeTrouble = "";
      }));
    this.#pub.on("reconnecting", () => this.#update(() => this.#pubReady = false));
    this.#follower = new StreamFollower({
      client: this.#reader,
      publisher: this.#pub,
      keys: this.#keys,
      table: options.table,
      sink: options.sink,
      instanceId: options.instanceId,
      maxLen: this.#maxLen,
      retryDelay,
      counters: this.#counters,
      onDelivered: (id, result) => this.#delivered(id, result),
      onLost: (isLost) =>
        this.#failWaiters(
          "it left the stream before this instance read it (see broker_gap)",
          isLost,
        ),
      onReady: (ready, reason) =>
        this.#update(() => {
          this.#followerReady = ready;
          this.#why.follower = reason;
        }),
    });
    this.#follower.start();
    this.#pub.connect().catch(() => {});
    this.#reader.connect().catch(() => {});
  }

  /**
   * Appends a command to the stream and waits until this instance delivered it.
   * @param command The command.
   * @returns What the local delivery did.
   * @throws {BrokerUnavailableError} While Redis cannot take it, or when it was not delivered
   *   here in time (answered 503).
   */
  async publish(command: OutgoingCommand): Promise<SendResult> {
    if (!this.#connected) throw this.#unavailable(this.#reason());
    const { fields, hex } = commandFields(command, this.#options.instanceId);
    const retained = isRetained(this.#options.table, command.type, command.value);
    const { stream, state } = this.#keys;
    let phase = "Redis did not confirm the command";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (typeof id !== "string") this.#writeTrouble = this.#noAnswer();
        const why = `${phase} within ${this.#timeoutMs} ms (it may still be delivered)`;
        reject(new BrokerUnavailableError(`broker ${this.#options.address.url}: ${why}`));
      }, this.#timeoutMs);
    });
    let id: unknown;
    try {
      const appended = PUBLISH_SCRIPT.run(
        this.#pub,
        [stream, state],
        [String(this.#maxLen), retained ? String(command.type) : "", hex, ...fields],
      ).then((reply) => {
        this.#writeTrouble = "";
        return reply;
      }, (error: Error) => {
        // A refusal (an error reply) appended nothing; a lost connection may have come after.
        if (error instanceof ErrorReply) {
          this.#writeTrouble = describeRedisError(error);
          throw this.#unavailable(
            `Redis refused the command: ${quoteWireText(error.message, 120)}`,
          );
        }
        throw this.#unavailable(
          `${describeRedisError(error)} (the command may still be delivered)`,
        );
      });
      id = await Promise.race([appended, expired]);
      if (typeof id !== "string" || !isStreamId(id)) {
        throw this.#unavailable("unexpected reply to the publish script");
      }
      this.#follower.notePublished(id);
      phase = `command ${id} was appended but not delivered here`;
      // `lamps` counts this instance's lamps; the stream id says every instance delivers it.
      return { ...await Promise.race([this.#delivery(id), expired]), stream_id: id };
    } finally {
      clearTimeout(timer);
      if (typeof id === "string") this.#waiters.delete(id);
    }
  }

  /**
   * Renews this instance's heartbeat key with its counts.
   * @param lamps Lamps connected here.
   * @param browsers Browsers connected here.
   */
  heartbeat(lamps: number, browsers: number): void {
    if (!this.#pubReady) return;
    // Also the probe of whether Redis takes writes now: its answer sets or clears the trouble.
    this.#withTimeout(
      this.#pub.sendCommand([
        ...["SET", this.#keys.instance(this.#options.instanceId)],
        ...[JSON.stringify({ lamps, browsers }), "PX", String(HEARTBEAT_TTL_MS)],
      ]),
      "answer",
    ).then(() => this.#writeTrouble = "", (error) => {
      if (error instanceof ErrorReply) this.#writeTrouble = describeRedisError(error);
      else if (error instanceof BrokerUnavailableError) this.#writeTrouble = this.#noAnswer();
    });
  }

  /**
   * Sums the counts of every instance whose heartbeat is alive; malformed entries are left out,
   * named in the result and logged.
   * @returns The fleet.
   * @throws {BrokerUnavailableError} While Redis is unreachable.
   */
  async fleet(): Promise<FleetCounts> {
    if (!this.#pubReady) throw this.#unavailable(this.#reason());
    const pattern = this.#keys.instance("*");
    let keys: string[] = [];
    let values: unknown;
    try {
      let cursor = "0";
      do {
        const reply = await this.#withTimeout(
          this.#pub.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "100"]),
          "answer",
        ) as [string, string[]];
        [cursor] = reply;
        keys.push(...reply[1]);
      } while (cursor !== "0" && keys.length < 10_000);
      keys = [...new Set(keys)];
      values = keys.length === 0 ? [] : await this.#withTimeout(
        HEARTBEATS_SCRIPT.run(this.#pub, keys, []),
        "answer",
      );
    } catch (error) {
      throw error instanceof BrokerUnavailableError ? error : this.#unavailable(error as Error);
    }
    const list = Array.isArray(values) ? values : [];
    const fleet = sumHeartbeats(keys.map((key, i) => [key.slice(pattern.length - 1), list[i]]));
    if (fleet.skipped.length > 0) {
      this.#options.sink.onEvent({
        event: "broker_heartbeat_skipped",
        count: fleet.skipped.length,
        instances: fleet.skipped.join(","),
      }, "warn");
    }
    return fleet;
  }

  /**
   * The broker's state and counters.
   * @returns Connected or not, caught up, lag, the URL, the counters, and why it is not ready
   *   when it is not (not connected, Redis refusing or not answering writes, or catching up).
   */
  status(): BrokerStatus {
    const lag = this.#follower.lag;
    const caughtUp = this.#connected && this.#follower.caughtUp;
    const behind = caughtUp || !this.#connected
      ? ""
      : `catching up: ${lag} commands in the stream not yet delivered here`;
    const error = this.#connected ? this.#writeTrouble || behind : this.#reason();
    return {
      kind: "redis",
      connected: this.#connected,
      caught_up: caughtUp,
      lag,
      url: this.#options.address.url,
      ...(error ? { error: this.#redact(error) } : {}),
      counters: { ...this.#counters },
    };
  }

  /** Removes the heartbeat, stops following and disconnects both clients. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pubReady) {
      await this.#withTimeout(
        this.#pub.sendCommand(["DEL", this.#keys.instance(this.#options.instanceId)]),
        "answer",
      ).catch(() => {});
    }
    const stopped = this.#follower.stop();
    for (const client of [this.#reader, this.#pub]) {
      try {
        client.destroy();
      } catch {
        // already closed
      }
    }
    await stopped;
    this.#failWaiters("broker closed");
  }

  /** Applies a readiness change; logs each transition of the whole (publish and follow). */
  #update(change: () => void): void {
    change();
    const connected = this.#pubReady && this.#followerReady;
    if (connected === this.#connected || this.#closed) return;
    this.#connected = connected;
    const url = this.#options.address.url;
    if (connected) {
      this.#loggedReasons.clear();
      this.#options.sink.onEvent({ event: "broker_connected", url }, "info");
    } else {
      const reason = this.#redact(this.#reason());
      this.#options.sink.onEvent({ event: "broker_disconnected", url, reason }, "warn");
    }
  }

  /** Why the broker is not connected now: the first part that is not ready, in its words. */
  #reason(): string {
    if (!this.#pub.isReady) return this.#why.pub || "not connected yet";
    if (!this.#reader.isReady) return this.#why.reader || "not connected yet";
    return this.#why.follower || "syncing with Redis";
  }

  #noAnswer(): string {
    return `Redis did not answer within ${this.#timeoutMs} ms`;
  }

  /** Keeps the reason; logs it (`broker_error`) once per outage, so a failing login shows. */
  #onError(part: "pub" | "reader", error: Error): void {
    const message = describeRedisError(error);
    this.#why[part] = message;
    const reason = this.#redact(message);
    // Both connections fail when Redis goes away, each with its own words, often alternating.
    if (this.#loggedReasons.has(reason) || this.#closed) return;
    this.#loggedReasons.add(reason);
    this.#options.sink.onEvent(
      { event: "broker_error", url: this.#options.address.url, reason },
      "warn",
    );
  }

  #redact(text: string): string {
    return redactSecret(text, this.#options.address);
  }

  #unavailable(reason: string | Error): BrokerUnavailableError {
    const text = typeof reason === "string" ? reason : reason.message;
    return new BrokerUnavailableError(
      `broker ${this.#options.address.url} unavailable: ${this.#redact(text)}`,
    );
  }

  #withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.#unavailable(`Redis did not ${what} within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  #delivered(id: string, result: SendResult): void {
    const waiter = this.#waiters.get(id);
    if (waiter) return waiter.resolve(result);
    this.#results.set(id, result);
    if (this.#results.size > 1000) this.#results.delete(this.#results.keys().next().value!);
  }

  /** Fails the waiting publishes (those whose ids `which` accepts, when given). */
  #failWaiters(why: string, which: (id: string) => boolean = () => true): void {
    for (const [id, waiter] of this.#waiters) if (which(id)) waiter.fail(why);
  }

  /** Resolves once this instance delivered `id` (or fails when it never will). */
  #delivery(id: string): Promise<SendResult> {
    const ready = this.#results.get(id);
    if (ready) {
      this.#results.delete(id);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, {
        resolve,
        fail: (why) =>
          reject(
            new BrokerUnavailableError(
              `command ${id} was appended but not delivered here: ${why} (it may still be delivered)`,
            ),
          ),
      });
    });
  }
}
