/**
 * The web port served by lamp workers, attacked as a hostile network would: requests that try to
 * make the worker and the main thread read a lent connection differently, clients that flood or
 * never read, budgets under a flood, a worker that fails and a stand that closes with lent
 * connections open. Each answer is compared with the same stand on one thread.
 */
import { assert, assertEquals } from "@std/assert";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";
import { tempDir } from "./support/temp_dir.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { RawClient, splitResponses } from "./support/raw_http.ts";
import { startTestStand, type TestStand } from "./support/test_stand.ts";

/**
 * The statuses answered to `text`, sent at once on one connection: read until the stand closes
 * it, or up to a `101` (the connection is a WebSocket's from then on).
 */
async function answers(port: number, text: string): Promise<string> {
  const client = await RawClient.connect(port);
  try {
    await client.send(text);
    await client.conn.closeWrite(); // a body the stand does not read ends here, not at a timeout
    const received = await client.readUntil((text) => SWITCHED.test(text));
    const upgraded = SWITCHED.exec(received);
    const answered = upgraded ? received.slice(0, upgraded.index + upgraded[0].length) : received;
    return splitResponses(answered).map(({ status }) => status).join(" ");
  } finally {
    client.close();
  }
}

/** A `101` head, up to its end. */
const SWITCHED = /HTTP\/1\.1 101 [^]*?\r\n\r\n/;

/** One stand on the main thread, one with two lamp workers, both with a token. */
async function twoStands(): Promise<[TestStand, TestStand]> {
  return [
    await startTestStand({ token: "secret" }),
    await startTestStand({ token: "secret", workers: 2 }),
  ];
}

/** A last request that ends the connection. */
const CLOSE = "GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

const UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

Deno.test("with lamp workers, every ambiguous or odd request reads as on one thread: same answers, in the same order, on one connection", async () => {
  const cases: Record<string, string> = {
    "obs-fold":
      "GET / HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n  folded\r\nConnection: close\r\n\r\n",
    "duplicate Content-Length":
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "same Content-Length twice":
      "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "Transfer-Encoding and Content-Length":
      "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "chunked with Expect: 100-continue":
      "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /app.js HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "absolute-form target naming another host":
      "GET http://localhost/auth HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    "absolute-form target to /lamp":
      `GET http://localhost/lamp HTTP/1.1\r\nHost: localhost\r\n${UPGRADE}\r\n${CLOSE}`,
    "HTTP/1.0 without Host": "GET /app.js HTTP/1.0\r\n\r\n",
    "HTTP/1.0 keep-alive then /lamp":
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /lamp HTTP/1.0\r\n\r\n",
    "pipelined: /lamp without upgrade, the page, /lamp from another site, /auth":
      "GET /lamp HTTP/1.1\r\nHost: localhost\r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\n\r\n" +
      `GET /lamp HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n${UPGRADE}\r\n` +
      "GET /auth HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "/lamp from another Host": `GET /lamp HTTP/1.1\r\nHost: evil.example\r\n${UPGRADE}\r\n${CLOSE}`,
    "/lamp with a wrong token":
      `GET /lamp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer nope\r\n${UPGRADE}\r\n${CLOSE}`,
    "HEAD /lamp": "HEAD /lamp HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "lower-case get": "get / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "a head just under the limit, of short fields": "GET /app.js HTTP/1.1\r\nHost: localhost\r\n" +
      "a:b\r\n".repeat(Math.floor((16 * 1024 - 64) / 5)) + "Connection: close\r\n\r\n",
  };
  const [single, workers] = await twoStands();
  try {
    for (const [name, text] of Object.entries(cases)) {
      const expected = await answers(single.stand.ports.web, text);
      assertEquals(await answers(workers.stand.ports.web, text), expected, name);
    }
  } finally {
    await workers.stand.close();
    await single.stand.close();
  }
});

