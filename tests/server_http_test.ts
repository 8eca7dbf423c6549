/**
 * The stand's HTTP/1.1 server: the pure parsers table-driven, then the server over real sockets
 * with requests no polite client sends (slow, pipelined, chunked, oversized, malformed).
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { bodyFraming } from "../src/stand/server/body_framing.ts";
import { ChunkedDecoder } from "../src/stand/server/chunked_decoder.ts";
import { ConnReader } from "../src/stand/server/conn_reader.ts";
import { HttpError } from "../src/stand/server/http_error.ts";
import { defaultHttpOptions, type HttpErrorReport } from "../src/stand/server/http_options.ts";
import { type HttpServerOptions, serveHttp } from "../src/stand/server/http_server.ts";
import { type HttpHandler, serveHttpConnection } from "../src/stand/server/http_connection.ts";
import { findHeadEnd, parseRequestHead } from "../src/stand/server/request_head.ts";
import { encodeResponseHead } from "../src/stand/server/response_head.ts";
import { RawClient, splitResponses } from "./support/raw_http.ts";

const bytes = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));
const text = (data: Uint8Array) => new TextDecoder().decode(data);

Deno.test("findHeadEnd finds the empty line, resumes where it stopped, and refuses bare CR or LF", () => {
  const head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  assertEquals(findHeadEnd(bytes(head + "next")), head.length);
  assertEquals(findHeadEnd(bytes("\r\n" + head)), head.length + 2);
  assertEquals(findHeadEnd(bytes("GET / HTTP/1.1\r\nHost: x\r\n")), -1);
  let found = -1;
  for (let length = 1; length <= head.length && found < 0; length++) {
    found = findHeadEnd(bytes(head.slice(0, length)), Math.max(0, length - 4));
  }
  assertEquals(found, head.length, "a byte at a time");
  for (const bad of ["GET / HTTP/1.1\nHost: x\n\n", "GET / HTTP/1.1\rHost: x\r\n\r\n"]) {
    assertThrows(() => findHeadEnd(bytes(bad)), HttpError, "bare");
  }
});

Deno.test("parseRequestHead accepts a well-formed head and refuses each malformed one with its status", () => {
  const head = parseRequestHead(
    bytes("POST /a?b=1 HTTP/1.0\r\nHost: x\r\nX-Two:  a  b \r\nAccept:\r\n\r\n"),
  );
  assertEquals(head, {
    method: "POST",
    target: "/a?b=1",
    minorVersion: 0,
    headers: [["host", "x"], ["x-two", "a  b"], ["accept", ""]],
  });
  const cases: [string, number, string][] = [
    ["GET  / HTTP/1.1\r\n\r\n", 400, "request line"],
    ["GET / HTTP/1.1 x\r\n\r\n", 400, "request line"],
    ["G(T / HTTP/1.1\r\n\r\n", 400, "request line"],
    ["GET /\x7f HTTP/1.1\r\n\r\n", 400, "request line"],
    ["GET / HTTP/2.0\r\n\r\n", 505, "HTTP/1.0 and HTTP/1.1"],
    ["GET / HTTQ/1.1\r\n\r\n", 400, "request line"],
    ["\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400, "request line"],
    ["GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "header field"],
    ["GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "header field"],
    ["GET / HTTP/1.1\r\n: x\r\n\r\n", 400, "header field"],
    ["GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", 400, 'control character in the value of header "X"'],
  ];
  for (const [input, status, message] of cases) {
    const error = assertThrows(() => parseRequestHead(bytes(input)), HttpError, message);
    assertEquals(error.status, status, JSON.stringify(input));
  }
});

Deno.test("bodyFraming refuses every ambiguous length (the smuggling cases)", () => {
  assertEquals(bodyFraming([]), { kind: "none" });
  assertEquals(bodyFraming([["content-length", "0"]]), { kind: "none" });
  assertEquals(bodyFraming([["content-length", "5"], ["content-length", "5"]]), {
    kind: "length",
    length: 5,
  });
  assertEquals(bodyFraming([["transfer-encoding", "Chunked"]]), { kind: "chunked" });
  const cases: [[string, string][], number][] = [
    [[["content-length", "5"], ["transfer-encoding", "chunked"]], 400],
    [[["content-length", "5"], ["content-length", "6"]], 400],
    [[["content-length", "5, 6"]], 400],
    [[["content-length", "-1"]], 400],
    [[["content-length", "0x10"]], 400],
    [[["content-length", "1".repeat(16)]], 400],
    [[["transfer-encoding", "gzip, chunked"]], 501],
    [[["transfer-encoding", "identity"]], 501],
  ];
  for (const [headers, status] of cases) {
    const error = assertThrows(() => bodyFraming(headers), HttpError);
    assertEquals(error.status, status, JSON.stringify(headers));
  }
  // HTTP/1.0: any Transfer-Encoding is faulty framing (RFC 9112 §6.1), a Content-Length is fine.
  assertEquals(bodyFraming([["content-length", "5"]], 0), { kind: "length", length: 5 });
  for (const coding of ["chunked", "identity", "gzip, chunked"]) {
    const error = assertThrows(() => bodyFraming([["transfer-encoding", coding]], 0), HttpError);
    assertEquals(error.status, 400, coding);
  }
});

Deno.test("ChunkedDecoder decodes byte by byte, skips extensions and trailers, and stops at the body's end", () => {
  const input =
    "4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\nNEXT";
  const whole = new ChunkedDecoder();
  const { data, consumed } = whole.push(bytes(input));
  assertEquals(data.map(text).join(""), "Wikipedia in\r\n\r\nchunks.");
  assertEquals([consumed, whole.done], [input.length - 4, true]);
  const split = new ChunkedDecoder();
  let body = "";
  for (const char of input.slice(0, -4)) {
    const out = split.push(bytes(char));
    assertEquals(out.consumed, 1);
    body += out.data.map(text).join("");
  }
  assertEquals([body, split.done], ["Wikipedia in\r\n\r\nchunks.", true]);
  const cases: [string, number][] = [
    ["zz\r\n", 400],
    ["\r\n", 400],
    ["3\nabc", 400],
    ["3\r\nabcd\r\n", 400],
    ["1234567890abc\r\n", 400],
    [`1;${"x".repeat(5000)}\r\n`, 400],
    [`0\r\n${"X: y\r\n".repeat(3000)}`, 431],
  ];
  for (const [bad, status] of cases) {
    const error = assertThrows(() => new ChunkedDecoder().push(bytes(bad)), HttpError);
    assertEquals(error.status, status, JSON.stringify(bad.slice(0, 20)));
  }
});

Deno.test("encodeResponseHead drops the handler's connection-level fields and keeps every cookie", () => {
  const headers = new Headers([["connection", "close"], ["content-length", "9"], ["x-a", "1"]]);
  headers.append("set-cookie", "a=1");
  headers.append("set-cookie", "b=2");
  assertEquals(
    text(encodeResponseHead(404, headers, [["connection", "close"]])),
    "HTTP/1.1 404 Not Found\r\nx-a: 1\r\nset-cookie: a=1\r\nset-cookie: b=2\r\nconnection: close\r\n\r\n",
  );
});

/** A server on a free port with `handler`, closed by `await using`. */
function startServer(
  handler: HttpHandler,
  options: HttpServerOptions = {},
): { port: number; errors: HttpErrorReport[]; [Symbol.asyncDispose](): Promise<void> } {
  const errors: HttpErrorReport[] = [];
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), handler, {
    onError: (report) => errors.push(report),
    ...options,
  });
  return { port: server.addr.port, errors, [Symbol.asyncDispose]: () => server.close() };
}

