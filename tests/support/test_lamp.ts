/**
 * A lamp client for tests: the real `LampClient`, every lifecycle event and every frame recorded
 * (as events a test can await), and named predicates instead of hand-written matches.
 *
 * @module
 */
import { LampClient } from "../../src/client/lamp_client.ts";
import type { LampOptions } from "../../src/client/lamp_options.ts";
import { createCommandTable } from "../../src/commands/command_table.ts";
import type { LampEvent } from "../../src/client/lamp_event.ts";
import type { IgnoredReason } from "../../src/commands/dispatcher.ts";
import { toHex } from "../../src/protocol/hex.ts";
import { EventRecorder } from "./event_recorder.ts";

/** A frame the lamp applied, as a test sees it. */
export interface CommandSeen {
  readonly event: "command";
  /** The command's name. */
  readonly command: string;
  /** Its value as text (`#ff0000`, `""`). */
  readonly value: string;
  /** The lamp after it: each piece of state by name (`on`, `color`, …). */
  readonly [piece: string]: unknown;
}

/** A frame the lamp skipped. */
export interface IgnoredSeen {
  readonly event: "ignored";
  readonly reason: IgnoredReason;
  readonly type: number;
  readonly hex: string;
}

/** Everything a test lamp records. */
export type TestLampEvent = LampEvent | CommandSeen | IgnoredSeen;

/** A running test lamp; `await using` closes it. */
export interface TestLamp extends AsyncDisposable {
  /** The client. */
  readonly client: LampClient;
  /** What it did, in order. */
  readonly events: EventRecorder<TestLampEvent>;
}

/**
 * Starts a lamp against 127.0.0.1 ports (quick retries, and a short wait for the server's side on
 * close, by default).
 * @param ports The server port(s), tried in order.
 * @param options Overrides.
 * @returns The lamp.
 */
export function startTestLamp(
  ports: number | readonly number[],
  options: Partial<LampOptions> = {},
): TestLamp {
  const events = new EventRecorder<TestLampEvent>();
  const fields = (options.table ?? createCommandTable()).state;
  const client = new LampClient({
    addresses: [ports].flat().map((port) => ({ hostname: "127.0.0.1", port })),
    closeTimeoutMs: 50,
    backoff: () => 5,
    ...options,
    onEvent: (event) => {
      events.onEvent(event);
      options.onEvent?.(event);
    },
    onApplied: (command, args, values) =>
      events.onEvent({
        event: "command",
        command: command.name,
        value: command.format(args),
        ...Object.fromEntries(fields.map((field, i) => [field.name, values[i]])),
      }),
    onIgnored: (reason, type, bytes, start, end) =>
      events.onEvent({ event: "ignored", reason, type, hex: toHex(bytes.subarray(start, end)) }),
  });
  return { client, events, [Symbol.asyncDispose]: () => client.close() };
}

/**
 * Starts several test lamps against one port; `await using` closes them all.
 * @param count How many.
 * @param port The server port.
 * @returns The lamps.
 */
export function startTestLamps(
  count: number,
  port: number,
): AsyncDisposable & { lamps: TestLamp[] } {
  const lamps = Array.from({ length: count }, () => startTestLamp(port));
  return {
    lamps,
    [Symbol.asyncDispose]: async () =>
      void await Promise.all(lamps.map((lamp) => lamp.client.close())),
  };
}

/**
 * Matches an applied command, optionally with its value.
 * @param name The command's name.
 * @param value Its value as text.
 * @returns The predicate.
 */
export function isCommand(name?: string, value?: string): (event: TestLampEvent) => boolean {
  return (event) =>
    event.event === "command" && (name === undefined || event.command === name) &&
    (value === undefined || event.value === value);
}

/**
 * Matches an event by name.
 * @param name The event's name.
 * @returns The predicate.
 */
export function isEvent(name: TestLampEvent["event"]): (event: TestLampEvent) => boolean {
  return (event) => event.event === name;
}

/**
 * The applied commands among events, as `NAME value`.
 * @param events The events.
 * @returns One entry per applied command.
 */
export function commandsIn(events: readonly TestLampEvent[]): string[] {
  return events.flatMap((event) =>
    event.event === "command"
      ? [event.value ? `${event.command} ${event.value}` : event.command]
      : []
  );
}
