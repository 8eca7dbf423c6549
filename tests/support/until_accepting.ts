/**
 * Waiting for a program a test started to listen.
 *
 * @module
 */

/**
 * Resolves once 127.0.0.1:`port` accepts a connection; gives up after about 5 s of refusals.
 *
 * @param port The port.
 * @param onGiveUp Runs before the last refusal is thrown (stop the program, remove its files).
 * @throws The last connect error, after `onGiveUp`.
 */
export async function untilAccepting(
  port: number,
  onGiveUp: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  for (let tries = 0;; tries++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (error) {
      if (tries > 500) {
        await onGiveUp();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
