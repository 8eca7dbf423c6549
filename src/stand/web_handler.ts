/**
 * The web side (port 8888): the page, its script, the WebSocket that streams frames to it and
 * takes its button presses, and `/lamp`, where lamps connect over WebSocket (through proxies that
 * pass only HTTP) to be lamps like any other.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import { checkToken, sameSecret, socketToken, WS_PROTOCOL } from "./access.ts";
import { ApiError } from "./api_error.ts";
import { parseCommandJson, toApiError } from "./api_handler.ts";
import type { BrowserHub } from "./browser_hub.ts";
import { isSameOriginOrNone } from "./json_response.ts";
import type { BrowserMessage } from "./page/messages.ts";
import { pageHtml } from "./page/page_html.ts";
import { PAGE_SCRIPT } from "./page/page_script.ts";
import type { Routes } from "./route_table.ts";
import type { SendResult } from "../commands/send_result.ts";
import { upgradeWebSocket } from "./server/websocket.ts";
import type { LampSide } from "./lamp_side.ts";
import { lampRoute } from "./lamp_route.ts";

/** What the web side needs from the stand. */
export interface WebContext {
  /** The command table. */
  readonly table: CommandTable;
  /** The connected browsers. */
  readonly browsers: BrowserHub;
  /** Sends a checked command to every lamp (through the broker). */
  send(outgoing: OutgoingCommand): Promise<SendResult>;
  /** The first message a browser gets: state, counts, recent frames. */
  hello(): BrowserMessage;
  /** Largest WebSocket message accepted, in bytes. */
  readonly messageLimit: number;
  /** Reports a refused message. */
  onError(error: ApiError, request: Request): void;
  /** The token the WebSocket must offer (none: no authentication). */
  readonly token?: string;
  /** The lamp side, which takes WebSocket lamps as its own. */
  readonly lamps: Pick<LampSide, "admit">;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function asset(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, ...SECURITY_HEADERS },
  });
}

function openSocket(request: Request, context: WebContext): Response {
  const offered = request.headers.get("sec-websocket-protocol")?.split(",").map((p) => p.trim()) ??
    [];
  const { socket, response } = upgradeWebSocket(request, {
    maxMessageBytes: context.messageLimit,
    ...(offered.includes(WS_PROTOCOL) ? { protocol: WS_PROTOCOL } : {}),
  });
  socket.addEventListener("open", () => {
    context.browsers.add(socket);
    context.browsers.send(socket, context.hello());
  });
  socket.addEventListener("message", async (event) => {
    try {
      if (typeof event.data !== "string" || event.data.length > context.messageLimit) {
        throw new ApiError(
          413,
          `messages must be JSON text of at most ${context.messageLimit} bytes`,
        );
      }
      const outgoing = parseCommandJson(new TextEncoder().encode(event.data), context.table);
      context.browsers.send(socket, { type: "result", ...await context.send(outgoing) });
    } catch (error) {
      const refusal = toApiError(error);
      context.onError(refusal, request);
      context.browsers.send(socket, {
        type: "error",
        status: refusal.status,
        error: refusal.message,
      });
    }
  });
  return response;
}

/**
 * The web port's routes.
 *
 * @param context The stand's side.
 * @returns The route table's entries.
 * @example
 * ```ts ignore
 * import { webRoutes } from "./web_handler.ts";
 * const routes = webRoutes(context);
 * ```
 */
export function webRoutes(context: WebContext): Routes {
  const page = pageHtml(context.token !== undefined);
  return {
    "/": { GET: () => asset(page, "text/html") },
    // The page checks a token here (in a header, never the URL) before it opens its WebSocket.
    "/auth": {
      GET: (request) => {
        checkToken(request, context.token);
        return new Response(null, { status: 204, headers: SECURITY_HEADERS });
      },
    },
    "/app.js": { GET: () => asset(PAGE_SCRIPT, "text/javascript") },
    "/favicon.ico": { GET: () => new Response(null, { status: 204, headers: SECURITY_HEADERS }) },
    "/lamp": {
      GET: lampRoute({ token: context.token, admit: (lamp) => context.lamps.admit(lamp) }),
    },
    "/ws": {
      GET: (request, url) => {
        if (!isSameOriginOrNone(request, url)) {
          throw new ApiError(403, "WebSocket from another site refused");
        }
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          throw new ApiError(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
        }
        const token = socketToken(request);
        if (
          context.token !== undefined && (token === undefined || !sameSecret(token, context.token))
        ) {
          throw new ApiError(401, token === undefined ? "this stand needs a token" : "wrong token");
        }
        return openSocket(request, context);
      },
    },
  };
}
