/**
 * A Lua script run by its SHA-1 (`EVALSHA`), sent in full (`EVAL`) only when Redis does not
 * have it cached yet (a new or restarted Redis answers `NOSCRIPT`).
 *
 * @module
 */
import type { RedisClient } from "./stream_follower.ts";

/** A script and its digest. */
export class LuaScript {
  /** The Lua source. */
  readonly source: string;
  #sha: Promise<string>;
  #known = "";

  /**
   * Loads the script and starts computing its SHA-1 (what EVALSHA names it by).
   * @param source The Lua source.
   */
  constructor(source: string) {
    this.source = source;
    this.#sha = crypto.subtle.digest("SHA-1", new TextEncoder().encode(source)).then((digest) =>
      this.#known = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
        .join("")
    );
  }

  /**
   * Runs the script. Once its digest is known, the command is written at once, behind any command
   * sent just before on the same connection (Redis answers them in that order).
   * @param client A connected client.
   * @param keys The keys it touches.
   * @param args Its arguments.
   * @returns Its reply.
   * @example
   * ```ts ignore
   * import { LuaScript } from "./lua_script.ts";
   * await new LuaScript("return ARGV[1]").run(client, [], ["hello"]); // "hello"
   * ```
   */
  run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const send = (sha: string) =>
      client.sendCommand(["EVALSHA", sha, ...tail]).catch((error: Error) => {
        if (!String(error.message).startsWith("NOSCRIPT")) throw error;
        return client.sendCommand(["EVAL", this.source, ...tail]);
      });
    return this.#known ? send(this.#known) : this.#sha.then(send);
  }
}