/** Answers GET only, like the stand's status route; echoes the body of a POST to /echo. */
const getOnly: HttpHandler = async (request) => {
  const { pathname } = new URL(request.url);
  if (request.method === "POST" && pathname === "/echo") {
    return new Response(await request.text());
  }
  if (request.method !== "GET") return new Response("no", { status: 405 });
  return new Response(`page ${pathname}`, { headers: { "x-route": pathname } });
};

Deno.test("HEAD is answered wherever GET is, with GET's headers and no body", async () => {
  await using server = startServer(getOnly);
  const client = await RawClient.connect(server.port);
  try {
    await client.send(
      "HEAD /status HTTP/1.1\r\nHost: x\r\n\r\nGET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const [head, get] = splitResponses(await client.readToEnd(), [0]);
    assertEquals([head.status, get.status], [200, 200]);
    const field = (response: typeof head, name: string) =>
      response.headers.find(([key]) => key === name)?.[1];
    assertEquals(field(head, "content-length"), field(get, "content-length"));
    assertEquals(field(head, "x-route"), "/status");
    assertEquals([head.body, get.body], ["", "page /status"]);
  } finally {
    client.close();
  }
});

Deno.test("a declared Content-Length over the limit gets 413 at once, without 100 Continue, and the handler never runs", async () => {
  let calls = 0;
  await using server = startServer(() => {
    calls++;
    return new Response("ran");
  }, { maxBodyBytes: 16384 });
  const client = await RawClient.connect(server.port);
  try {
    await client.send(
      "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 20000\r\n\r\n",
    );
    const answer = await client.readResponses(1);
    assert(answer.startsWith("HTTP/1.1 413 "), answer);
    assert(!answer.includes("100 Continue"));
    assertStringIncludes(answer, "body too large: 20000 bytes (max 16384)");
    assertEquals(answer.match(/^connection: close\r$/gm)?.length, 1);
    assertEquals(calls, 0);
    assertEquals(server.errors.map((e) => [e.status, e.method, e.path]), [[413, "POST", "/"]]);
  } finally {
    client.close();
  }
});

Deno.test("Expect: 100-continue gets 100 Continue only once the handler reads the body", async () => {
  await using server = startServer(async (request) => {
    if (new URL(request.url).pathname === "/skip") return new Response("skipped");
    return new Response(`got ${await request.text()}`);
  });
  const reader = await RawClient.connect(server.port);
  const skipper = await RawClient.connect(server.port);
  try {
    await reader.send(
      "POST /read HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    );
    assertEquals(
      await reader.readUntil((r) => r.includes("\r\n\r\n")),
      "HTTP/1.1 100 Continue\r\n\r\n",
    );
    await reader.send("hello");
    const [, ok] = splitResponses(await reader.readUntil((r) => r.endsWith("got hello")));
    assertEquals([ok.status, ok.body], [200, "got hello"]);

    await skipper.send(
      "POST /skip HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    );
    const answer = await skipper.readResponses(1);
    assert(answer.startsWith("HTTP/1.1 200 "), answer);
    assert(!answer.includes("100 Continue"));
    assertEquals(answer.match(/^connection: close\r$/gm)?.length, 1, "unread body: closed");
  } finally {
    reader.close();
    skipper.close();
  }
});

Deno.test("exactly one connection: close, whoever asks for it", async () => {
  await using server = startServer(
    () => new Response("bye", { headers: { connection: "close" } }),
    { maxRequestsPerConnection: 2 },
  );
  for (
    const request of [
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
    ]
  ) {
    const client = await RawClient.connect(server.port);
    try {
      await client.send(request);
      const answer = await client.readToEnd();
      assertEquals(answer.match(/^connection:.*$/gim), ["connection: close"], request);
    } finally {
      client.close();
    }
  }
});

Deno.test("close is heard in any of several Connection fields (RFC 9110 §5.3: one list)", async () => {
  await using server = startServer(getOnly);
  const client = await RawClient.connect(server.port);
  try {
    await client.send(
      "GET /1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
    );
    const answer = await client.readToEnd(); // ends: the server closed after its answer
    assertEquals(answer.match(/^connection:.*$/gim), ["connection: close"]);
  } finally {
    client.close();
  }
});

Deno.test("keep-alive ends after maxRequestsPerConnection, with connection: close on the last answer", async () => {
  await using server = startServer(getOnly, { maxRequestsPerConnection: 2 });
  const client = await RawClient.connect(server.port);
  try {
    await client.send(
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const responses = splitResponses(await client.readToEnd());
    assertEquals(responses.map((r) => r.body), ["page /1", "page /2"]);
    assertEquals(responses[1].headers.filter(([name]) => name === "connection"), [[
      "connection",
      "close",
    ]]);
  } finally {
    client.close();
  }
});

Deno.test("pipelined requests, bodies included, are answered in order", async () => {
  let running = 0;
  await using server = startServer(async (request, info) => {
    assertEquals(running++, 0, "one request at a time per connection");
    await new Promise((resolve) => setTimeout(resolve, 1));
    const answer = await getOnly(request, info);
    running--;
    return answer;
  });
  const client = await RawClient.connect(server.port);
  try {
    await client.send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n" +
        "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const responses = splitResponses(await client.readToEnd());
    assertEquals(responses.map((r) => r.body), ["page /a", "abc", "de", "page /b"]);
  } finally {
    client.close();
  }
});

Deno.test("chunked bodies arrive byte-exact when split anywhere, and one over the limit fails with 413", async () => {
  await using server = startServer(async (request) => {
    try {
      return new Response(new Uint8Array(await request.arrayBuffer()));
    } catch (error) {
      return new Response(`refused ${(error as HttpError).status}`, { status: 413 });
    }
  }, { maxBodyBytes: 1000 });
  const payload = "x".repeat(300) + "€" + "y".repeat(300);
  const encoded = new TextEncoder().encode(payload);
  const head =
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  const body = `100;ext=1\r\n${String.fromCharCode(...encoded.subarray(0, 256))}\r\n` +
    `${(encoded.length - 256).toString(16)}\r\n${
      String.fromCharCode(...encoded.subarray(256))
    }\r\n` +
    "0\r\nX-Trailer: t\r\n\r\n";
  const client = await RawClient.connect(server.port);
  try {
    await client.send(head);
    for (let i = 0; i < body.length; i += 7) await client.send(body.slice(i, i + 7));
    const [response] = splitResponses(await client.readResponses(1));
    assertEquals(new TextDecoder().decode(bytes(response.body)), payload);
  } finally {
    client.close();
  }
  const big = await RawClient.connect(server.port);
  try {
    await big.send(head + `400\r\n${"z".repeat(1024)}\r\n0\r\n\r\n`);
    const [response] = splitResponses(await big.readResponses(1));
    assertEquals([response.status, response.body], [413, "refused 413"]);
  } finally {
    big.close();
  }
});

Deno.test("a body slower than the deadline fails with 408 for the handler", async () => {
  await using server = startServer(async (request) => {
    try {
      await request.text();
      return new Response("read");
    } catch (error) {
      return new Response((error as HttpError).message, { status: (error as HttpError).status });
    }
  }, { bodyTimeoutMs: 100 });
  const client = await RawClient.connect(server.port);
  try {
    await client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    const [response] = splitResponses(await client.readResponses(1));
    assertEquals([response.status, response.body], [408, "body not received within 100 ms"]);
  } finally {
    client.close();
  }
});

Deno.test("malformed requests get 400 (or their status) and a close; the server goes on", async () => {
  await using server = startServer(getOnly);
  const cases: [string, number][] = [
    ["GET / HTTP/1.1\r\n\r\n", 400], // no Host
    ["GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
    ["GET / HTTP/1.1\nHost: x\n\n", 400],
    ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", 400],
    ["GET nope HTTP/1.1\r\nHost: x\r\n\r\n", 400],
    ["GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505],
    ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417],
    [`GET / HTTP/1.1\r\nHost: x\r\nX: ${"a".repeat(17000)}\r\n\r\n`, 431],
  ];
  for (const [request, status] of cases) {
    const client = await RawClient.connect(server.port);
    try {
      await client.send(request);
      const answer = await client.readToEnd();
      assert(
        answer.startsWith(`HTTP/1.1 ${status} `),
        `${JSON.stringify(request.slice(0, 60))}: ${answer}`,
      );
      assertEquals(answer.match(/^connection: close\r$/gm)?.length, 1);
    } finally {
      client.close();
    }
  }
  assertEquals(server.errors.map((e) => e.status), cases.map(([, status]) => status));
  assertEquals(await (await fetch(`http://127.0.0.1:${server.port}/ok`)).text(), "page /ok");
});

Deno.test("an HTTP/1.0 request with Transfer-Encoding is refused and its connection closed: nothing behind it is applied", async () => {
  // RFC 9112 §6.1: its framing is faulty, even with a Content-Length; a keep-alive must not let
  // the bytes after it be read as the next request.
  const seen: string[] = [];
  await using server = startServer(async (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
    return new Response("ok");
  });
  const behind = "POST /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
  const heads = [
    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding: identity\r\n\r\n",
    "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
  ];
  for (const method of ["POST", "GET"]) {
    for (const rest of heads) {
      const request = `${method} / HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n${rest}`;
      const client = await RawClient.connect(server.port);
      try {
        await client.send(request + behind);
        const answer = await client.readToEnd();
        const responses = splitResponses(answer);
        assertEquals(
          responses.map((r) => r.status),
          [400],
          `${JSON.stringify(request)}: ${answer}`,
        );
        assertStringIncludes(responses[0].body, "HTTP/1.0");
      } finally {
        client.close();
      }
    }
  }
  assertEquals(seen, [], "no request was handed to the handler");
  assertEquals(server.errors.length, 2 * heads.length);
});

Deno.test("attack: methods are case-sensitive: `get` and `post` are not GET and POST", async () => {
  // The web Request upper-cased them, so `post / HTTP/1.1` sent commands (RFC 9110 §9.1).
  const seen: string[] = [];
  await using server = startServer((request) => {
    seen.push(request.method);
    return new Response("ok");
  });
  for (const method of ["get", "post", "Delete"]) {
    const client = await RawClient.connect(server.port);
    try {
      await client.send(`${method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
      const answer = await client.readToEnd();
      assert(answer.startsWith("HTTP/1.1 501 "), `${method}: ${answer.slice(0, 80)}`);
    } finally {
      client.close();
    }
  }
  assertEquals(seen, [], "no handler ran");
});

Deno.test("a handler that throws gets 500 and a report; the server goes on", async () => {
  await using server = startServer((request) => {
    if (new URL(request.url).pathname === "/boom") throw new Error("kaput");
    if (new URL(request.url).pathname === "/teapot") throw new HttpError(418, "short and stout");
    return new Response("fine");
  });
  const boom = await fetch(`http://127.0.0.1:${server.port}/boom`);
  assertEquals([boom.status, await boom.text()], [500, "internal error\n"]);
  const teapot = await fetch(`http://127.0.0.1:${server.port}/teapot`);
  assertEquals([teapot.status, await teapot.text()], [418, "short and stout\n"]);
  assertEquals(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "fine");
  assertEquals(server.errors.map((e) => [e.status, e.message]), [
    [500, "handler failed: kaput"],
    [418, "short and stout"],
  ]);
  assertEquals((server.errors[0].error as Error).message, "kaput");
});

Deno.test("a connection that never finishes its headers is closed at the deadline, however it trickles", async () => {
  await using server = startServer(getOnly, { headerTimeoutMs: 300 });
  const client = await RawClient.connect(server.port);
  let trickling = true;
  const trickle = (async () => {
    await client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    while (trickling) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.send("a").catch(() => trickling = false);
    }
  })();
  try {
    assertEquals(await client.readToEnd(), "");
    assert(client.ended);
  } finally {
    trickling = false;
    await trickle;
    client.close();
  }
  assertEquals(server.errors.map((e) => e.message), ["request head not received within 300 ms"]);
});

Deno.test("a head that arrives as its deadline closes the connection is answered or reported late, never handled unanswered", async () => {
  // The process busy past the deadline: the deadline's timer and the read that brings the head
  // are due in the same turn, in either order. A handler that ran on the closed connection could
  // apply a command whose client only saw the connection close.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  for (let round = 0; round < 5; round++) {
    const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const errors: string[] = [];
    let handled = 0;
    const served = serveHttpConnection(await listener.accept(), () => {
      handled++;
      return new Response("hi");
    }, {
      ...defaultHttpOptions(),
      headerTimeoutMs: 20,
      onError: (report) => errors.push(report.message),
    }, new AbortController().signal); // the deadline is armed from here
    await client.write(bytes("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const busyUntil = performance.now() + 100;
    while (performance.now() < busyUntil) {
      // the event loop is held past the deadline
    }
    const answer = await new Response(client.readable).text().catch(() => "");
    await served;
    if (handled === 1) assert(answer.endsWith("\r\n\r\nhi"), `handled, but answered ${answer}`);
    else assertEquals([answer, errors], ["", ["request head not received within 20 ms"]]);
  }
});

Deno.test("an idle kept-alive connection is closed after the idle timeout", async () => {
  await using server = startServer(getOnly, { idleTimeoutMs: 200 });
  const client = await RawClient.connect(server.port);
  try {
    await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const [response] = splitResponses(await client.readToEnd());
    assertEquals(response.body, "page /");
    assert(client.ended, "closed by the server");
  } finally {
    client.close();
  }
});

Deno.test("HTTP/1.0 gets its answer and a close; a long answer streams chunked to HTTP/1.1", async () => {
  const long = "0123456789".repeat(20_000);
  await using server = startServer((request) =>
    new Response(new URL(request.url).pathname === "/long" ? long : "short")
  );
  const old = await RawClient.connect(server.port);
  try {
    await old.send("GET / HTTP/1.0\r\n\r\n");
    const [response] = splitResponses(await old.readToEnd());
    assertEquals(response.body, "short");
  } finally {
    old.close();
  }
  const response = await fetch(`http://127.0.0.1:${server.port}/long`);
  assertEquals(response.headers.get("transfer-encoding"), "chunked");
  assertEquals(await response.text(), long);
});

Deno.test("a long answer to HTTP/1.0 with keep-alive runs to the close, and the server does close", async () => {
  const long = "0123456789".repeat(20_000);
  await using server = startServer(() => new Response(long), { idleTimeoutMs: 60_000 });
  const client = await RawClient.connect(server.port);
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    await client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const timeout = new Promise<string>((resolve) =>
      guard = setTimeout(() => resolve("open"), 10_000)
    );
    const ended = client.readToEnd().then(() => "closed");
    assertEquals(await Promise.race([ended, timeout]), "closed");
    const [head, body] = [
      client.received.split("\r\n\r\n")[0],
      client.received.slice(client.received.indexOf("\r\n\r\n") + 4),
    ];
    assertStringIncludes(head, "connection: close");
    assert(!head.includes("content-length") && !head.includes("chunked"), head);
    assertEquals(body, long);
  } finally {
    clearTimeout(guard);
    client.close();
  }
});

Deno.test("closing the server ends connections mid-request and waits for them", async () => {
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), getOnly);
  const client = await RawClient.connect(server.addr.port);
  try {
    await client.send("GET / HTTP/1.1\r\nHost: x\r\n");
    await server.close();
    assertEquals(await client.readToEnd(), "");
    assertEquals(server.connections, 0);
  } finally {
    client.close();
  }
});

Deno.test("closing the server does not wait forever for a handler that never answers", async () => {
  const started = Promise.withResolvers<void>();
  const server = serveHttp(Deno.listen({ hostname: "127.0.0.1", port: 0 }), () => {
    started.resolve();
    return new Promise<Response>(() => {});
  });
  const client = await RawClient.connect(server.addr.port);
  try {
    await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await started.promise;
    await server.close();
    assertEquals(await client.readToEnd(), "", "closed without an answer");
  } finally {
    client.close();
  }
});

Deno.test("a reader detached for an upgrade hands over its unread bytes, frees its buffer at once and is not read again", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  using server = await listener.accept();
  await client.write(new Uint8Array([1, 2, 3]));
  const reader = new ConnReader(server);
  while (reader.buffered.length < 3) await reader.fill();
  reader.consume(1);
  const view = reader.buffered;
  assertEquals([...reader.detach()], [2, 3]);
  assertEquals(reader.buffered.length, 0);
  assertEquals(view.length, 0, "the buffer was freed at once");
  assertThrows(() => reader.fill(), TypeError, "detached");
  assertEquals(reader.detach().length, 0, "detached twice");
});

Deno.test("an HTTP/1.0 request without Host on an IPv6 port is answered, its URL naming the port's address in brackets", async () => {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: "::1", port: 0 });
  } catch (error) {
    if (error instanceof Deno.errors.AddrNotAvailable) return; // no IPv6 loopback here
    throw error;
  }
  const server = serveHttp(listener, (request) => new Response(request.url));
  try {
    const client = new RawClient(await Deno.connect({ hostname: "::1", port: server.addr.port }));
    try {
      await client.send("GET /status HTTP/1.0\r\n\r\n");
      const [answer] = splitResponses(await client.readToEnd());
      assertEquals([answer.status, answer.body], [200, `http://[::1]:${server.addr.port}/status`]);
    } finally {
      client.close();
    }
  } finally {
    await server.close();
  }
});

/**
 * A connection whose reads bring `pieces` one at a time (a piece longer than the buffer offered
 * comes over several reads), then the end; what the server writes is collected, and the length
 * of every buffer it offered.
 */
function scriptedConn(pieces: Uint8Array[]): Deno.Conn & { written: string; offered: number[] } {
  const queue = [...pieces];
  const addr: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 8888 };
  const conn = {
    written: "",
    offered: [] as number[],
    remoteAddr: addr,
    localAddr: addr,
    read(buffer: Uint8Array): Promise<number | null> {
      conn.offered.push(buffer.length);
      const piece = queue.shift();
      if (!piece) return Promise.resolve(null);
      const count = Math.min(piece.length, buffer.length);
      buffer.set(piece.subarray(0, count));
      if (count < piece.length) queue.unshift(piece.subarray(count));
      return Promise.resolve(count);
    },
    write(data: Uint8Array): Promise<number> {
      conn.written += String.fromCharCode(...data);
      return Promise.resolve(data.length);
    },
    close() {},
  };
  return conn as unknown as Deno.Conn & { written: string; offered: number[] };
}