/** A keep-alive connection that has had one answer: idle, waiting for its next request. */
async function idleKeepAlive(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  await client.send("GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n\r\n");
  await client.readResponses(1);
  return client;
}

/** A page WebSocket with the token; resolves once open, with a promise of its close. */
async function pageSocket(port: number): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [
    "flashlight",
    "flashlight.token.c2VjcmV0",
  ]);
  const closed = new Promise<number>((resolve) => socket.onclose = ({ code }) => resolve(code));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return { socket, closed };
}

/**
 * Sends the page's WebSocket a message the stand refuses: the answer's type (`error`) if it is
 * still open, `closed CODE` if it was shed.
 */
async function roundTrip(page: { socket: WebSocket; closed: Promise<number> }): Promise<string> {
  const answer = new Promise<string>((resolve) =>
    page.socket.addEventListener("message", ({ data }) => resolve(JSON.parse(data).type))
  );
  page.socket.send("{}");
  return await Promise.race([answer, page.closed.then((code) => `closed ${code}`)]);
}

Deno.test("with lamp workers, a full web port sheds idle keep-alive connections before the page's WebSocket, as on one thread", async () => {
  for (const workers of [1, 2]) {
    await using stand = await startTestStand({ token: "secret", workers, maxWebConnections: 4 });
    const port = stand.stand.ports.web;
    const page = await pageSocket(port);
    const idle: RawClient[] = [];
    try {
      // Far more than the budget: every worker's share is full of idle connections many times.
      for (let i = 0; i < 24; i++) idle.push(await idleKeepAlive(port));
      // A round trip: an answer if it is still open, its close if it was shed.
      assertEquals(
        await roundTrip(page),
        "error",
        `the page's WebSocket was shed (${workers} threads)`,
      );
    } finally {
      for (const client of idle) client.close();
      page.socket.close();
      await page.closed;
    }
  }
});

Deno.test("with lamp workers, closing the stand ends every web connection: idle and half-sent requests, page WebSockets, WebSocket lamps", async () => {
  for (const workers of [1, 2]) await closeWithEverythingOpen(workers);
});

async function closeWithEverythingOpen(workers: number): Promise<void> {
  const stand = await startTestStand({ token: "secret", workers });
  const port = stand.stand.ports.web;
  const clients: RawClient[] = [];
  const pages: { socket: WebSocket; closed: Promise<number> }[] = [];
  for (let i = 0; i < 4; i++) {
    clients.push(await idleKeepAlive(port));
    const slow = await RawClient.connect(port);
    await slow.send("GET / HTTP/1.1\r\nHost: loc"); // a head that never ends
    clients.push(slow);
    const lent = await RawClient.connect(port);
    await lent.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGET / HTTP/1.1\r\nHo"); // lent, then slow
    await lent.readResponses(1);
    clients.push(lent);
    pages.push(await pageSocket(port));
    const lamp = await RawClient.connect(port);
    await lamp.send(
      `GET /lamp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer secret\r\n${UPGRADE}\r\n`,
    );
    await lamp.readUntil((text) => SWITCHED.test(text));
    clients.push(lamp);
  }
  await stand.stand.close();
  for (const client of clients) {
    await client.readToEnd();
    assertEquals(client.ended, true);
    client.close();
  }
  for (const page of pages) await page.closed;
}

