/**
 * Drains a child's output in the background (a full pipe would stall the child), counts its
 * lines and tells when a piece of text has appeared, without keeping the whole output.
 *
 * @module
 */

const KEEP = 256; // characters kept from the previous chunk, so a match may straddle two

/** Watches one output stream. */
export class OutputWatch {
  /** Newlines seen so far. */
  lines = 0;
  /** Resolves when the stream ends. */
  readonly ended: Promise<void>;
  #tail = "";
  #waiting: { text: string; resolve: (at: number) => void }[] = [];
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  /** @param stream The output, e.g. `child.stdout`. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
    this.ended = this.#drain();
  }

  /**
   * Resolves with `performance.now()` at the read in which `text` appears, or rejects if the
   * stream ends first. Text is looked for only while someone waits: call it before the output
   * can hold the text.
   * @param text What to wait for (at most 256 characters).
   * @returns The time it was read.
   */
  until(text: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ text, resolve });
      this.ended.then(() => reject(new Error(`output ended before ${JSON.stringify(text)}`)));
    });
  }

  async #drain(): Promise<void> {
    const decoder = new TextDecoder("latin1");
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) return;
        const now = performance.now();
        for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) this.lines++;
        if (this.#waiting.length === 0) {
          this.#tail = "";
          continue;
        }
        const text = this.#tail + decoder.decode(value);
        this.#waiting = this.#waiting.filter((wait) => {
          if (!text.includes(wait.text)) return true;
          wait.resolve(now);
          return false;
        });
        this.#tail = text.slice(-KEEP);
      }
    } catch {
      // cancelled, or the child's pipe broke: the output has ended either way
    }
  }
}
