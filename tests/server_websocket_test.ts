/**
 * The stand's WebSocket: the frame codec table-driven, then the socket over real connections
 * with Deno's own WebSocket client, hand-built frames, and Chromium.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { type ServerWebSocket, upgradeWebSocket } from "../src/stand/server/websocket.ts";
import { websocketAccept } from "../src/net/websocket_accept.ts";
import {
  encodeFrame,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  WebSocketProtocolError,
} from "../src/net/websocket_frame.ts";
import { launchChromium } from "../scripts/support/browser.ts";
import { clientFrame, closeCode, openRawWebSocket, serverFrames } from "./support/raw_websocket.ts";

Deno.test("websocketAccept gives RFC 6455's example answer", () => {
  assertEquals(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("parseFrameHeader reads every length form and refuses what a client may not send", () => {
  const header = (bytes: Uint8Array) => {
    const parsed = parseFrameHeader(bytes);
    return parsed && [parsed.fin, parsed.opcode, parsed.length, parsed.headerLength];
  };
  assertEquals(header(clientFrame(Opcode.text, "x".repeat(125))), [true, 1, 125, 6]);
  assertEquals(header(clientFrame(Opcode.binary, "x".repeat(126))), [true, 2, 126, 8]);
  assertEquals(header(clientFrame(Opcode.text, "", { fin: false, length: 70_000 })), [
    false,
    1,
    70_000,
    14,
  ]);
  for (const cut of [1, 3, 5, 9, 13]) {
    assertEquals(
      parseFrameHeader(clientFrame(Opcode.text, "", { length: 70_000 }).subarray(0, cut)),
      null,
    );
  }
  const cases: [Uint8Array, string][] = [
    [clientFrame(Opcode.text, "x", { masked: false }), "not masked"],
    [clientFrame(Opcode.text, "x", { rsv: 4 }), "reserved bits"],
    [clientFrame(0x3, "x"), "unknown opcode 3"],
    [clientFrame(Opcode.ping, "x", { fin: false }), "control frames"],
    [clientFrame(Opcode.ping, "x".repeat(126)), "control frames"],
    [Uint8Array.of(0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4), "over 2^63"],
  ];
  for (const [bytes, message] of cases) {
    const error = assertThrows(() => parseFrameHeader(bytes), WebSocketProtocolError, message);
    assertEquals(error.code, 1002);
  }
});

Deno.test("encodeFrame uses the shortest length form; close payloads are checked", () => {
  assertEquals([...encodeFrame(Opcode.text, new Uint8Array(125)).subarray(0, 2)], [0x81, 125]);
  assertEquals([...encodeFrame(Opcode.text, new Uint8Array(126)).subarray(0, 4)], [
    0x81,
    126,
    0,
    126,
  ]);
  assertEquals(
    [...encodeFrame(Opcode.binary, new Uint8Array(65536)).subarray(0, 10)],
    [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0],
  );
  assertEquals(parseClosePayload(new Uint8Array(0)), { code: 1005, reason: "" });
  const cases: [number[], number][] = [[[3], 1002], [[0x03, 0xed], 1002], [
    [0x03, 0xe8, 0xff],
    1007,
  ]];
  for (const [payload, code] of cases) {
    const error = assertThrows(
      () => parseClosePayload(Uint8Array.from(payload)),
      WebSocketProtocolError,
    );
    assertEquals(error.code, code, String(payload));
  }
});

/** What the server-side sockets saw. */
interface Seen {
  messages: (string | ArrayBuffer)[];
  closes: { code: number; wasClean: boolean }[];
  errors: number;
  sockets: ServerWebSocket[];
  /** Resolves once the server has seen `count` sockets close. */
  closed(count: number): Promise<void>;
}

/** An echo server on a free port, with a 16 KiB message limit. */
function startEcho(): { port: number; seen: Seen; [Symbol.asyncDispose](): Promise<void> } {
  const waiters: { count: number; resolve: () => void }[] = [];
  const seen: Seen = {
    messages: [],
    closes: [],
    errors: 0,
    sockets: [],
    closed: (count) => {
      if (seen.closes.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), (request) => {
    if (request.headers.get("upgrade") === null) {
      return new Response("<!doctype html><title>ws</title>", {
        headers: { "content-type": "text/html" },
      });
    }
    const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: 16384 });
    seen.sockets.push(socket);
    socket.addEventListener("message", (event) => {
      seen.messages.push(event.data);
      socket.send(
        typeof event.data === "string" ? `echo ${event.data}` : new Uint8Array(event.data),
      );
    });
    socket.addEventListener("error", () => seen.errors++);
    socket.addEventListener("close", (event) => {
      seen.closes.push({ code: event.code, wasClean: event.wasClean });
      for (const waiter of waiters) if (seen.closes.length >= waiter.count) waiter.resolve();
    });
    return response;
  });
  return { port: server.addr.port, seen, [Symbol.asyncDispose]: () => server.close() };
}

/** Waits for a WebSocket client's event. */
function once<T extends Event>(socket: WebSocket, type: string): Promise<T> {
  return new Promise((resolve) =>
    socket.addEventListener(type, (event) => resolve(event as T), { once: true })
  );
}