/** An answer without its `date` field (it changes with the second). */
const withoutDate = (answer: string) => answer.replace(/^date: .*\r\n/im, "");

/** Serves one scripted connection to its end and returns what the server wrote. */
async function serveScripted(
  pieces: Uint8Array[],
  options: Partial<ReturnType<typeof defaultHttpOptions>> = {},
): Promise<{ written: string; offered: number[] }> {
  const conn = scriptedConn(pieces);
  await serveHttpConnection(
    conn,
    (request) => new Response(`${request.method} ${new URL(request.url).pathname}`),
    { ...defaultHttpOptions(), onError: () => {}, ...options },
    new AbortController().signal,
  );
  return conn;
}

Deno.test("a reader waits for a connection's first bytes in a small buffer, then reads its full size at a time", async () => {
  const conn = scriptedConn([bytes("a".repeat(300)), bytes("b".repeat(5000))]);
  const reader = new ConnReader(conn, 4096);
  while (reader.buffered.length < 5300) await reader.fill(8192);
  assertEquals(text(reader.buffered), "a".repeat(300) + "b".repeat(5000));
  // 256 for the first bytes; then the rest of 4096; then doubled, as more is still unread
  assertEquals(conn.offered, [256, 4096 - 256, 4096 - 300, 8192 - 4096]);
  const given = new ConnReader(scriptedConn([]), 4096, bytes("rest"));
  assertEquals(text(given.buffered), "rest", "bytes already read are read first");
});

