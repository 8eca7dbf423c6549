/**
 * Local stand-in for `jsr:@std/streams/text-line-stream` (JSR is unreachable here).
 *
 * @module
 */

/**
 * Splits a stream of text into lines on `\n` (dropping a `\r` before it), like
 * `@std/streams/text-line-stream` with its default options. A last line without a newline is
 * emitted at the end.
 *
 * @example
 * ```ts
 * import { TextLineStream } from "@std/streams/text-line-stream";
 * const lines = ReadableStream.from(["a\nb", "\r\nc"]).pipeThrough(new TextLineStream());
 * await Array.fromAsync(lines); // ["a", "b", "c"]
 * ```
 */
export class TextLineStream extends TransformStream<string, string> {
  #rest = "";

  /** Creates the splitter. */
  constructor() {
    super({
      transform: (chunk, controller) => {
        const lines = (this.#rest + chunk).split("\n");
        this.#rest = lines.pop() ?? "";
        for (const line of lines) {
          controller.enqueue(line.endsWith("\r") ? line.slice(0, -1) : line);
        }
      },
      flush: (controller) => {
        const last = this.#rest.endsWith("\r") ? this.#rest.slice(0, -1) : this.#rest;
        if (last.length > 0) controller.enqueue(last);
      },
    });
  }
}
