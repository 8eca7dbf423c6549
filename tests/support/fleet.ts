/**
 * Helpers for tests of several stands on one Redis: a {@linkcode Fleet} that starts Redis, stands,
 * lamps and proxies and closes them all; lamps that record what they applied, API bodies, and a
 * bounded wait for a condition.
 *
 * @module
 */
import { parseBrokerUrl } from "../../src/stand/broker/broker_url.ts";
import type { StandOptions } from "../../src/stand/stand_options.ts";
import { RedisServer, type RedisServerOptions } from "../../scripts/support/redis_server.ts";
import { TcpProxy } from "./tcp_proxy.ts";
import { commandsIn, isCommand, startTestLamp, type TestLamp } from "./test_lamp.ts";
import { startTestStand, TestBrowser, type TestStand } from "./test_stand.ts";

/**
 * Connects a lamp to stands on these ports (failing over in order).
 * @param ports Lamp ports on 127.0.0.1.
 * @returns The lamp.
 */
export function connectLamp(...ports: number[]): TestLamp {
  return startTestLamp(ports, { backoff: () => 20 });
}

/**
 * The commands a lamp applied, as `NAME` or `NAME value` (e.g. `COLOR #ff0000`).
 * @param lamp The lamp.
 * @param from Skip events before this index.
 * @returns The commands, in order.
 */
export function applied(lamp: TestLamp, from = 0): string[] {
  return commandsIn(lamp.events.events.slice(from));
}

/**
 * Waits until a lamp applied a command.
 * @param lamp The lamp.
 * @param command As {@linkcode applied} writes it.
 * @param from Only events at or after this index.
 */
export async function untilApplied(lamp: TestLamp, command: string, from = 0): Promise<void> {
  const [name, value] = command.split(" ");
  await lamp.events.next(isCommand(name, value ?? ""), from);
}

/** API body for COLOR. */
export const COLOR = (value: string) => ({
  method: "message",
  params: { command: "COLOR", value },
});
/** API body for ON. */
export const ON = { method: "message", params: { command: "ON" } };

/**
 * Polls a condition every 20 ms, failing after about 10 s (a hang guard, not a speed check).
 * @param condition The condition.
 */
export async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let tries = 0; !(await condition()); tries++) {
    if (tries > 500) throw new Error("condition never became true");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Any control character (C0, DEL, C1): what must never reach a log line raw. */
// deno-lint-ignore no-control-regex -- finding control characters is the point
export const CONTROL: RegExp = /[\x00-\x1f\x7f-\x9f]/;

/** A stand of a {@linkcode Fleet}: stand options, and how it reaches Redis. */
export interface FleetStandOptions extends Partial<StandOptions> {
  /** Reach Redis through this port (a {@linkcode TcpProxy}'s) instead of Redis's own. */
  readonly via?: number;
  /** Wait until it logged `broker_connected` (default `true`). */
  readonly connected?: boolean;
}

/**
 * One real Redis and the stands, lamps, browsers and proxies a test starts on it; `await using`
 * closes all of them, newest first, then stops Redis (the test skips first when there is no
 * redis-server: see `requireProgram`).
 */
export class Fleet implements AsyncDisposable {
  #redis: RedisServer;
  #options: RedisServerOptions;
  #running = true;
  #open = new AsyncDisposableStack();

  private constructor(redis: RedisServer, options: RedisServerOptions) {
    this.#redis = redis;
    this.#options = options;
  }

  /**
   * Starts Redis on a free port.
   * @param options Its data directory, arguments, TLS.
   * @returns The fleet, with no stand yet.
   */
  static async start(options: RedisServerOptions = {}): Promise<Fleet> {
    return new Fleet(await RedisServer.start(undefined, options), options);
  }

  /** The Redis server running now. */
  get redis(): RedisServer {
    return this.#redis;
  }

  /**
   * Starts a stand whose broker is this Redis (at `via` when given) and, unless told not to,
   * waits until it is connected.
   * @param options Stand options (`broker` replaces the address), `via`, `connected`.
   * @returns The stand.
   */
  async stand(options: FleetStandOptions = {}): Promise<TestStand> {
    const { via = this.#redis.port, connected = true, ...standOptions } = options;
    const stand = await startTestStand({
      broker: parseBrokerUrl(`redis://127.0.0.1:${via}/0`),
      ...standOptions,
    });
    this.#open.use(stand);
    if (connected) await stand.log.nextNamed("broker_connected", 0);
    return stand;
  }

  /**
   * Starts `count` stands as {@linkcode stand} does, one after the other.
   * @param count How many.
   * @param options Their options.
   * @returns The stands, in the order started.
   */
  async stands(count: number, options: FleetStandOptions = {}): Promise<TestStand[]> {
    const stands: TestStand[] = [];
    while (stands.length < count) stands.push(await this.stand(options));
    return stands;
  }

  /**
   * Connects a lamp as {@linkcode lamp} does and waits until it applied the stand's state (the
   * OFF that ends the sync).
   * @param stands The stands, tried in order.
   * @returns The lamp.
   */
  async syncedLamp(...stands: TestStand[]): Promise<TestLamp> {
    const lamp = this.lamp(...stands);
    await untilApplied(lamp, "OFF");
    return lamp;
  }

  /**
   * Connects a lamp to these stands (failing over in order).
   * @param stands The stands.
   * @returns The lamp.
   */
  lamp(...stands: TestStand[]): TestLamp {
    return this.#open.use(connectLamp(...stands.map(({ stand }) => stand.ports.lamp)));
  }

  /**
   * Opens a page's WebSocket on a stand.
   * @param stand The stand.
   * @returns The browser.
   */
  browser(stand: TestStand): TestBrowser {
    return this.#open.use(new TestBrowser(`ws://127.0.0.1:${stand.stand.ports.web}/ws`));
  }

  /**
   * Starts a proxy to Redis, to cut a stand off and bring it back (pass its port as `via`).
   * @returns The proxy.
   */
  proxy(): TcpProxy {
    const proxy = new TcpProxy(this.#redis.port);
    this.#open.defer(() => proxy.close());
    return proxy;
  }

  /**
   * Stops Redis (the stands see it gone).
   * @param signal `SIGTERM` (default) or `SIGKILL` (a crash).
   */
  async stopRedis(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    this.#running = false;
    await this.#redis.stop(signal);
  }

  /** Starts Redis again on its port, with the same options (stopping it first if it runs). */
  async restartRedis(): Promise<void> {
    if (this.#running) await this.stopRedis();
    this.#redis = await RedisServer.start(this.#redis.port, this.#options);
    this.#running = true;
  }

  /** Closes every browser, lamp, stand and proxy, newest first, then stops Redis. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.#open.disposeAsync();
    } finally {
      if (this.#running) await this.stopRedis();
    }
  }
}
