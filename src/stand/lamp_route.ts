/**
 * `/lamp`: where lamps connect over WebSocket (through proxies that pass only HTTP) to be lamps
 * like any other. Served on the web port by the thread that accepted the connection: the main
 * thread, or a lamp worker.
 *
 * @module
 */
import { WebSocketConn } from "../net/websocket_conn.ts";
import { checkToken } from "./access.ts";
import { ApiError } from "./api_error.ts";
import { isSameOriginOrNone } from "./json_response.ts";
import type { LampConnection } from "./lamp_peer.ts";
import type { RouteHandler } from "./route_table.ts";
import { claimUpgrade } from "./server/http_upgrade.ts";
import { BorrowedConn } from "./server/lent_conn.ts";
import { websocketHandshake } from "./server/websocket.ts";

/** Whom `/lamp` admits, and where its lamps go. */
export interface LampRouteContext {
  /** The token a lamp must send as `Authorization: Bearer` (none: no authentication). */
  readonly token?: string;
  /**
   * Takes a lamp whose `101` is out, as one of the lamp side's.
   * @returns Whether it was taken (`false`: the lamp budget is spent).
   */
  admit(lamp: LampConnection): boolean;
}

/**
 * The `GET /lamp` handler: refuses a lamp WebSocket from a web page of another site (403), a
 * request that is no WebSocket upgrade (426) and a missing or wrong token (401); otherwise
 * answers `101` and hands the lamp over. From then on it is a lamp like any other, in the lamp
 * budget, no more in the web port's; over the lamp budget, it is closed at once with 1013 (try
 * again later).
 *
 * @param context The token, and where lamps go.
 * @returns The handler.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { lampRoute } from "./lamp_route.ts";
 * const route = lampRoute({ admit: () => true });
 * const plain = new Request("http://x/lamp");
 * assertThrows(() => route(plain, new URL(plain.url)), Error, "over WebSocket");
 * ```
 */
export function lampRoute(context: LampRouteContext): RouteHandler {
  return (request, url) => {
    if (!isSameOriginOrNone(request, url)) {
      throw new ApiError(403, "a lamp WebSocket from a web page of another site refused");
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "lamps connect here over WebSocket: ws:// or wss://", {
        upgrade: "websocket",
      });
    }
    checkToken(request, context.token);
    const response = websocketHandshake(request);
    claimUpgrade(request, response, async (conn, head) => {
      if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
      // Lent by a lamp worker (after another request on it): out of the worker's web budget too.
      if (conn instanceof BorrowedConn) conn.leave();
      const lamp = new WebSocketConn(conn, head, "server");
      if (!context.admit(lamp)) await lamp.end(1013, "the stand has no room for another lamp");
    });
    return response;
  };
}
