/**
 * The browsers watching the stand: every frame sent to lamps is pushed to each as JSON.
 *
 * @module
 */
import type { ServerWebSocket } from "./server/websocket.ts";

import type { BrowserMessage } from "./page/messages.ts";

/**
 * Keeps the open WebSockets and pushes messages to all of them. A browser that stops reading
 * (its unsent bytes pass the limit) is closed so it cannot stall the others or grow memory.
 *
 * @example
 * ```ts ignore
 * import { BrowserHub } from "./browser_hub.ts";
 * const hub = new BrowserHub(1 << 20, (count) => console.log(count));
 * hub.broadcast({ type: "count", lamps: 3, browsers: 1 });
 * ```
 */
export class BrowserHub {
  #sockets = new Set<ServerWebSocket>();
  #limit: number;
  #onCountChange: (count: number) => void;

  /**
   * A hub with no browser yet.
   * @param limit Unsent bytes a browser may have before it is closed.
   * @param onCountChange Called with the new count when a browser comes or goes.
   */
  constructor(limit: number, onCountChange: (count: number) => void) {
    this.#limit = limit;
    this.#onCountChange = onCountChange;
  }

  /** How many browsers are connected. */
  get count(): number {
    return this.#sockets.size;
  }

  /**
   * Adds an open socket (removed again when it closes).
   * @param socket The WebSocket, already open.
   */
  add(socket: ServerWebSocket): void {
    this.#sockets.add(socket);
    socket.addEventListener("close", () => {
      if (this.#sockets.delete(socket)) this.#onCountChange(this.#sockets.size);
    });
    this.#onCountChange(this.#sockets.size);
  }

  /**
   * Sends a message to one browser, closing it if it is not keeping up.
   * @param socket The browser.
   * @param message The message.
   */
  send(socket: ServerWebSocket, message: BrowserMessage): void {
    this.#sendText(socket, JSON.stringify(message));
  }

  /**
   * Sends a message to every browser (serialized once).
   * @param message The message.
   */
  broadcast(message: BrowserMessage): void {
    if (this.#sockets.size === 0) return;
    const text = JSON.stringify(message);
    for (const socket of this.#sockets) this.#sendText(socket, text);
  }

  #sendText(socket: ServerWebSocket, text: string): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > this.#limit) {
      // Not reading: forget it now (its close handshake may never finish) and close it.
      if (this.#sockets.delete(socket)) this.#onCountChange(this.#sockets.size);
      socket.close(1008, "not reading");
      return;
    }
    socket.send(text);
  }

  /** Closes every browser connection ("going away"). */
  close(): void {
    for (const socket of this.#sockets) socket.close(1001, "stand shutting down");
  }
}
