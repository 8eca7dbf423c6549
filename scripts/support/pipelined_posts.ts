/**
 * Many API commands as fast as a stand takes them: one request after another on keep-alive
 * connections, a few unanswered at a time, each its own request (and so its own log batch).
 *
 * @module
 */

/** Requests sent on one connection before a fresh one (under the stand's per-connection cap). */
const PER_CONNECTION = 500;
/** Requests sent ahead of their answers. */
const AHEAD = 16;

/**
 * Posts `bodies(i)` for `i` from 0 to `count - 1` to `http://127.0.0.1:PORT/`, in order, and
 * checks that each is answered 200.
 * @param port The API port.
 * @param count How many requests.
 * @param body The JSON body of request `i`.
 * @example
 * ```ts ignore
 * import { postPipelined } from "./pipelined_posts.ts";
 * const color = (i: number) => ({ method: "message", params: { command: "COLOR", value: i.toString(16).padStart(6, "0") } });
 * await postPipelined(8080, 1000, color);
 * ```
 */
export async function postPipelined(
  port: number,
  count: number,
  body: (i: number) => unknown,
): Promise<void> {
  for (let first = 0; first < count; first += PER_CONNECTION) {
    const requests = [];
    for (let i = first; i < Math.min(count, first + PER_CONNECTION); i++) {
      const text = JSON.stringify(body(i));
      requests.push(
        new TextEncoder().encode(
          `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${new TextEncoder().encode(text).length}\r\n\r\n${text}`,
        ),
      );
    }
    await onOneConnection(port, requests);
  }
}

/** Sends `requests` on one connection, at most {@linkcode AHEAD} unanswered, reading answers. */
async function onOneConnection(port: number, requests: Uint8Array[]): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let answered = 0;
  let answer = Promise.withResolvers<void>();
  const reading = (async () => {
    const buffer = new Uint8Array(64 * 1024);
    const decoder = new TextDecoder();
    let text = "";
    while (answered < requests.length) {
      const read = await conn.read(buffer);
      if (read === null) throw new Error(`closed after ${answered} of ${requests.length} answers`);
      text += decoder.decode(buffer.subarray(0, read));
      for (;;) {
        const at = text.indexOf("HTTP/1.1 ");
        if (at < 0 || at + 12 > text.length) break; // (the rest of it comes with the next read)
        if (!text.startsWith("200", at + 9)) {
          throw new Error(`answer ${answered}: ${text.slice(at, at + 300)}`);
        }
        text = text.slice(at + 12);
        answered++;
      }
      answer.resolve();
    }
  })();
  try {
    for (let sent = 0; sent < requests.length; sent++) {
      while (sent - answered >= AHEAD) {
        answer = Promise.withResolvers<void>();
        await Promise.race([answer.promise, reading]);
      }
      let written = 0;
      while (written < requests[sent].length) {
        written += await conn.write(requests[sent].subarray(written));
      }
    }
    await reading;
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
  }
}
