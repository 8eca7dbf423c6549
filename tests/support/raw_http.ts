/**
 * A raw HTTP/1.1 client over a real socket, for requests no well-behaved client sends.
 *
 * @module
 */

/** A client connection that reads what the server sends as text (one char per byte). */
export class RawClient {
  /** The connection. */
  readonly conn: Deno.Conn;
  /** Everything received so far. */
  received = "";
  #ended = false;

  /** @param conn A connected socket (TCP or TLS). */
  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /**
   * Connects to 127.0.0.1.
   * @param port The port.
   * @returns The client.
   */
  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /**
   * Sends text (latin1) or bytes.
   * @param data What to send.
   */
  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string"
      ? Uint8Array.from(data, (char) => char.charCodeAt(0))
      : data;
    let written = 0;
    while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
  }

  /**
   * Reads until `match` holds for what was received, or the server ends the connection.
   * @param match The condition on everything received.
   * @returns Everything received.
   */
  async readUntil(match: (received: string) => boolean): Promise<string> {
    const buffer = new Uint8Array(65536);
    while (!match(this.received) && !this.#ended) {
      let count: number | null;
      try {
        count = await this.conn.read(buffer);
      } catch {
        count = null; // a reset ends it too
      }
      if (count === null) {
        this.#ended = true;
        break;
      }
      for (let i = 0; i < count; i += 8192) {
        this.received += String.fromCharCode(...buffer.subarray(i, Math.min(count, i + 8192)));
      }
    }
    return this.received;
  }

  /**
   * Reads until `count` whole responses have arrived (or the server ends the connection).
   * @param count How many responses.
   * @returns Everything received.
   */
  readResponses(count: number): Promise<string> {
    return this.readUntil((text) => {
      try {
        return splitResponses(text).length >= count;
      } catch {
        return false;
      }
    });
  }

  /**
   * Reads until the server ends the connection.
   * @returns Everything received.
   */
  readToEnd(): Promise<string> {
    return this.readUntil(() => false);
  }

  /** Whether the server ended the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Splits what a server sent into responses (head and body), using `content-length` or chunked
 * framing.
 * @param text Everything received.
 * @param heads Positions of the responses to HEAD requests (no body whatever the length says).
 * @returns The responses in order.
 */
export function splitResponses(
  text: string,
  heads: readonly number[] = [],
): { status: number; headers: [string, string][]; body: string }[] {
  const responses = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers = lines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
    });
    const status = Number(statusLine.split(" ")[1]);
    rest = rest.slice(end + 4);
    const length = headers.find(([name]) => name === "content-length")?.[1];
    let body = "";
    if (headers.some(([name, value]) => name === "transfer-encoding" && value === "chunked")) {
      for (;;) {
        const lineEnd = rest.indexOf("\r\n");
        const size = parseInt(rest.slice(0, lineEnd), 16);
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
        if (size === 0) break;
      }
    } else if (length !== undefined && status !== 100 && !heads.includes(responses.length)) {
      body = rest.slice(0, Number(length));
      rest = rest.slice(Number(length));
    }
    responses.push({ status, headers, body });
  }
  return responses;
}

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
