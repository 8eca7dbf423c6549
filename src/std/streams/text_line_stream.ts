/**
 * Local stand-in for `jsr:@std/streams/text-line-stream` (JSR is unreachable here).
 *
 * @module
 */

/** Options for {@linkcode TextLineStream}. */
export interface TextLineStreamOptions {
  /**
   * Also end a line at a lone `\r`.
   *
   * @default {false}
   */
  allowCR?: boolean;
}

/**
 * Splits a stream of text into lines at `\n` or `\r\n` (and at a lone `\r` with `allowCR`), as
 * `@std/streams/text-line-stream` does: lines are emitted without their ending, a last line without
 * one is emitted at the end as it is (a trailing `\r` kept unless `allowCR`), and no empty line
 * follows a final newline.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { TextLineStream } from "@std/streams/text-line-stream";
 * const lines = ReadableStream.from(["a\nb", "\r\nc"]).pipeThrough(new TextLineStream());
 * assertEquals(await Array.fromAsync(lines), ["a", "b", "c"]);
 * ```
 */
export class TextLineStream extends TransformStream<string, string> {
  #rest = "";

  /**
   * Creates the splitter.
   *
   * @param options Whether a lone `\r` ends a line.
   */
  constructor(options: TextLineStreamOptions = { allowCR: false }) {
    const ending = options.allowCR ? /\r\n|\n|\r(?!$)/g : /\r?\n/g;
    super({
      transform: (chunk, controller) => {
        const text = this.#rest + chunk;
        let start = 0;
        ending.lastIndex = 0;
        for (let match; (match = ending.exec(text)) !== null;) {
          controller.enqueue(text.slice(start, match.index));
          start = ending.lastIndex;
        }
        this.#rest = text.slice(start);
      },
      flush: (controller) => {
        if (this.#rest === "") return;
        const last = options.allowCR && this.#rest.endsWith("\r")
          ? this.#rest.slice(0, -1)
          : this.#rest;
        controller.enqueue(last);
      },
    });
  }
}
