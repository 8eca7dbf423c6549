/**
 * The Redis broker: every instance publishes commands to one channel and delivers, in publish
 * order, whatever arrives on it. The retained state lives in Redis too, so a lamp connecting to
 * any instance, or a restarted instance, starts from the fleet's state.
 *
 * One Lua script makes each publish atomic: it numbers the command, records it as the latest
 * of its type (only for commands in the table: they make up the state) and publishes it. The
 * state is the replay, in number order, of those latest frames through the same command table
 * the lamps use: no command logic lives in Redis.
 *
 * @module
 */
import { createClient } from "redis";
import type { CommandTable } from "../../commands/command_table.ts";
import { Dispatcher } from "../../commands/dispatcher.ts";
import { parseHex, toHex } from "../../protocol/hex.ts";
import type { OutgoingCommand } from "../../commands/outgoing_command.ts";
import type { SendResult } from "../stand_core.ts";
import {
  type Broker,
  type BrokerMessage,
  type BrokerSink,
  BrokerUnavailableError,
} from "./broker.ts";
import type { BrokerAddress } from "./broker_url.ts";

const PUBLISH_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
if ARGV[3] == '1' then redis.call('HSET', KEYS[2], ARGV[1], seq .. ' ' .. ARGV[2]) end
redis.call('PUBLISH', KEYS[3], seq .. ' ' .. ARGV[4])
return seq`;

/** Names this Redis's lifetime: a restarted Redis (no persistence) numbers commands from 1 again. */
const EPOCH_SCRIPT = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

/** How long a publish waits to see its own command come back before answering 503. */
const DELIVERY_TIMEOUT_MS = 2000;
/** How long an instance's heartbeat key lives without renewal. */
const HEARTBEAT_TTL_MS = 6000;

/** What a {@linkcode RedisBroker} needs. */
export interface RedisBrokerOptions {
  /** Where Redis is. */
  readonly address: BrokerAddress;
  /** This instance's id (unique in the fleet). */
  readonly instanceId: string;
  /** The command table (decides what is retained, and replays it). */
  readonly table: CommandTable;
  /** Where deliveries and transitions go. */
  readonly sink: BrokerSink;
  /** The reconnect delay for attempt n. */
  readonly retryDelay: (attempt: number) => number;
  /** Key prefix (default `flashlight`). */
  readonly prefix?: string;
}

type Client = ReturnType<typeof createClient>;

/**
 * A broker over Redis pub/sub, with the retained state and instance heartbeats in keys.
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
  #keys: {
    seq: string;
    retained: string;
    channel: string;
    epoch: string;
    instance: (id: string) => string;
  };
  #epoch = "";
  #pub: Client;
  #sub: Client;
  #connected = false;
  #pubReady = false;
  #subReady = false;
  #closed = false;
  #lastReason = "not connected yet";
  #lastSeq = 0;
  #results = new Map<number, SendResult>();
  #waiters = new Map<
    number,
    { resolve: (result: SendResult) => void; fail: (error: Error) => void }
  >();

  /** @param options Address, identity, table and sink; connecting starts at once. */
  constructor(options: RedisBrokerOptions) {
    this.#options = options;
    const prefix = options.prefix ?? "flashlight";
    this.#keys = {
      seq: `${prefix}:seq`,
      retained: `${prefix}:retained`,
      channel: `${prefix}:commands`,
      epoch: `${prefix}:epoch`,
      instance: (id) => `${prefix}:instance:${id}`,
    };
    const { hostname, port, db } = options.address;
    this.#pub = createClient({
      socket: {
        host: hostname,
        port,
        reconnectStrategy: (retries: number) => options.retryDelay(retries),
      },
      database: db,
      disableOfflineQueue: true,
    });
    this.#sub = this.#pub.duplicate();
    for (const client of [this.#pub, this.#sub]) {
      client.on("error", (error: Error) => this.#lastReason = error.message);
    }
    this.#pub.on("ready", () => this.#update(() => this.#pubReady = true));
    this.#pub.on("reconnecting", () => this.#update(() => this.#pubReady = false));
    this.#sub.on("reconnecting", () => this.#update(() => this.#subReady = false));
    let subscribed = false;
    // node-redis re-subscribes before it reports "ready" again after a reconnect, so from "ready"
    // on, nothing published is missed: the catch-up that follows covers what came before.
    this.#sub.on("ready", () => {
      if (subscribed) return this.#update(() => this.#subReady = true);
      subscribed = true;
      this.#sub.subscribe(this.#keys.channel, (raw: string) => this.#onMessage(raw)).then(
        () => this.#update(() => this.#subReady = true),
        () => subscribed = false,
      );
    });
    this.#pub.connect().catch(() => {});
    this.#sub.connect().catch(() => {});
  }

  /**
   * Publishes a command to the whole fleet and waits until this instance delivered it.
   * @param command The command.
   * @returns What the local delivery did.
   * @throws {BrokerUnavailableError} While Redis cannot take it (answered 503).
   */
  async publish(command: OutgoingCommand): Promise<SendResult> {
    if (!this.#connected) {
      throw new BrokerUnavailableError(
        `broker ${this.#options.address.url} unavailable: ${this.#lastReason}`,
      );
    }
    const retain = this.#options.table.byType(command.type) ? "1" : "0";
    const value = toHex(command.value).replaceAll(" ", "");
    const payload = JSON.stringify({
      origin: this.#options.instanceId,
      type: command.type,
      value,
      command: command.command,
      text: command.text,
    });
    let seq: number;
    try {
      const { seq: seqKey, retained, channel } = this.#keys;
      seq = Number(
        await this.#pub.sendCommand([
          "EVAL",
          PUBLISH_SCRIPT,
          "3",
          seqKey,
          retained,
          channel,
          String(command.type),
          value,
          retain,
          payload,
        ]),
      );
    } catch (error) {
      throw new BrokerUnavailableError(
        `broker ${this.#options.address.url} unavailable: ${(error as Error).message}`,
      );
    }
    return await this.#awaitDelivery(seq);
  }

  /**
   * Renews this instance's heartbeat key with its counts.
   * @param lamps Lamps connected here.
   * @param browsers Browsers connected here.
   */
  heartbeat(lamps: number, browsers: number): void {
    if (!this.#connected) return;
    const value = JSON.stringify({ lamps, browsers });
    this.#pub.sendCommand([
      "SET",
      this.#keys.instance(this.#options.instanceId),
      value,
      "PX",
      String(HEARTBEAT_TTL_MS),
    ]).catch(() => {});
  }

  /**
   * Sums the counts of every instance whose heartbeat is alive.
   * @returns Instances, lamps and browsers in the fleet.
   * @throws {BrokerUnavailableError} While Redis is unreachable.
   */
  async fleet(): Promise<{ instances: number; lamps: number; browsers: number }> {
    try {
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, found] = await this.#pub.sendCommand([
          "SCAN",
          cursor,
          "MATCH",
          this.#keys.instance("*"),
          "COUNT",
          "100",
        ]) as [string, string[]];
        cursor = next;
        keys.push(...found);
      } while (cursor !== "0");
      const values = keys.length
        ? await this.#pub.sendCommand(["MGET", ...keys]) as (string | null)[]
        : [];
      const live = values.flatMap((value) =>
        value ? [JSON.parse(value) as { lamps: number; browsers: number }] : []
      );
      return {
        instances: live.length,
        lamps: live.reduce((sum, entry) => sum + entry.lamps, 0),
        browsers: live.reduce((sum, entry) => sum + entry.browsers, 0),
      };
    } catch (error) {
      throw new BrokerUnavailableError(
        `broker ${this.#options.address.url} unavailable: ${(error as Error).message}`,
      );
    }
  }

  /** @returns `redis`, connected or not, and the URL. */
  status(): { kind: string; connected: boolean; url: string } {
    return { kind: "redis", connected: this.#connected, url: this.#options.address.url };
  }

  /** Removes the heartbeat and disconnects both clients. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#connected) {
      await this.#pub.sendCommand(["DEL", this.#keys.instance(this.#options.instanceId)]).catch(
        () => {},
      );
    }
    for (const client of [this.#sub, this.#pub]) {
      try {
        client.destroy();
      } catch {
        // already closed
      }
    }
    for (const waiter of this.#waiters.values()) {
      waiter.fail(new BrokerUnavailableError("broker closed"));
    }
  }

  /**
   * Applies a change to the clients' readiness; publishing works only when both are ready.
   * Logs each transition; on becoming connected, catches up with the fleet's state.
   */
  #update(change: () => void): void {
    change();
    const connected = this.#pubReady && this.#subReady;
    if (connected === this.#connected || this.#closed) return;
    this.#connected = connected;
    const url = this.#options.address.url;
    if (connected) {
      this.#options.sink.onTransition("broker_connected", { url });
      this.#catchUp().catch(() => {});
    } else {
      this.#options.sink.onTransition("broker_disconnected", { url, reason: this.#lastReason });
    }
  }

  /**
   * Adopts the fleet's retained state when it is newer than what this instance delivered (it
   * missed commands while disconnected), or when Redis itself is new.
   */
  async #catchUp(): Promise<void> {
    const epoch = String(
      await this.#pub.sendCommand([
        "EVAL",
        EPOCH_SCRIPT,
        "1",
        this.#keys.epoch,
        crypto.randomUUID(),
      ]),
    );
    if (epoch !== this.#epoch) {
      this.#epoch = epoch; // a new Redis (or our first connection): its numbers start afresh
      this.#lastSeq = 0;
    }
    const entries = await this.#pub.sendCommand(["HGETALL", this.#keys.retained]) as
      | string[]
      | Record<string, string>;
    const pairs = Array.isArray(entries)
      ? Array.from({ length: entries.length / 2 }, (_, i) => [entries[2 * i], entries[2 * i + 1]])
      : Object.entries(entries);
    const frames = pairs.map(([type, entry]) => {
      const [seq, hex] = entry.split(" ");
      return { type: Number(type), seq: Number(seq), value: parseHex(hex ?? "") };
    }).sort((a, b) => a.seq - b.seq);
    const newest = frames.at(-1)?.seq ?? 0;
    if (newest <= this.#lastSeq) return;
    const replay = new Dispatcher(this.#options.table);
    for (const frame of frames) replay.frame(frame.type, frame.value, 0, frame.value.length);
    this.#lastSeq = newest;
    this.#options.sink.adopt(replay.state, newest);
  }

  #onMessage(raw: string): void {
    const space = raw.indexOf(" ");
    const seq = Number(raw.slice(0, space));
    const body = JSON.parse(raw.slice(space + 1));
    const message: BrokerMessage = {
      seq,
      origin: body.origin,
      command: {
        type: body.type,
        value: parseHex(body.value),
        command: body.command,
        text: body.text,
      },
    };
    this.#lastSeq = seq;
    const result = this.#options.sink.deliver(message);
    if (message.origin !== this.#options.instanceId) return;
    const waiter = this.#waiters.get(seq);
    if (waiter) waiter.resolve(result);
    else {
      this.#results.set(seq, result);
      if (this.#results.size > 1000) this.#results.delete(this.#results.keys().next().value!);
    }
  }

  #awaitDelivery(seq: number): Promise<SendResult> {
    const ready = this.#results.get(seq);
    if (ready) {
      this.#results.delete(seq);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(seq);
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new BrokerUnavailableError(
            `command ${seq} was published but did not come back within ${DELIVERY_TIMEOUT_MS} ms`,
          ),
        );
      }, DELIVERY_TIMEOUT_MS);
      this.#waiters.set(seq, {
        resolve: (result) => (finish(), resolve(result)),
        fail: (error) => (finish(), reject(error)),
      });
    });
  }
}
