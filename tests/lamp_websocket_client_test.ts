/**
 * The lamp's WebSocket client against a WebSocket server it did not write (Deno.serve's): frames
 * split and batched across binary messages, pings, the token, a clean close, and the same over
 * wss:// with certificates made by openssl and through a real tinyproxy.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { until } from "./support/fleet.ts";
import { startTestLamp } from "./support/test_lamp.ts";
import { Tinyproxy } from "./support/tinyproxy.ts";

const TOKEN = "lamp-token-for-tests";

/** What the server saw of one lamp. */
interface Seen {
  authorization: string | null;
  closeCode?: number;
}

/**
 * A WebSocket server on `/lamp` that sends each lamp COLOR ff0000 split over two messages, then
 * ON and COLOR 00ff00 batched in one, and answers 401 without the token.
 */
function wsServer(tls?: { cert: string; key: string }) {
  const seen: Seen[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    ...tls,
  }, (request) => {
    if (new URL(request.url).pathname !== "/lamp") return new Response("no", { status: 404 });
    const lamp: Seen = { authorization: request.headers.get("authorization") };
    seen.push(lamp);
    if (lamp.authorization !== `Bearer ${TOKEN}`) {
      return new Response("token", { status: 401 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 1 });
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      socket.send(new Uint8Array([0x20, 0x00, 0x03, 0xff]));
      socket.send(new Uint8Array([0x00, 0x00]));
      socket.send(new Uint8Array([0x12, 0, 0, 0x20, 0, 3, 0, 0xff, 0]));
    };
    socket.onclose = (event) => lamp.closeCode = event.code;
    return response;
  });
  return { server, seen, port: server.addr.port };
}

Deno.test("a ws:// lamp applies frames split and batched across binary messages, sends its token, and closes with 1000", async () => {
  const { server, seen, port } = wsServer();
  try {
    const lamp = startTestLamp([], {
      addresses: [{ hostname: "127.0.0.1", port, websocket: "/lamp" }],
      token: TOKEN,
    });
    await until(() => lamp.client.state.color === 0x00ff00);
    assertEquals(lamp.client.state, { on: true, color: 0x00ff00 });
    assertEquals(lamp.client.counts.applied, 3);
    await lamp.client.close();
    await until(() => seen[0].closeCode !== undefined);
    assertEquals(seen[0].closeCode, 1000, "the server saw a clean close");
    assertEquals(seen[0].authorization, `Bearer ${TOKEN}`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a ws:// lamp without the token is refused (401), says to give --token, and retries", async () => {
  const { server, seen, port } = wsServer();
  try {
    await using lamp = startTestLamp([], {
      addresses: [{ hostname: "127.0.0.1", port, websocket: "/lamp" }],
    });
    const failed = await lamp.events.nextNamed("connect_failed");
    assertStringIncludes(String((failed as { reason?: string }).reason), "give --token");
    await until(() => seen.length >= 2); // it tried again
  } finally {
    await server.shutdown();
  }
});

Deno.test("wss:// with a private CA, directly and through tinyproxy's CONNECT", async () => {
  const pki = await createTestPki();
  const { server, port } = wsServer(pki.server);
  const proxied = requireProgram("tinyproxy", "tinyproxy")
    ? await Tinyproxy.start({ connectPorts: [port] })
    : null;
  try {
    for (const proxy of [undefined, ...(proxied ? [proxied.proxy] : [])]) {
      await using lamp = startTestLamp([], {
        addresses: [{ hostname: "localhost", port, tls: true, websocket: "/lamp" }],
        tls: { caCerts: [pki.ca] },
        token: TOKEN,
        proxy: () => proxy,
      });
      await until(() => lamp.client.state.color === 0x00ff00);
    }
    if (proxied) assertStringIncludes(await proxied.log(), `localhost:${port}`);
  } finally {
    await proxied?.[Symbol.asyncDispose]();
    await server.shutdown();
  }
});

Deno.test("a ws:// stand gone silent behind its connection is noticed as on TCP: the idle timeout ends the session", async () => {
  // Upgrades, sends the sync, then nothing: a stand hung, or a proxy that lost it.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => socket.send(new Uint8Array([0x12, 0, 0]));
    return response;
  });
  try {
    await using lamp = startTestLamp([], {
      addresses: [{ hostname: "127.0.0.1", port: server.addr.port, websocket: "/lamp" }],
      idleTimeoutMs: 300,
    });
    const ended = await lamp.events.nextNamed("disconnected", 0);
    assertStringIncludes(String((ended as { reason?: string }).reason), "no data for");
  } finally {
    await server.shutdown();
  }
});
