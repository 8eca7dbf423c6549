/**
 * A WebSocket client's opening handshake (RFC 6455 §4.1): the upgrade request a lamp sends to
 * `ws://host/lamp`, and the stand's answer checked, a refusal said in words. Pure.
 *
 * @module
 */
import type { ResponseHead } from "./read_head.ts";
import { RefusedError } from "./refused_error.ts";
import { websocketAccept } from "./websocket_accept.ts";

/** What the upgrade request carries. */
export interface UpgradeRequest {
  /** The `Host` header: `host[:port]` as the URL names it. */
  readonly host: string;
  /** The path, e.g. `/lamp`. */
  readonly path: string;
  /** The `Sec-WebSocket-Key`: 16 random bytes in base64, fresh for each connection. */
  readonly key: string;
  /** The stand's token, sent as `Authorization: Bearer` (never logged). */
  readonly token?: string;
  /** The `User-Agent`. */
  readonly userAgent: string;
}

/**
 * A fresh `Sec-WebSocket-Key`.
 *
 * @returns 16 random bytes in base64.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { websocketKey } from "./websocket_handshake.ts";
 * assertEquals(atob(websocketKey()).length, 16);
 * ```
 */
export function websocketKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** What an `Authorization: Bearer` header can carry: visible ASCII, nothing to end the line. */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

/**
 * Whether a token can be sent in the upgrade request.
 *
 * @param token The stand's token.
 * @returns `false` for an empty token or one holding a space, a control character (a stray `\r`
 *   from a file) or a character beyond ASCII.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isSendableToken } from "./websocket_handshake.ts";
 * assertEquals([isSendableToken("s3cret-token"), isSendableToken("s3cret\r")], [true, false]);
 * ```
 */
export function isSendableToken(token: string): boolean {
  return TOKEN_TEXT.test(token);
}

/**
 * The upgrade request's head.
 *
 * @param request What it carries.
 * @returns The request head, ending with the blank line.
 * @throws {RangeError} When the token cannot be sent (see {@linkcode isSendableToken}); the
 *   token is not said.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { upgradeRequest } from "./websocket_handshake.ts";
 * const head = upgradeRequest({ host: "stand:8888", path: "/lamp", key: "k", userAgent: "a" });
 * assertStringIncludes(head, "GET /lamp HTTP/1.1\r\nHost: stand:8888\r\n");
 * ```
 */
export function upgradeRequest(request: UpgradeRequest): string {
  if (request.token !== undefined && !isSendableToken(request.token)) {
    throw new RangeError("the token holds a space, a control or a non-ASCII character");
  }
  const lines = [
    `GET ${request.path} HTTP/1.1`,
    `Host: ${request.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${request.key}`,
    "Sec-WebSocket-Version: 13",
    `User-Agent: ${request.userAgent}`,
    ...(request.token === undefined ? [] : [`Authorization: Bearer ${request.token}`]),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * Checks the stand's answer to an upgrade request.
 *
 * @param head The answer's head.
 * @param key The key the request sent.
 * @param where `ws://host:port/path`, for messages.
 * @param withToken Whether the request carried a token.
 * @throws {RefusedError} For any answer but 101, in words: 401 (the token), 403, 404 (no lamp
 *   endpoint there), 421 (a name the stand does not answer to), 426.
 * @throws {Deno.errors.InvalidData} For a 101 that is not a valid WebSocket answer.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkUpgradeReply } from "./websocket_handshake.ts";
 * import { RefusedError } from "./refused_error.ts";
 * const head = { status: 401, reason: "Unauthorized", headers: new Map(), rest: new Uint8Array() };
 * assertThrows(() => checkUpgradeReply(head, "k", "ws://s/lamp", false), RefusedError, "--token");
 * ```
 */
export function checkUpgradeReply(
  head: ResponseHead,
  key: string,
  where: string,
  withToken: boolean,
): void {
  if (head.status !== 101) {
    throw new RefusedError(head.status, upgradeRefusal(head.status, head.reason, where, withToken));
  }
  const upgrade = head.headers.get("upgrade")?.toLowerCase();
  const connection = head.headers.get("connection")?.toLowerCase().split(/\s*,\s*/) ?? [];
  if (upgrade !== "websocket" || !connection.includes("upgrade")) {
    throw new Deno.errors.InvalidData(`${where} answered 101 without upgrading to a WebSocket`);
  }
  if (head.headers.get("sec-websocket-accept") !== websocketAccept(key)) {
    throw new Deno.errors.InvalidData(`${where} answered with a wrong Sec-WebSocket-Accept`);
  }
}

/** A refused upgrade in words a person can act on. */
function upgradeRefusal(status: number, reason: string, where: string, withToken: boolean): string {
  const printable = reason.slice(0, 60).replace(/[^\x20-\x7e]/g, "?");
  const said = `${status}${printable ? ` ${printable}` : ""}`;
  switch (status) {
    case 401:
      return withToken
        ? `the stand refused the token (${said}): check --token or FLASHLIGHT_TOKEN`
        : `the stand needs its token (${said}): give --token or FLASHLIGHT_TOKEN`;
    case 403:
      return `the stand refused this lamp (${said}): it may need a client certificate (--cert, --key)`;
    case 404:
    case 405:
      return `${where} takes no lamps (${said}): give the stand's web port and the path /lamp`;
    case 421:
      return `the stand does not answer to this name (${said}): use a name it allows (serve --allow-host)`;
    case 426:
      return `the stand wants another protocol (${said}): try wss:// for an HTTPS port`;
    default:
      return `${where} refused the WebSocket (${said})`;
  }
}
