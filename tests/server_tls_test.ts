/**
 * The same accept loop and servers over the stand's TLS listener (`node:tls` on `Deno.listen`), with a CA and certificates made by
 * `openssl` at run time: HTTPS, WSS and the lamp port; clients that fail the handshake or never
 * start it do no harm.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { listenHttp } from "../src/stand/http_listener.ts";
import { LampHub } from "../src/stand/lamp_hub.ts";
import type { LampEvents } from "../src/stand/lamp_side.ts";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { listenTls } from "../src/stand/server/tls_listener.ts";
import { upgradeWebSocket } from "../src/stand/server/websocket.ts";
import { Opcode } from "../src/net/websocket_frame.ts";
import { REPO_ROOT, requireProgram } from "../scripts/support/flashlight_process.ts";
import { RawClient } from "./support/raw_http.ts";
import { until } from "./support/fleet.ts";
import { clientFrame, serverFrames } from "./support/raw_websocket.ts";
import { createTestPki, type TestPki } from "../scripts/support/test_pki.ts";
import { startTestStand } from "./support/test_stand.ts";

let pki: TestPki | null = null;
async function testPki(): Promise<TestPki | null> {
  if (!requireProgram("openssl", "openssl")) return null;
  return pki ??= await createTestPki();
}

/** An HTTPS server: `/ws` echoes over WSS, anything else answers with the request's URL. */
function startHttps(tls: TestPki["server"]) {
  const listener = listenTls({ hostname: "127.0.0.1", port: 0, ...tls });
  const server = serveHttp(listener, (request) => {
    if (new URL(request.url).pathname !== "/ws") return new Response(request.url);
    const { socket, response } = upgradeWebSocket(request, { maxMessageBytes: 1024 });
    socket.addEventListener("message", (event) => socket.send(`echo ${event.data}`));
    return response;
  });
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close() });
}

/** A lamp hub on a TLS listener that syncs each lamp with ON; `await using` closes it. */
function testHub(
  listener: Deno.TlsListener,
  events: Partial<LampEvents> = {},
  maxConnections?: number,
) {
  const hub = new LampHub(listener, {
    queueLimit: 1 << 20,
    maxConnections,
    sync: () => [Uint8Array.of(0x12, 0, 0)],
    events: { onConnect: () => {}, onDisconnect: () => {}, onAcceptError: () => {}, ...events },
  });
  return Object.assign(hub, { [Symbol.asyncDispose]: () => hub.close(1000) });
}

/** A TLS client of `localhost:port` that trusts the test CA. */
function connectTrusting(port: number, certs: TestPki): Promise<Deno.TlsConn> {
  return Deno.connectTls({ hostname: "localhost", port, caCerts: [certs.ca] });
}

Deno.test("HTTPS with a private CA: the request URL says https, keep-alive works", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using server = startHttps(certs.server);
  const client = Deno.createHttpClient({ caCerts: [certs.ca] });
  try {
    for (const path of ["/a", "/b?c=1"]) {
      const response = await fetch(`https://localhost:${server.addr.port}${path}`, { client });
      assertEquals(await response.text(), `https://localhost:${server.addr.port}${path}`);
    }
  } finally {
    client.close();
  }
});

Deno.test("WSS: the WebSocket runs over TLS like over TCP", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using server = startHttps(certs.server);
  const conn = await connectTrusting(server.addr.port, certs);
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
  }
});

Deno.test("a client that fails the handshake or speaks plain HTTP to the TLS port does no harm", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using server = startHttps(certs.server);
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
  }
});

/** Descriptors this process holds now (Linux: the entries of /proc/self/fd). */
function openDescriptors(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

/** Descriptors a test may see appear besides its own sockets (the runtime opens some lazily). */
const SLACK = 4;

/** A TLS record header announcing a ClientHello whose body never comes. */
const PARTIAL_CLIENT_HELLO = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01);

/** Opens `count` TCP connections; every other one sends the start of a ClientHello and stalls. */
async function stalledClients(port: number, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await RawClient.connect(port);
    clients.push(client);
    if (i % 2 === 1) await client.send(PARTIAL_CLIENT_HELLO);
  }
  return clients;
}

/**
 * Waits until `wanted` of the clients read the server's close; says how many did. A hang guard
 * gives up after 30 s (the count then says how many did).
 */
async function closedByServer(clients: RawClient[], wanted: number): Promise<number> {
  let closed = 0;
  const all = Promise.withResolvers<void>();
  for (const client of clients) {
    client.readToEnd().catch(() => {}).then(() => ++closed >= wanted && all.resolve());
  }
  const timer = setTimeout(all.resolve, 30_000);
  await all.promise;
  clearTimeout(timer);
  return closed;
}