Deno.test("Deno's WebSocket client: text and binary echo, and a clean close both ways", async () => {
  await using server = startEcho();
  const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  client.binaryType = "arraybuffer";
  await once(client, "open");
  client.send("héllo €");
  assertEquals((await once<MessageEvent>(client, "message")).data, "echo héllo €");
  client.send(Uint8Array.of(0, 1, 255));
  assertEquals([...new Uint8Array((await once<MessageEvent>(client, "message")).data)], [
    0,
    1,
    255,
  ]);
  const closed = once<CloseEvent>(client, "close");
  client.close(4000, "done");
  assertEquals([(await closed).code, (await closed).wasClean], [4000, true]);

  const second = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await once(second, "open");
  const secondClosed = once<CloseEvent>(second, "close");
  server.seen.sockets[1].close(1001, "going away");
  const event = await secondClosed;
  assertEquals([event.code, event.reason, event.wasClean], [1001, "going away", true]);
  await server.seen.closed(2);
  assertEquals(server.seen.closes, [{ code: 4000, wasClean: true }, {
    code: 1001,
    wasClean: true,
  }]);
});

Deno.test("48 KB of € (16,000 characters) fails a 16 KiB limit with 1009, counted in bytes", async () => {
  await using server = startEcho();
  const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await once(client, "open");
  const closed = once<CloseEvent>(client, "close");
  client.send("€".repeat(16_000));
  assertEquals((await closed).code, 1009);
  assertEquals(server.seen.messages, []);
});

Deno.test("fragments are joined; fragments passing the limit together close with 1009 before the last arrives", async () => {
  await using server = startEcho();
  const client = await openRawWebSocket(server.port);
  try {
    await client.send(clientFrame(Opcode.text, "ab", { fin: false }));
    await client.send(clientFrame(Opcode.ping, "p"));
    await client.send(clientFrame(Opcode.continuation, "cd"));
    await client.readUntil((text) => serverFrames(text).length === 2);
    const [pong, echo] = serverFrames(client.received);
    assertEquals([pong.opcode, pong.payload], [Opcode.pong, "p"]);
    assertEquals([echo.opcode, echo.payload], [Opcode.text, "echo abcd"]);

    client.received = "";
    await client.send(clientFrame(Opcode.binary, new Uint8Array(10_000), { fin: false }));
    await client.send(clientFrame(Opcode.continuation, "", { length: 10_000, fin: false }));
    const frames = serverFrames(await client.readToEnd());
    assertEquals(frames.map((frame) => [frame.opcode, closeCode(frame)]), [[Opcode.close, 1009]]);
  } finally {
    client.close();
  }
  await server.seen.closed(1);
  assertEquals(server.seen.closes.at(-1), { code: 1009, wasClean: false });
});

Deno.test("protocol violations fail the connection with their close code", async () => {
  await using server = startEcho();
  const cases: [Uint8Array[], number][] = [
    [[clientFrame(Opcode.text, "x", { masked: false })], 1002],
    [[clientFrame(Opcode.text, Uint8Array.of(0xc3, 0x28))], 1007],
    [[clientFrame(Opcode.continuation, "x")], 1002],
    [[clientFrame(Opcode.text, "a", { fin: false }), clientFrame(Opcode.text, "b")], 1002],
    [[clientFrame(Opcode.close, Uint8Array.of(3))], 1002],
    [[clientFrame(0xb)], 1002],
  ];
  for (const [frames, code] of cases) {
    const client = await openRawWebSocket(server.port);
    try {
      for (const frame of frames) await client.send(frame);
      const answer = serverFrames(await client.readToEnd());
      assertEquals(answer.map((frame) => [frame.opcode, closeCode(frame)]), [[Opcode.close, code]]);
    } finally {
      client.close();
    }
  }
  await server.seen.closed(cases.length);
  assertEquals(server.seen.messages, []);
  assertEquals(server.seen.errors, cases.length);
});

Deno.test("the client's close is echoed, then the server closes the TCP connection", async () => {
  await using server = startEcho();
  const client = await openRawWebSocket(server.port);
  try {
    await client.send(clientFrame(Opcode.close, Uint8Array.of(0x0f, 0xa0, 0x6f, 0x6b)));
    const frames = serverFrames(await client.readToEnd());
    assertEquals(frames.map((frame) => [frame.opcode, closeCode(frame)]), [[Opcode.close, 4000]]);
    assert(client.ended);
  } finally {
    client.close();
  }
  await server.seen.closed(1);
  assertEquals(server.seen.closes, [{ code: 4000, wasClean: true }]);
});

Deno.test("bufferedAmount counts what is queued and not yet written, and drains to 0", async () => {
  await using server = startEcho();
  const client = await openRawWebSocket(server.port);
  try {
    await client.send(clientFrame(Opcode.text, "go"));
    await client.readUntil((text) => serverFrames(text).length === 1);
    const socket = server.seen.sockets[0];
    const chunk = "x".repeat(1 << 20);
    for (let i = 0; i < 16; i++) socket.send(chunk);
    assert(socket.bufferedAmount > 8 << 20, `queued: ${socket.bufferedAmount}`);
    let received = 0;
    const buffer = new Uint8Array(1 << 20);
    while (received < 16 * ((1 << 20) + 10)) received += await client.conn.read(buffer) ?? 0;
    assertEquals(socket.bufferedAmount, 0);
  } finally {
    client.close();
  }
});

Deno.test("Chromium: echo over the stand's WebSocket, and 1009 for a message over the limit", async () => {
  const context = await launchChromium();
  if (!context) return;
  await using server = startEcho();
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    const result = await page.evaluate(`new Promise((resolve) => {
      const socket = new WebSocket("ws://127.0.0.1:${server.port}/");
      const seen = [];
      socket.onopen = () => socket.send("from chromium €");
      socket.onmessage = (event) => {
        seen.push(event.data);
        socket.send("€".repeat(16000));
      };
      socket.onclose = (event) => resolve([...seen, event.code]);
    })`);
    assertEquals(result, ["echo from chromium €", 1009]);
    assertEquals(server.seen.messages, ["from chromium €"]);
  } finally {
    await context.close();
  }
});
