/**
 * A flashlight process run twice side by side: one twin's stdout is read, the other's is a pipe
 * nobody reads. Given the same work, the two differ only in what a stalled output costs.
 *
 * @module
 */
import { lineReader, spawnFlashlight } from "./flashlight_process.ts";
import { type ProcessMemory, processMemory } from "./process_memory.ts";

/** Which twin. */
export type Twin = "read" | "stalled";

/** Two running twins. */
export interface StalledTwins {
  /** The twin whose stdout is read (and thrown away). */
  readonly read: Deno.ChildProcess;
  /** The twin whose stdout nobody reads. */
  readonly stalled: Deno.ChildProcess;
  /** Each twin's stdout up to the ready text (its ports, for a stand). */
  readonly heads: Readonly<Record<Twin, string>>;
  /** The stalled twin's stderr lines so far. */
  readonly said: readonly string[];
  /**
   * Resolves once the stalled twin said a line that includes `text` on stderr; rejects if its
   * stderr ends first.
   */
  saying(text: string): Promise<void>;
  /** Both twins' memory now. */
  memory(): Promise<Record<Twin, ProcessMemory>>;
  /** Sends both SIGTERM and waits for their ends; resolves with their exit codes. */
  stop(): Promise<Record<Twin, number>>;
}

/**
 * Starts the read twin, waits for `ready` on its stdout, then does the same for the stalled twin
 * (so a server sees the read twin's connection first), and from then on reads only the read
 * twin's stdout.
 * @param args Each twin's arguments after `main.ts`.
 * @param ready Text on stdout that says a twin is ready (e.g. its last `listening` line).
 * @returns The twins.
 * @example
 * ```ts ignore
 * import { startStalledTwins } from "./stalled_twins.ts";
 * const twins = await startStalledTwins(() => ["serve", "--api-port=0", "--log=json"], '"web"');
 * console.log(await twins.memory());
 * await twins.stop();
 * ```
 */
export async function startStalledTwins(
  args: (twin: Twin) => string[],
  ready: string,
): Promise<StalledTwins> {
  const read = spawnFlashlight(args("read"));
  const readHead = await readUntil(read.stdout, ready);
  const stalled = spawnFlashlight(args("stalled"));
  const stalledHead = await readUntil(stalled.stdout, ready);
  const reading = read.stdout.pipeTo(new WritableStream());
  const readStderr = new Response(read.stderr).text();
  const said: string[] = [];
  let waiting: { text: string; said: PromiseWithResolvers<void> }[] = [];
  const stderr = (async () => {
    const lines = lineReader(stalled.stderr);
    for (let line = await lines.read(); !line.done; line = await lines.read()) {
      const text = line.value;
      said.push(text);
      for (const wait of waiting) if (text.includes(wait.text)) wait.said.resolve();
      waiting = waiting.filter((wait) => !text.includes(wait.text));
    }
    for (const wait of waiting) wait.said.reject(new Error(`stderr ended without ${wait.text}`));
  })();
  return {
    read,
    stalled,
    heads: { read: readHead, stalled: stalledHead },
    said,
    saying(text) {
      if (said.some((line) => line.includes(text))) return Promise.resolve();
      const wait = { text, said: Promise.withResolvers<void>() };
      waiting.push(wait);
      return wait.said.promise;
    },
    memory: async () => ({
      read: await processMemory(read.pid),
      stalled: await processMemory(stalled.pid),
    }),
    async stop() {
      for (const child of [read, stalled]) child.kill("SIGTERM");
      const [readStatus, stalledStatus] = await Promise.all([read.status, stalled.status]);
      await Promise.all([reading, readStderr, stderr]);
      await stalled.stdout.cancel();
      return { read: readStatus.code, stalled: stalledStatus.code };
    },
  };
}

/** Reads a stdout (raw chunks, nothing piped in between) until `text`, then lets go of it. */
async function readUntil(stdout: ReadableStream<Uint8Array>, text: string): Promise<string> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stdout ended before ${JSON.stringify(text)}:\n${seen}`);
    seen += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return seen;
}
