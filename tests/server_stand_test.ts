/**
 * The stand on its own connection layer, attacked: heads never finish, WebSocket messages are
 * huge, a full port sheds; plus HTTP details and TLS on all three ports. Floods against each
 * port's budget under a real `ulimit -n` are in server_limits_test.ts.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Opcode } from "../src/net/websocket_frame.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { RawClient, splitResponses } from "./support/raw_http.ts";
import { clientFrame, closeCode, openRawWebSocket, serverFrames } from "./support/raw_websocket.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { startTestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";

/** Opens `count` idle connections to a port (they send nothing). */
async function idle(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}

Deno.test("2,000 connections that never finish their heads are all closed at the deadline", async () => {
  const { stand, log } = await startTestStand();
  const conns = [
    ...await idle(stand.ports.api, 1000),
    ...await idle(stand.ports.web, 1000),
  ];
  const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  const open = new Set(conns);
  const trickle = setInterval(() => {
    for (const conn of open) conn.write(new Uint8Array([0x61])).catch(() => open.delete(conn));
  }, 1000);
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.all(conns.map((conn) => conn.write(head)));
    const allClosed = Promise.all(conns.map(async (conn) => {
      try {
        while (await conn.read(new Uint8Array(64)) !== null) { /* nothing is sent */ }
      } catch {
        // a reset ends it too
      }
      open.delete(conn);
    }));
    const timedOut = new Promise<string>((resolve) =>
      guard = setTimeout(() => resolve(`${open.size} still open`), 20_000)
    );
    assertEquals(await Promise.race([allClosed.then(() => "all closed"), timedOut]), "all closed");
    assert(log.events.some((e) => e.event === "header_timeout" && e.service === "api"));
    assert(log.events.some((e) => e.event === "header_timeout" && e.service === "web"));
  } finally {
    clearTimeout(guard);
    clearInterval(trickle);
    for (const conn of conns) conn.close();
    await stand.close();
  }
});

/** The resident memory of a process, in bytes (Linux). */
async function rss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

Deno.test("16 clients sending 60 MB WebSocket messages each: all refused with 1009, the stand's memory stays bounded", async () => {
  const { stand, ports } = await startServeProcess();
  const chunk = new Uint8Array(1 << 20);
  const size = 60 * (1 << 20);
  try {
    const before = await rss(stand.child.pid);
    const codes = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
      const client = await openRawWebSocket(ports.web, "/ws");
      const reading = client.readToEnd();
      try {
        const fragmented = i % 2 === 1; // half send one frame, half 1 MiB fragments
        const first = fragmented
          ? clientFrame(Opcode.text, "", { length: chunk.length, fin: false })
          : clientFrame(Opcode.text, "", { length: size });
        await client.send(first);
        for (let sent = 0; sent < size && !client.ended; sent += chunk.length) {
          if (fragmented && sent > 0) {
            await client.send(
              clientFrame(Opcode.continuation, "", { length: chunk.length, fin: false }),
            );
          }
          await client.send(chunk);
        }
      } catch {
        // the stand closed the connection under the sender
      }
      const frames = serverFrames(await reading).filter((frame) => frame.opcode === Opcode.close);
      client.close();
      return frames.map(closeCode);
    }));
    assertEquals(codes, Array.from({ length: 16 }, () => [1009]));
    const growth = await rss(stand.child.pid) - before;
    assert(growth < 64 * (1 << 20), `the stand grew by ${(growth / (1 << 20)).toFixed(0)} MB`);
  } finally {
    await stand.stop("SIGTERM");
  }
});