Deno.test("with lamp workers that fail, every connection they lent ends: idle, mid-request and page WebSockets, and the stand still closes", async () => {
  // A copy of src/ whose lamp workers throw (uncaught) on the next frames: a bug in a worker.
  await using dir = await tempDir();
  const files = [`${REPO_ROOT}src`, `${REPO_ROOT}deno.json`]; // deno.json: the version
  await new Deno.Command("cp", { args: ["-r", ...files, dir.path] }).output();
  const workerFile = `${dir.path}/src/stand/lamp_worker.ts`;
  const source = await Deno.readTextFile(workerFile);
  const handler = 'if (message.type === "start") {';
  assert(source.includes(handler), "the worker's message handler moved: update the injection");
  await Deno.writeTextFile(
    workerFile,
    source.replace(
      handler,
      `if (message.type === "frames" && hub !== null) throw new Error("injected");\n${handler}`,
    ),
  );
  const { startStand } = await import(`${dir.path}/src/stand/stand.ts`);
  const { standOptions } = await import(`${dir.path}/src/stand/stand_options.ts`);
  const { parseApiRequest } = await import(`${dir.path}/src/stand/api_request.ts`);
  const { createCommandTable } = await import(`${dir.path}/src/commands/command_table.ts`);
  const failures: unknown[] = [];
  const bothFailed = Promise.withResolvers<void>();
  const stand = await startStand(standOptions({
    lampPort: 0,
    apiPort: 0,
    webPort: 0,
    closeTimeoutMs: 2000,
    workers: 2,
    token: "secret",
    log: (record: { event: string }) => {
      if (record.event !== "lamp_worker_failed") return;
      failures.push(record);
      if (failures.length === 2) bothFailed.resolve();
    },
  }));
  const port = stand.ports.web;
  const clients: RawClient[] = [];
  const pages: { closed: Promise<number> }[] = [];
  for (let i = 0; i < 4; i++) {
    clients.push(await idleKeepAlive(port));
    const body = await RawClient.connect(port);
    await body.send("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nhalf");
    clients.push(body);
    pages.push(await pageSocket(port));
  }
  const table = createCommandTable();
  await stand.send(
    parseApiRequest({ method: "message", params: { command: "ON" } }, table),
  );
  await bothFailed.promise;
  for (const client of clients) {
    await client.readToEnd();
    assertEquals(client.ended, true);
    client.close();
  }
  for (const page of pages) await page.closed;
  await stand.close();
});

Deno.test("with lamp workers and client certificates on the web port, no request reaches the page without one: not the page, not /lamp, not /ws", async () => {
  const pki = await createTestPki();
  await using stand = await startTestStand({
    workers: 2,
    tls: { web: { ...pki.server, clientCa: pki.ca } },
  });
  const port = stand.stand.ports.web;
  for (const path of ["/", "/lamp", "/ws", "/app.js"]) {
    const served = stand.log.events.filter((event) => event.event === "api_error").length;
    let answer = "";
    try {
      const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [pki.ca] });
      const client = new RawClient(conn);
      await client.send(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      answer = await client.readToEnd();
      client.close();
    } catch {
      // the handshake refused, as it should
    }
    assertEquals(answer, "", `${path} answered without a client certificate`);
    assertEquals(stand.log.events.filter((e) => e.event === "api_error").length, served);
  }
  const conn = await Deno.connectTls({
    hostname: "localhost",
    port,
    caCerts: [pki.ca],
    cert: pki.client.cert,
    key: pki.client.key,
  });
  const client = new RawClient(conn);
  await client.send("GET /app.js HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  assertEquals(splitResponses(await client.readToEnd())[0].status, 200);
  client.close();
});

Deno.test("with lamp workers, WebSocket lamps that come after another request on a connection leave the page's budget, as on one thread: the page's WebSocket stays", async () => {
  for (const workers of [1, 2]) {
    await using stand = await startTestStand({ token: "secret", workers, maxWebConnections: 4 });
    const port = stand.stand.ports.web;
    const page = await pageSocket(port);
    const lamps: RawClient[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        const lamp = await RawClient.connect(port);
        await lamp.send(
          "GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\n\r\n" +
            `GET /lamp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer secret\r\n${UPGRADE}\r\n`,
        );
        await lamp.readUntil((text) => SWITCHED.test(text));
        lamps.push(lamp);
      }
      assertEquals(
        await roundTrip(page),
        "error",
        `the page's WebSocket was shed (${workers} threads)`,
      );
    } finally {
      for (const lamp of lamps) lamp.close();
      page.socket.close();
      await page.closed;
    }
  }
});
