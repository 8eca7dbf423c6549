/**
 * The same accept loop and servers over `Deno.listenTls`, with a CA and certificates made by
 * `openssl` at run time: HTTPS, WSS and the lamp port; clients that fail the handshake or never
 * start it do no harm.
 */
import { assert, assertEquals } from "@std/assert";
import { LampHub } from "../src/stand/lamp_hub.ts";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { upgradeWebSocket } from "../src/stand/server/websocket.ts";
import { Opcode } from "../src/stand/server/websocket_frame.ts";
import { requireProgram } from "./support/flashlight_process.ts";
import { RawClient } from "./support/raw_http.ts";
import { clientFrame, serverFrames } from "./support/raw_websocket.ts";
import { createTestPki, type TestPki } from "./support/test_pki.ts";

let pki: TestPki | null = null;
async function testPki(): Promise<TestPki | null> {
  if (!requireProgram("openssl", "openssl")) return null;
  return pki ??= await createTestPki();
}

/** An HTTPS server: `/ws` echoes over WSS, anything else answers with the request's URL. */
function startHttps(tls: TestPki["server"]) {
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls });
  return serveHttp(listener, (request) => {
    if (new URL(request.url).pathname !== "/ws") return new Response(request.url);
    const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: 1024 });
    socket.addEventListener("message", (event) => socket.send(`echo ${event.data}`));
    return response;
  });
}

Deno.test("HTTPS with a private CA: the request URL says https, keep-alive works", async () => {
  const certs = await testPki();
  if (!certs) return;
  const server = startHttps(certs.server);
  const client = Deno.createHttpClient({ caCerts: [certs.ca] });
  try {
    for (const path of ["/a", "/b?c=1"]) {
      const response = await fetch(`https://localhost:${server.addr.port}${path}`, { client });
      assertEquals(await response.text(), `https://localhost:${server.addr.port}${path}`);
    }
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("WSS: the WebSocket runs over TLS like over TCP", async () => {
  const certs = await testPki();
  if (!certs) return;
  const server = startHttps(certs.server);
  const conn = await Deno.connectTls({
    hostname: "localhost",
    port: server.addr.port,
    caCerts: [certs.ca],
  });
  const client = new RawClient(conn);
  try {
    await client.send(
      "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    const head = await client.readUntil((text) => text.includes("\r\n\r\n"));
    assert(head.startsWith("HTTP/1.1 101 "), head);
    client.received = head.slice(head.indexOf("\r\n\r\n") + 4);
    await client.send(clientFrame(Opcode.text, "over tls"));
    await client.readUntil((text) => serverFrames(text).length === 1);
    assertEquals(serverFrames(client.received)[0].payload, "echo over tls");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("a client that fails the handshake or speaks plain HTTP to the TLS port does no harm", async () => {
  const certs = await testPki();
  if (!certs) return;
  const server = startHttps(certs.server);
  const trusting = Deno.createHttpClient({ caCerts: [certs.ca] });
  try {
    const untrusting = await Deno.connectTls({ hostname: "localhost", port: server.addr.port })
      .then((conn) => conn.handshake().finally(() => conn.close()))
      .then(() => "handshake", (error) => error.constructor.name);
    assertEquals(untrusting, "InvalidData", "the client refuses an unknown CA");

    const plain = await RawClient.connect(server.addr.port);
    await plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await plain.readToEnd();
    plain.close();

    const response = await fetch(`https://localhost:${server.addr.port}/ok`, { client: trusting });
    assertEquals(await response.text(), `https://localhost:${server.addr.port}/ok`);
  } finally {
    trusting.close();
    await server.close();
  }
});

Deno.test("the lamp port over TLS: a lamp gets its sync frames", async () => {
  const certs = await testPki();
  if (!certs) return;
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...certs.server });
  const connected = Promise.withResolvers<void>();
  const hub = new LampHub(listener, {
    queueLimit: 1 << 20,
    maxConnections: 10,
    sync: () => [Uint8Array.of(0x12, 0, 0)],
    events: {
      onConnect: () => connected.resolve(),
      onDisconnect: () => {},
      onAcceptError: () => {},
    },
  });
  const lamp = await Deno.connectTls({
    hostname: "localhost",
    port: listener.addr.port,
    caCerts: [certs.ca],
  });
  try {
    await connected.promise;
    const buffer = new Uint8Array(16);
    assertEquals([...buffer.subarray(0, await lamp.read(buffer) ?? 0)], [0x12, 0, 0]);
    hub.broadcast(Uint8Array.of(0x13, 0, 0));
    assertEquals([...buffer.subarray(0, await lamp.read(buffer) ?? 0)], [0x13, 0, 0]);
  } finally {
    const closing = hub.close(1000);
    while (await lamp.read(new Uint8Array(16)).catch(() => null) !== null) { /* to EOF */ }
    lamp.close();
    await closing;
  }
});
