/**
 * Helpers for tests of several stands on one Redis: lamps that record what they applied, API
 * bodies, and a bounded wait for a condition.
 *
 * @module
 */
import { commandsIn, isCommand, startTestLamp, type TestLamp } from "./test_lamp.ts";

/**
 * Connects a lamp to stands on these ports (failing over in order).
 * @param ports Lamp ports on 127.0.0.1.
 * @returns The lamp.
 */
export function connectLamp(...ports: number[]): TestLamp {
  return startTestLamp(ports, { policy: { backoff: () => 20 } });
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