/** Asserts that the server closed every client and holds no descriptor for them any more. */
async function assertClosedAndFreed(clients: RawClient[], before: number, server: string) {
  assertEquals(await closedByServer(clients, clients.length), clients.length);
  const held = openDescriptors() - before - clients.length;
  assert(held <= SLACK, `${server} holds ${held} descriptors for ${clients.length} it closed`);
}

Deno.test("TLS connections that never finish the handshake are closed at the head deadline, their descriptors freed", async () => {
  // Deno.listenTls kept every one (denoland/deno#14547): 1,500 such clients held 1,500 descriptors.
  const certs = await testPki();
  if (!certs) return;
  const server = listenHttp("127.0.0.1", 0, () => new Response("x"), {
    tls: certs.server,
    headerTimeoutMs: 200,
  });
  const before = openDescriptors();
  const clients = await stalledClients(server.port, 20);
  try {
    await assertClosedAndFreed(clients, before, "the server");
    assertEquals(server.connections, 0);
  } finally {
    for (const client of clients) client.close();
    await server.close();
  }
});

Deno.test("TLS connections over the caps of all three ports are closed, their descriptors freed", async () => {
  const certs = await testPki();
  if (!certs) return;
  const { stand } = await startTestStand({
    tls: { lamp: certs.server, api: certs.server, web: certs.server },
    maxLamps: 2,
    maxApiConnections: 2,
    maxWebConnections: 2,
  });
  const ports = [stand.ports.lamp, stand.ports.api, stand.ports.web];
  const before = openDescriptors();
  const clients: RawClient[][] = [];
  try {
    for (const port of ports) clients.push(await stalledClients(port, 12));
    const closed = await Promise.all(clients.map((port) => closedByServer(port, 10)));
    // A client reads its end once the server's close is under way; the descriptor goes a
    // moment later on a busy machine: wait for it (a hang guard fails a stand that keeps them).
    const held = () => openDescriptors() - before - clients.flat().length;
    await until(() => held() <= 3 * 2 + SLACK).catch(() => {});
    assert(held() <= 3 * 2 + SLACK, `the stand holds ${held()} descriptors for 6 open connections`);
    assertEquals(closed, [10, 10, 10], "each port closed the 10 over its cap");
    // The ports still serve: the newest connection on the API port gets its answer.
    const client = Deno.createHttpClient({ caCerts: [certs.ca] });
    const response = await fetch(`https://localhost:${stand.ports.api}/healthz`, { client });
    assertEquals(response.status, 200);
    await response.body?.cancel();
    client.close();
  } finally {
    for (const client of clients.flat()) client.close();
    await stand.close();
  }
});

