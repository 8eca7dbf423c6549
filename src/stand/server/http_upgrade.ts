/**
 * The hand-over of a connection from HTTP to another protocol (WebSocket) after a `101`
 * response, or, unanswered, to another server (a thread that serves the request): the server
 * offers it for each request, the protocol or the relay claims it with its response.
 *
 * @module
 */

/**
 * A claimed connection's place in its port's budget, as the server that claimed it keeps it: for a
 * connection handed on unanswered, the server it goes to says what it does with it, so a full
 * port sheds it as that server's own would be (see `accept_loop.ts`).
 */
export interface ConnPlace {
  /** Idle (waiting for a request or the rest of its head), or working on one. */
  idle(idle: boolean): void;
  /** Upgraded to another protocol (a WebSocket) for as long as it lasts. */
  upgraded(): void;
}

/**
 * Runs the new protocol on the connection; resolves when it is over. `head` holds the bytes the
 * client sent after the request (already read by the server); `signal` aborts when the server
 * closes; `place` is the connection's place in the port's budget (marked upgraded already after
 * a `101`; for a connection claimed unanswered, working on its request until the handler says).
 */
export type UpgradeHandler = (
  conn: Deno.Conn,
  head: Uint8Array,
  signal: AbortSignal,
  place: ConnPlace,
) => Promise<void>;

/** A request's offer to hand its connection over, and the claim, once made. */
export interface UpgradeOffer {
  /** Whether the request asked for another protocol (`GET` with an `Upgrade` header). */
  readonly upgradable: boolean;
  /** The response that completes the upgrade, once claimed. */
  response?: Response;
  /** What runs the connection afterwards, once claimed. */
  handler?: UpgradeHandler;
  /**
   * Claimed unanswered: the server writes nothing and gives the handler the request's head as
   * received, then every byte after it.
   */
  unanswered?: boolean;
}

const offers = new WeakMap<Request, UpgradeOffer>();

/**
 * Marks a request as able to take over its connection (the server does this for every request;
 * an upgrade is offered to `GET` requests with an `Upgrade` header).
 *
 * @param request The request given to the handler.
 * @param upgradable Whether the request asked for another protocol.
 * @returns The offer, to check after the handler answered.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { claimUpgrade, offerUpgrade } from "./http_upgrade.ts";
 * const request = new Request("http://x/ws");
 * const offer = offerUpgrade(request, true);
 * const response = new Response(null, { status: 101 });
 * claimUpgrade(request, response, () => Promise.resolve());
 * assertEquals(offer.response, response);
 * ```
 */
export function offerUpgrade(request: Request, upgradable: boolean): UpgradeOffer {
  const offer: UpgradeOffer = { upgradable };
  offers.set(request, offer);
  return offer;
}

/**
 * Claims a request's connection: once the handler returns `response`, the server writes it and
 * runs `handler` on the connection instead of reading more requests.
 *
 * @param request The request from the server.
 * @param response The `101` response the handler will return.
 * @param handler What runs the connection afterwards.
 * @throws {TypeError} When the request did not come from this server with an `Upgrade` header,
 *   or was claimed already.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { claimUpgrade } from "./http_upgrade.ts";
 * assertThrows(() => claimUpgrade(new Request("http://x/"), new Response(), async () => {}));
 * ```
 */
export function claimUpgrade(
  request: Request,
  response: Response,
  handler: UpgradeHandler,
): void {
  const offer = offers.get(request);
  if (!offer?.upgradable) {
    throw new TypeError("this request cannot be upgraded (not from the HTTP server)");
  }
  if (offer.response) throw new TypeError("this request was upgraded already");
  offer.response = response;
  offer.handler = handler;
}

/**
 * Claims a request's connection without answering it, to hand the request on (to a server on
 * another thread): once the handler returns the response this gives, the server writes nothing
 * and runs `handler` with the request's head (as parsed, written out again) and every byte the
 * client sent after it, its body included.
 *
 * @param request The request from the server, its body not read.
 * @param handler What serves the connection from then on.
 * @returns The response the request's handler returns (never written).
 * @throws {TypeError} When the request did not come from this server, or was claimed already.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { claimConnection, offerUpgrade } from "./http_upgrade.ts";
 * const request = new Request("http://x/");
 * const offer = offerUpgrade(request, false);
 * const response = claimConnection(request, () => Promise.resolve());
 * assertEquals([offer.response, offer.unanswered], [response, true]);
 * ```
 */
export function claimConnection(request: Request, handler: UpgradeHandler): Response {
  const offer = offers.get(request);
  if (!offer) throw new TypeError("this request cannot be handed on (not from the HTTP server)");
  if (offer.response) throw new TypeError("this request was claimed already");
  offer.response = new Response(null, { status: 204 });
  offer.handler = handler;
  offer.unanswered = true;
  return offer.response;
}
