/**
 * The web side (port 8888): the page, its script, and the WebSocket that streams frames to it
 * and takes its button presses.
 *
 * @module
 */
import type { CommandTable } from "../commands/command_table.ts";
import { ApiError } from "./api_error.ts";
import { parseCommandJson, toApiError } from "./api_handler.ts";
import type { OutgoingCommand } from "../commands/outgoing_command.ts";
import type { BrowserHub, BrowserMessage } from "./browser_hub.ts";
import { isSameOriginOrNone, jsonResponse } from "./json_response.ts";
import { PAGE_HTML } from "./page/page_html.ts";
import { PAGE_SCRIPT } from "./page/page_script.ts";
import type { SendResult } from "./stand_core.ts";
import { upgradeWebSocket } from "./server/websocket.ts";

/** What the web handler needs from the stand. */
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
  /** Reports a refused request or message. */
  onError(error: ApiError, request: Request): void;
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
  const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: context.messageLimit });
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
 * Builds the web port's request handler.
 *
 * @param context The stand's side.
 * @returns A handler for `Deno.serve`.
 * @example
 * ```ts ignore
 * import { createWebHandler } from "./web_handler.ts";
 * Deno.serve({ port: 8888 }, createWebHandler(context));
 * ```
 */
export function createWebHandler(context: WebContext): (request: Request) => Response {
  return (request) => {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return jsonResponse(405, { ok: false, error: `${request.method} not allowed` }, {
        allow: "GET",
      });
    }
    switch (pathname) {
      case "/":
        return asset(PAGE_HTML, "text/html");
      case "/app.js":
        return asset(PAGE_SCRIPT, "text/javascript");
      case "/ws":
        if (!isSameOriginOrNone(request)) {
          const refusal = new ApiError(403, "WebSocket from another site refused");
          context.onError(refusal, request);
          return jsonResponse(403, { ok: false, error: refusal.message });
        }
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return jsonResponse(426, { ok: false, error: "expected a WebSocket upgrade" });
        }
        return openSocket(request, context);
      default:
        return jsonResponse(404, { ok: false, error: `no such path: ${pathname}` });
    }
  };
}