Deno.test("the lamp port over TLS: a lamp gets its sync frames", async () => {
  const certs = await testPki();
  if (!certs) return;
  const listener = listenTls({ hostname: "127.0.0.1", port: 0, ...certs.server });
  const connected = Promise.withResolvers<void>();
  await using hub = testHub(listener, { onConnect: () => connected.resolve() }, 10);
  const lamp = await connectTrusting(listener.addr.port, certs);
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

Deno.test("a lamp that never finishes its TLS handshake is closed at the handshake deadline, its descriptor freed", async () => {
  const certs = await testPki();
  if (!certs) return;
  const listener = listenTls({
    hostname: "127.0.0.1",
    port: 0,
    ...certs.server,
    handshakeTimeoutMs: 200,
  });
  await using hub = testHub(listener, {}, 100);
  const before = openDescriptors();
  const clients = await stalledClients(listener.addr.port, 10);
  try {
    await assertClosedAndFreed(clients, before, "the hub");
    assertEquals(hub.count, 0);
  } finally {
    for (const client of clients) client.close();
  }
});

Deno.test("the TLS listener refuses a key that is not the certificate's, naming the problem", async () => {
  const certs = await testPki();
  if (!certs) return;
  assertThrows(
    () =>
      listenTls({ hostname: "127.0.0.1", port: 0, cert: certs.server.cert, key: certs.client.key }),
    TypeError,
    "the TLS key is not the key of the certificate",
  );
});

Deno.test("over TLS, a client that closes its sending side after its request still gets the answer", async () => {
  const certs = await testPki();
  if (!certs) return;
  await using server = startHttps(certs.server);
  const conn = await connectTrusting(server.addr.port, certs);
  const client = new RawClient(conn);
  try {
    await client.send("GET /half HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    await conn.closeWrite();
    const answer = await client.readToEnd();
    assert(answer.endsWith("\r\n\r\nhttps://localhost/half"), answer);
  } finally {
    client.close();
  }
});

Deno.test("a TLS connection from the stand's listener also reads and writes as streams", async () => {
  const certs = await testPki();
  if (!certs) return;
  const listener = listenTls({ hostname: "127.0.0.1", port: 0, ...certs.server });
  const client = await connectTrusting(listener.addr.port, certs);
  const server = await listener.accept();
  try {
    assertEquals((await server.handshake()).alpnProtocol, null);
    await client.write(new TextEncoder().encode("from the lamp"));
    await client.closeWrite();
    assertEquals(await new Response(server.readable).text(), "from the lamp");
    const writer = server.writable.getWriter();
    await writer.write(new TextEncoder().encode("from the stand"));
    await writer.close(); // closes the connection
    assertEquals(await new Response(client.readable).text(), "from the stand");
  } finally {
    listener.close();
  }
});

/** Runs tests/support/tls_corrupt.py against a port: what it saw after its corrupted record. */
async function sendCorruptedRecord(port: number, version: "1.2" | "1.3"): Promise<string[]> {
  const { stdout } = await new Deno.Command("python3", {
    args: [`${REPO_ROOT}tests/support/tls_corrupt.py`, String(port), version],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(stdout).trim().split("\n");
}

for (const version of ["1.2", "1.3"] as const) {
  Deno.test(`over TLS ${version}, a record that fails to decrypt after the handshake ends the connection at once, on the lamp port and over HTTPS`, async () => {
    // node:tls only sent its alert and kept the connection open: the lamp stayed counted and
    // written to, the HTTPS connection open until its head deadline.
    const certs = await testPki();
    if (!certs || !requireProgram("python3", "python3")) return;
    const ended = Promise.withResolvers<string>();
    const hub = new LampHub(listenTls({ hostname: "127.0.0.1", port: 0, ...certs.server }), {
      queueLimit: 1 << 20,
      sync: () => [Uint8Array.of(0x12, 0, 0)], // what the lamp waits for before its bad record
      events: {
        onConnect: () => {},
        onDisconnect: (_, end) => ended.resolve(end.reason),
        onAcceptError: () => {},
      },
    });
    await using server = startHttps(certs.server);
    try {
      const lamp = await sendCorruptedRecord(hub.port, version);
      assertEquals(lamp, [`handshake TLSv${version}`, "closed"]);
      assert((await ended.promise).startsWith("read failed: "), "the lamp ended with the error");
      assertEquals(hub.count, 0);
      const https = await sendCorruptedRecord(server.addr.port, version);
      assertEquals(https, [`handshake TLSv${version}`, "closed"]);
    } finally {
      await hub.close(1000);
    }
  });
}

Deno.test("a lamp that never finishes its TLS handshake is reported with the deadline as the reason and never counted as a lamp", async () => {
  // The reason was "write failed: the TLS connection was closed" (or "read failed: …").
  const certs = await testPki();
  if (!certs) return;
  const reasons: string[] = [];
  const ended = Promise.withResolvers<void>();
  const listener = listenTls({
    hostname: "127.0.0.1",
    port: 0,
    ...certs.server,
    handshakeTimeoutMs: 200,
    onHandshakeError: (error) => reasons.push(error.message) === 2 && ended.resolve(),
  });
  const lampEvents: string[] = [];
  await using _hub = testHub(listener, {
    onConnect: () => lampEvents.push("connected"),
    onDisconnect: () => lampEvents.push("disconnected"),
  });
  const clients = await stalledClients(listener.addr.port, 2);
  try {
    await ended.promise;
    assertEquals(reasons, Array(2).fill("no TLS handshake within 200 ms"));
    assertEquals(lampEvents, [], "not a lamp before its handshake is done");
  } finally {
    for (const client of clients) client.close();
  }
});

Deno.test("a client that hangs up mid-handshake is closed at once and reported as hanging up, not held until the handshake deadline", async () => {
  // A lamp that gives up on its own certificate (X.509 v1) closed its side; the stand held the
  // socket in CLOSE-WAIT for the whole deadline and then logged "no TLS handshake within 10000 ms".
  const certs = await testPki();
  if (!certs) return;
  const reported = Promise.withResolvers<string>();
  const listener = listenTls({
    hostname: "127.0.0.1",
    port: 0,
    ...certs.server,
    handshakeTimeoutMs: 30_000,
    onHandshakeError: (error) => reports.push(error.message) && reported.resolve(error.message),
  });
  const reports: string[] = [];
  await using _hub = testHub(listener);
  // A port probe (connect, close, not a byte) is closed too, and is no failed handshake.
  const probe = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  await probe.closeWrite();
  assertEquals(await probe.read(new Uint8Array(16)), null, "the stand closed the probe");
  probe.close();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  try {
    await client.write(PARTIAL_CLIENT_HELLO);
    await client.closeWrite();
    assertEquals(await client.read(new Uint8Array(16)), null, "the stand closed its side");
    assertEquals(
      await reported.promise,
      "the client closed the connection during the TLS handshake",
    );
    assertEquals(reports.length, 1, "the probe was not reported");
  } finally {
    client.close();
  }
});
