/**
 * One HTTP/1.1 request written by hand over TCP, for headers `fetch` will not send as given (a
 * foreign `Host`) and for answers read byte for byte.
 *
 * @module
 */

/** An answer as it came off the wire. */
export interface RawAnswer {
  /** The status code. */
  readonly status: number;
  /** Header lines, names lower-cased (repeated headers kept). */
  readonly headers: readonly [string, string][];
  /** The body as text. */
  readonly body: string;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the final blank line) and an
 * optional body, reads until the server closes, and parses the first answer.
 * @param port The port on 127.0.0.1.
 * @param head The request line and header lines.
 * @param body The body.
 * @returns The answer.
 */
export async function rawRequest(port: number, head: string[], body = ""): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      ...head,
      "Connection: close",
      body ? `Content-Length: ${new TextEncoder().encode(body).length}` : "",
    ]
      .filter(Boolean);
    await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n${body}`));
    const text = await new Response(conn.readable).text();
    const [headText, ...rest] = text.split("\r\n\r\n");
    const [statusLine, ...headerLines] = headText.split("\r\n");
    return {
      status: Number(statusLine.split(" ")[1]),
      headers: headerLines.map((line) => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as [
          string,
          string,
        ];
      }),
      body: rest.join("\r\n\r\n"),
    };
  } catch (error) {
    try {
      conn.close();
    } catch {
      // closed by reading to the end
    }
    throw error;
  }
}
