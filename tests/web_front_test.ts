/**
 * The web port served by lamp workers: `/lamp` lamps stay in the worker that accepted them, every
 * other connection is lent to the main thread (`lent_conn.ts`) and served there as on a port of
 * its own: its bytes, its end, its TLS (read as https), its budget over the workers.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { LampWorkers } from "../src/stand/lamp_workers.ts";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { BorrowedConn, lendConn } from "../src/stand/server/lent_conn.ts";
import { encodeRequestHead, parseRequestHead } from "../src/stand/server/request_head.ts";
import type { WebFrontEvents } from "../src/stand/web_front.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { RawClient } from "./support/raw_http.ts";
import { startTestStand } from "./support/test_stand.ts";

const UPGRADE = [
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Version: 13",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
];

/** A free port on 127.0.0.1 (bound and let go: the workers bind it together). */
function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = probe.addr;
  probe.close();
  return port;
}

Deno.test("a request head written out again parses to the same head: methods, versions, field order, obs-text", () => {
  for (
    const text of [
      "GET /ws?x=1 HTTP/1.1\r\nHost: a:1\r\nUpgrade: websocket\r\nX-Many: 1\r\nx-many: 2\r\n\r\n",
      "POST http://a/api HTTP/1.0\r\nContent-Length: 3\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: a\r\nX-Latin: caf\xe9 \xff\r\n\r\n",
    ]
  ) {
    const head = parseRequestHead(Uint8Array.from(text, (char) => char.charCodeAt(0)));
    assertEquals(parseRequestHead(encodeRequestHead(head)), head, text);
  }
});

Deno.test("a lent connection: the borrower reads what was read before and then the socket, writes in order, and each side's close ends the other's", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = new RawClient(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  const conn = await listener.accept();
  const { port1, port2 } = new MessageChannel();
  const lent = lendConn(
    conn,
    new TextEncoder().encode("first "),
    port1,
    new AbortController().signal,
  );
  const borrowed = new BorrowedConn(port2, {
    remote: conn.remoteAddr,
    local: conn.localAddr,
    secure: false,
  });
  await client.send("then");
  const buffer = new Uint8Array(64);
  let text = "";
  while (text !== "first then") {
    const count = await borrowed.read(buffer);
    text += new TextDecoder().decode(buffer.subarray(0, count!));
  }
  await Promise.all(["a", "b", "c"].map((part) => borrowed.write(new TextEncoder().encode(part))));
  assertEquals(await client.readUntil((received) => received.length === 3), "abc");
  client.conn.closeWrite();
  assertEquals(await borrowed.read(buffer), null, "the client's end reads as the end");
  borrowed.close();
  await lent;
  assertEquals(
    await client.readUntil(() => false),
    "abc",
    "the borrower's close closed the socket",
  );
  client.conn.close();
});

Deno.test("with lamp workers serving the web port, a /lamp WebSocket stays a lamp of the worker that took it; every other connection is lent to the main thread", async () => {
  const connected = Promise.withResolvers<void>();
  const refused = Promise.withResolvers<string>();
  const events: WebFrontEvents = {
    onRefusal: (refusal) => refused.resolve(`${refusal.status} ${refusal.path}`),
    onTimedOut: () => {},
    onRefused: () => {},
    onShed: () => {},
    onAcceptError: () => {},
    onHandshakeError: () => {},
  };
  const webPort = freePort();
  const lamps = await LampWorkers.start({
    hostname: "127.0.0.1",
    port: freePort(),
    workers: 2,
    backlog: 64,
    queueLimit: 1 << 20,
    maxConnections: 8,
    sync: () => [Uint8Array.of(0x13, 0, 0)],
    events: {
      onConnect: () => connected.resolve(),
      onDisconnect: () => {},
      onAcceptError: () => {},
    },
    onWorkerError: () => {},
    web: {
      config: {
        hostname: "127.0.0.1",
        port: webPort,
        backlog: 64,
        access: { hostname: "127.0.0.1", allowHosts: [] },
        bodyLimit: 1024,
        bodyTimeoutMs: 1000,
      },
      maxConnections: 8,
      events,
    },
  });
  const seen: string[] = [];
  const main = serveHttp(lamps.webConnections!.listener, (request) => {
    seen.push(new URL(request.url).pathname);
    return new Response("served by the main thread");
  });
  try {
    const lamp = new WebSocket(`ws://127.0.0.1:${webPort}/lamp`);
    lamp.binaryType = "arraybuffer";
    const sync = new Promise<number[]>((resolve) =>
      lamp.onmessage = ({ data }) => resolve([...new Uint8Array(data)])
    );
    await connected.promise;
    assertEquals(await sync, [0x13, 0, 0], "synced by its worker");
    assertEquals(
      await (await fetch(`http://127.0.0.1:${webPort}/`)).text(),
      "served by the main thread",
    );
    const foreign = await RawClient.connect(webPort);
    await foreign.send(
      `GET /lamp HTTP/1.1\r\nHost: evil.example\r\n${UPGRADE.join("\r\n")}\r\n\r\n`,
    );
    assertStringIncludes(await foreign.readUntil((text) => text.includes("\r\n\r\n")), " 421 ");
    foreign.conn.close();
    assertEquals(seen, ["/"], "no /lamp request reached the main thread");
    assertEquals(await refused.promise, "421 /lamp", "the worker's refusal reported");
    const closed = new Promise((resolve) => lamp.onclose = resolve);
    lamp.close();
    await closed;
  } finally {
    await main.close();
    await lamps.close(1000);
  }
});

Deno.test("with lamp workers and an HTTPS web port, the main thread reads lent connections as https: the page's own origin opens its WebSocket", async () => {
  const pki = await createTestPki();
  await using stand = await startTestStand({ workers: 2, tls: { web: pki.server } });
  const port = stand.stand.ports.web;
  const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [pki.ca] });
  const client = new RawClient(conn);
  await client.send(
    `GET /ws HTTP/1.1\r\nHost: localhost:${port}\r\nOrigin: https://localhost:${port}\r\n${
      UPGRADE.join("\r\n")
    }\r\n\r\n`,
  );
  const answer = await client.readUntil((text) => text.includes("\r\n\r\n"));
  assertStringIncludes(answer.split("\r\n")[0], " 101 ");
  conn.close();
});

Deno.test("with lamp workers, each holds its share of the web port's budget: a full share sheds its longest idle connection for a real request and says so for the web port", async () => {
  await using stand = await startTestStand({ workers: 2, maxWebConnections: 2 });
  const port = stand.stand.ports.web;
  const idle = [await RawClient.connect(port), await RawClient.connect(port)];
  const shed = stand.log.nextNamed("connections_shed", 0);
  const response = await fetch(`${stand.web}/app.js`);
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals((await shed).service, "web");
  await Promise.any(idle.map((client) => client.readUntil(() => false)));
  for (const client of idle) client.conn.close();
});

Deno.test("a lent connection closed right after a write still sends that write, as a socket does", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = new RawClient(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  const conn = await listener.accept();
  const { port1, port2 } = new MessageChannel();
  const lent = lendConn(conn, new Uint8Array(), port1, new AbortController().signal);
  const borrowed = new BorrowedConn(port2, {
    remote: conn.remoteAddr,
    local: conn.localAddr,
    secure: false,
  });
  const written = borrowed.write(new TextEncoder().encode("goodbye")).catch(() => 0);
  borrowed.close();
  await written;
  await lent;
  assertEquals(await client.readUntil(() => false), "goodbye");
  client.conn.close();
});
