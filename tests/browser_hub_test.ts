/**
 * The browsers' hub on its own: a browser that stops reading is closed at its own small limit, not
 * at the lamps' queue limit.
 */
import { assertEquals } from "@std/assert";
import { BrowserHub } from "../src/stand/browser_hub.ts";
import type { ServerWebSocket } from "../src/stand/server/websocket.ts";
import { standOptions } from "../src/stand/stand_options.ts";

/** A socket whose peer never reads: everything sent stays buffered. */
class UnreadSocket extends EventTarget {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  closedWith: number | null = null;
  send(data: string): void {
    this.bufferedAmount += data.length;
  }
  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = WebSocket.CLOSING;
  }
}

Deno.test("a browser that never reads is closed past 64 KiB unsent, though a lamp may queue 1 MiB", () => {
  const options = standOptions({});
  assertEquals([options.queueLimit, options.browserQueueLimit], [1 << 20, 64 * 1024]);
  const counts: number[] = [];
  const hub = new BrowserHub(options.browserQueueLimit, (count) => counts.push(count));
  const socket = new UnreadSocket();
  hub.add(socket as unknown as ServerWebSocket);
  const message = { type: "count", lamps: 1, browsers: 1 } as const;
  let sent = 0;
  while (socket.closedWith === null && sent < 100_000) {
    hub.broadcast(message);
    sent++;
  }
  assertEquals(socket.closedWith, 1008);
  const size = JSON.stringify(message).length;
  assertEquals(
    socket.bufferedAmount,
    Math.ceil((64 * 1024 + 1) / size) * size,
    "closed at the bound",
  );
  assertEquals([counts, hub.count], [[1, 0], 0]);
});