Deno.test("a request head split at any byte, or one byte per read, is answered like one in a piece", async () => {
  const heads = [
    "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    `GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\nUser-Agent: ${"u".repeat(600)}\r\n\r\n`,
  ];
  for (const head of heads) {
    const path = head.slice(4, 6);
    const answer = withoutDate((await serveScripted([bytes(head)])).written);
    assert(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith(`GET ${path}`), answer);
    for (let split = 1; split < head.length; split++) {
      const pieces = [bytes(head.slice(0, split)), bytes(head.slice(split))];
      assertEquals(withoutDate((await serveScripted(pieces)).written), answer, `split at ${split}`);
    }
    const bytewise = await serveScripted([...bytes(head)].map((byte) => Uint8Array.of(byte)));
    assertEquals(withoutDate(bytewise.written), answer, "one byte per read");
  }
});

Deno.test("a request head of the largest size allowed is answered, whether in a piece or a byte per read; one byte more gets 431", async () => {
  const maxHeaderBytes = 16384;
  const start = "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX: ";
  const head = `${start}${"a".repeat(maxHeaderBytes - start.length - 4)}\r\n\r\n`;
  assertEquals(head.length, maxHeaderBytes);
  for (const pieces of [[bytes(head)], [...bytes(head)].map((byte) => Uint8Array.of(byte))]) {
    const { written } = await serveScripted(pieces, { maxHeaderBytes });
    assert(written.startsWith("HTTP/1.1 200 ") && written.endsWith("GET /big"), written);
  }
  const over = head.replace("X: a", "X: aa");
  const { written } = await serveScripted([bytes(over)], { maxHeaderBytes });
  assert(written.startsWith("HTTP/1.1 431 "), written);
});