Deno.test("attack: a full API port sheds its longest idle connection for a real request, logged and counted", async () => {
  await using stand = await startTestStand({ maxApiConnections: 2 });
  const slow = [
    await RawClient.connect(stand.stand.ports.api),
    await RawClient.connect(stand.stand.ports.api),
  ];
  try {
    for (const client of slow) await client.send("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const health = await RawClient.connect(stand.stand.ports.api);
    await health.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const [answer] = splitResponses(await health.readToEnd());
    health.close();
    assertEquals(answer.status, 200);
    const record = await stand.log.nextNamed("connections_shed", 0);
    assertEquals([record.service, record.total], ["api", 1]);
    const metrics = await (await fetch(`${stand.api}/metrics`)).text();
    assertStringIncludes(metrics, 'flashlight_connections_shed_total{port="api"}');
  } finally {
    for (const client of slow) client.close();
  }
});

Deno.test("attack: empty and one-byte WebSocket fragments cost the stand no more than their payload", async () => {
  // Each fragment used to be kept as its own array until the message ended: 30 MB of empty
  // continuation frames on one socket took the stand from 55 MB to 2 GB.
  const { stand, ports } = await startServeProcess();
  const empties = concatFrames(
    Array.from({ length: 10_000 }, () => clientFrame(Opcode.continuation, "", { fin: false })),
  );
  const bytes = concatFrames(
    Array.from({ length: 1000 }, () => clientFrame(Opcode.continuation, "x", { fin: false })),
  );
  const clients: RawClient[] = [];
  try {
    const before = await rss(stand.child.pid);
    for (let i = 0; i < 8; i++) {
      const client = await openRawWebSocket(ports.web, "/ws");
      clients.push(client);
      await client.readUntil((text) => serverFrames(text).length >= 1); // hello
      client.received = "";
      await client.send(clientFrame(Opcode.text, "{", { fin: false }));
      for (let k = 0; k < 6; k++) await client.send(empties);
      for (let k = 0; k < 8; k++) await client.send(bytes);
      await client.send(clientFrame(Opcode.ping, "sync"));
    }
    for (const client of clients) {
      await client.readUntil((text) => serverFrames(text).some((f) => f.opcode === Opcode.pong));
    }
    const growth = await rss(stand.child.pid) - before;
    for (const client of clients) {
      client.received = "";
      await client.send(clientFrame(Opcode.continuation, "}"));
      const isAnswer = (frame: { payload: string }) => frame.payload.includes('"type":"error"');
      await client.readUntil((text) => serverFrames(text).some(isAnswer));
      assert(serverFrames(client.received).some(isAnswer), "the whole message arrived");
    }
    assert(growth < 64 * (1 << 20), `the stand grew by ${(growth / (1 << 20)).toFixed(0)} MB`);
  } finally {
    for (const client of clients) client.close();
    await stand.stop("SIGTERM");
  }
});

/** Frames end to end, to send in one write. */
function concatFrames(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

Deno.test("a stand with a 16 KiB limit refuses 48 KB of € (16,000 characters) with 1009", async () => {
  const { stand } = await startTestStand();
  const socket = new WebSocket(`ws://127.0.0.1:${stand.ports.web}/ws`);
  try {
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    const outcome = new Promise<string>((resolve) => {
      socket.addEventListener("close", (event) => resolve(`close ${event.code}`));
      socket.addEventListener("message", (event) => {
        const { type } = JSON.parse(event.data);
        if (type === "error" || type === "result") resolve(`answered ${event.data}`);
      });
    });
    socket.send("€".repeat(16_000));
    assertEquals(await outcome, "close 1009");
  } finally {
    socket.close();
    await stand.close();
  }
});

Deno.test("the API answers HEAD wherever GET works, and refuses a large body with 413 at once and one connection: close", async () => {
  const { stand, api } = await startTestStand();
  try {
    const get = await fetch(`${api}/status`);
    const getLength = (await get.arrayBuffer()).byteLength;
    const head = await fetch(`${api}/status`, { method: "HEAD" });
    assertEquals(head.status, 200);
    assertEquals(Number(head.headers.get("content-length")) > 0, true);
    assertEquals(await head.text(), "");
    assert(
      Math.abs(Number(head.headers.get("content-length")) - getLength) <= 2,
      "same size as GET",
    );

    const client = await RawClient.connect(stand.ports.api);
    try {
      await client.send(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 20000\r\n\r\n",
      );
      const answer = await client.readResponses(1);
      const [response] = splitResponses(answer);
      assertEquals(response.status, 413);
      assert(!answer.includes("100 Continue"), answer);
      assertEquals(answer.match(/^connection:.*$/gim), ["connection: close"]);
      assertStringIncludes(JSON.parse(response.body).error, "body too large");
    } finally {
      client.close();
    }
  } finally {
    await stand.close();
  }
});

Deno.test("TLS on all three ports: HTTPS status, WSS hello, and a lamp over TLS gets the state", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  const { stand, log } = await startTestStand({
    tls: { lamp: pki.server, api: pki.server, web: pki.server },
  });
  const client = Deno.createHttpClient({ caCerts: [pki.ca] });
  const connectTls = (port: number) =>
    Deno.connectTls({ hostname: "localhost", port, caCerts: [pki.ca] });
  try {
    const listening = Object.fromEntries(
      log.events.filter((e) => e.event === "listening").map((e) => [e.service, e.url ?? e.tls]),
    );
    assertEquals(listening, {
      lamps: true,
      api: `https://127.0.0.1:${stand.ports.api}/`,
      web: `https://127.0.0.1:${stand.ports.web}/`,
    });
    const status = await fetch(`https://localhost:${stand.ports.api}/status`, { client });
    assertEquals((await status.json()).ok, true);

    const browser = new RawClient(await connectTls(stand.ports.web));
    await browser.send(
      "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await browser.readUntil((text) => text.includes('"type":"hello"'));
    browser.close();

    const lampConn = await connectTls(stand.ports.lamp);
    const bytes: number[] = [];
    const buffer = new Uint8Array(64);
    while (bytes.length < 9) bytes.push(...buffer.subarray(0, await lampConn.read(buffer) ?? 0));
    assertEquals(bytes, [0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0], "COLOR #ffffff, then OFF");
    lampConn.close();
  } finally {
    client.close();
    await stand.close();
  }
});

for (const workers of [1, 2]) {
  Deno.test(
    `a stand closing tells the page's WebSocket it is going away (1001) (${
      workers === 1 ? "one thread" : "two lamp workers"
    })`,
    async () => {
      const { stand } = await startTestStand({ workers });
      const socket = new WebSocket(`ws://127.0.0.1:${stand.ports.web}/ws`);
      const closed = new Promise<number>((resolve) =>
        socket.addEventListener("close", (event) => resolve(event.code))
      );
      await new Promise((resolve) => socket.addEventListener("message", resolve, { once: true }));
      await stand.close();
      assertEquals(await closed, 1001);
    },
  );
}
