/**
 * A stand on free ports for tests, with its log events recorded.
 *
 * @module
 */
import type { LogRecord } from "../../src/log/log_line.ts";
import { type Stand, startStand } from "../../src/stand/stand.ts";
import { type StandOptions, standOptions } from "../../src/stand/stand_options.ts";
import { EventRecorder } from "./event_recorder.ts";

/** A running test stand and what it logged; `await using` closes it. */
export interface TestStand extends AsyncDisposable {
  /** The stand. */
  readonly stand: Stand;
  /** Its log events. */
  readonly log: EventRecorder<LogRecord>;
  /** The API's base URL. */
  readonly api: string;
  /** The web page's base URL. */
  readonly web: string;
}

/**
 * Starts a stand on 127.0.0.1 with every port chosen by the OS.
 * @param options Overrides.
 * @returns The stand, its log and URLs.
 */
export async function startTestStand(options: Partial<StandOptions> = {}): Promise<TestStand> {
  const log = new EventRecorder<LogRecord>();
  const stand = await startStand(standOptions({
    lampPort: 0,
    apiPort: 0,
    webPort: 0,
    closeTimeoutMs: 2000,
    log: log.onEvent,
    ...options,
  }));
  return {
    stand,
    log,
    api: `http://127.0.0.1:${stand.ports.api}`,
    web: `http://127.0.0.1:${stand.ports.web}`,
    [Symbol.asyncDispose]: () => stand.close(),
  };
}

/**
 * Posts a JSON body (or raw text) to the API.
 * @param url The API URL.
 * @param body An object (sent as JSON) or a string (sent as is).
 * @param init Extra request options (a `client` of its own, too).
 * @returns The status and parsed answer.
 */
export async function postApi(
  url: string,
  body: unknown,
  init: RequestInit & { client?: Deno.HttpClient } = {},
): Promise<{ status: number; answer: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, answer: await response.json() };
}

/** A WebSocket client that records the messages it receives; `await using` closes it. */
export class TestBrowser implements AsyncDisposable {
  /** The socket. */
  readonly socket: WebSocket;
  /** Messages received, parsed. */
  readonly messages: EventRecorder<{ event: string; [key: string]: unknown }>;

  /** @param url The `ws://…/ws` URL. */
  constructor(url: string) {
    this.messages = new EventRecorder();
    this.socket = new WebSocket(url);
    this.socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      this.messages.onEvent({ event: message.type, ...message });
    };
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.addEventListener("close", resolve));
    this.socket.close();
    await closed;
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
