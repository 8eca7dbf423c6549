/**
 * Which connection errors the lamp retries, and their words: by the runtime's class or errno code
 * wherever it gives one. The first tests are tables of errors as the runtime builds them; the
 * last ones make the real failures over real sockets and check that the runtime still throws the
 * classes and codes those tables rely on (Deno 2.9.6).
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import net from "node:net";
import { ConnectTimeoutError, describeError, isRetriable } from "../src/net/connection_errors.ts";
import { RefusedError } from "../src/net/refused_error.ts";
import { dial } from "../src/client/dial.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";

/** An error with an errno code, as Deno and node:net give one for an OS error. */
function osError(
  code: string,
  message: string,
  kind: new (message: string) => Error = Error,
): Error {
  return Object.assign(new kind(message), { code });
}

Deno.test("a connection error is retried by its class or its errno code, never by its words", () => {
  const cases: [unknown, boolean][] = [
    [osError("ECONNREFUSED", "Connection refused (os error 111)"), true],
    [new Deno.errors.ConnectionRefused("Connection refused (os error 111)"), true],
    [new Deno.errors.ConnectionReset("connection reset"), true],
    [new Deno.errors.BrokenPipe("Broken pipe (os error 32)"), true],
    [new Deno.errors.UnexpectedEof("unexpected end of file"), true],
    [new Deno.errors.NetworkUnreachable("Network is unreachable (os error 101)"), true],
    // Deno gives EHOSTUNREACH no class of its own: a plain Error with the code.
    [osError("EHOSTUNREACH", "No route to host (os error 113)"), true],
    [osError("ENETDOWN", "Network is down (os error 100)"), true],
    [osError("EMFILE", "Too many open files (os error 24)"), true],
    // A local firewall rule: the OS's permission, not Deno's (NotCapable, below).
    [osError("EPERM", "Operation not permitted (os error 1)", Deno.errors.PermissionDenied), true],
    [new Deno.errors.InvalidData("invalid peer certificate: UnknownIssuer"), true],
    [new ConnectTimeoutError(10), true],
    [new RefusedError(407, "the proxy needs credentials (407)"), true],
    // Deno's DNS failure has neither class nor code: its words are all there is.
    [new Error("failed to lookup address information: Name or service not known"), true],
    [new Deno.errors.NotCapable('Requires net access to "x:1"'), false],
    [new Deno.errors.NotFound("No such file or directory (os error 2)"), false],
    [osError("ENOENT", "No such file or directory (os error 2)"), false],
    [new TypeError("bug: the handshake state is undefined"), false],
    [new Error("handshake"), false],
    [new RangeError("peer certificate index out of range"), false],
    ["a string", false],
  ];
  for (const [error, retriable] of cases) {
    assertEquals(isRetriable(error), retriable, String(error));
  }
});

Deno.test("a connection error reads the same whoever threw it (Deno's class, node's code)", () => {
  const cases: [unknown, string][] = [
    [new Deno.errors.ConnectionRefused("Connection refused (os error 111)"), "connection refused"],
    [osError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:6379"), "connection refused"],
    [
      osError("ECONNRESET", "Connection reset by peer (os error 104)", Deno.errors.ConnectionReset),
      "connection reset by peer",
    ],
    [osError("ECONNRESET", "read ECONNRESET"), "connection reset by peer"],
    [osError("EHOSTUNREACH", "No route to host (os error 113)"), "no route to host"],
    [osError("ENOTFOUND", "getaddrinfo ENOTFOUND redis.invalid"), "dns lookup failed"],
    [
      new Error("failed to lookup address information: Name or service not known"),
      "dns lookup failed",
    ],
    [new Deno.errors.UnexpectedEof("unexpected end of file"), "unexpected end of file"],
    [new ConnectTimeoutError(250), "connect timed out after 250 ms"],
    [
      new RefusedError(401, "the stand refused the token (401)"),
      "the stand refused the token (401)",
    ],
    [
      new Deno.errors.InvalidData("received corrupt message of type InvalidContentType"),
      "tls: the server does not speak TLS",
    ],
  ];
  for (const [error, words] of cases) assertEquals(describeError(error), words, String(error));
});

Deno.test("a reason keeps its words as written: only a capitalized first word is lowered, and quoted outside text is left as it came", () => {
  const cases: [Error, string][] = [
    [
      new Deno.errors.InvalidData('the server does not answer in HTTP (it sent "SSH-2.0-OpenSSH")'),
      'the server does not answer in HTTP (it sent "SSH-2.0-OpenSSH")',
    ],
    [
      new Deno.errors.InvalidData("the stand answered with a wrong Sec-WebSocket-Accept"),
      "the stand answered with a wrong Sec-WebSocket-Accept",
    ],
    [
      new Deno.errors.UnexpectedEof("Unexpected end of file (os error 5)"),
      "unexpected end of file",
    ],
    [new Deno.errors.InvalidData("TLS alert: Bad Record MAC"), "TLS alert: Bad Record MAC"],
  ];
  for (const [error, words] of cases) assertEquals(describeError(error), words, String(error));
});

Deno.test("runtime: a refused connection is ConnectionRefused with code ECONNREFUSED", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const error = await assertRejects(() => Deno.connect({ hostname: "127.0.0.1", port }));
  assert(error instanceof Deno.errors.ConnectionRefused);
  assertEquals((error as { code?: string }).code, "ECONNREFUSED");
  assertEquals([isRetriable(error), describeError(error)], [true, "connection refused"]);
});

Deno.test("runtime: a DNS failure is a plain Error with no code, told by its words", async () => {
  const error = await assertRejects(() =>
    Deno.connect({ hostname: "no-such-host.invalid", port: 9 })
  );
  assertEquals([(error as Error).constructor, (error as { code?: string }).code], [
    Error,
    undefined,
  ]);
  assertEquals([isRetriable(error), describeError(error)], [true, "dns lookup failed"]);
});

Deno.test("runtime: a reset is ConnectionReset on read, then BrokenPipe on write", async () => {
  // Resets once the lamp's first byte arrived: a reset before that could fail the connect itself.
  const server = net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new Uint8Array([0x12, 0, 0]));
    const read = await assertRejects(() => conn.read(new Uint8Array(8)));
    assert(read instanceof Deno.errors.ConnectionReset);
    assertEquals((read as { code?: string }).code, "ECONNRESET");
    const write = await assertRejects(() => conn.write(new Uint8Array(8)));
    assert(write instanceof Deno.errors.BrokenPipe);
    assert(isRetriable(read) && isRetriable(write));
  } finally {
    conn.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("runtime: TLS failures are InvalidData (rustls's words) or UnexpectedEof, all retried", async () => {
  // A server that answers a TLS hello with HTTP, and one that closes without a word.
  const speaks = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serve = async (listener: Deno.Listener, answer: Uint8Array) => {
    for await (const conn of listener) {
      await conn.write(answer).catch(() => {});
      conn.close();
    }
  };
  const served = Promise.all([
    serve(speaks, new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n")),
    serve(silent, new Uint8Array()),
  ]);
  const handshake = async (port: number) => {
    const conn = await Deno.connectTls({ hostname: "127.0.0.1", port });
    try {
      await conn.handshake();
    } finally {
      conn.close();
    }
  };
  try {
    const notTls = await assertRejects(() => handshake(speaks.addr.port));
    assert(notTls instanceof Deno.errors.InvalidData);
    assertEquals(describeError(notTls), "tls: the server does not speak TLS");
    const closed = await assertRejects(() => handshake(silent.addr.port));
    assert(closed instanceof Deno.errors.UnexpectedEof);
    assert(isRetriable(notTls) && isRetriable(closed));
  } finally {
    speaks.close();
    silent.close();
    await served;
  }
});

Deno.test("runtime: a certificate no trusted CA signed is InvalidData, said with --ca", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...pki.server });
  const accepted = (async () => {
    for await (const conn of listener) conn.handshake().catch(() => {}).finally(() => conn.close());
  })();
  try {
    const conn = await Deno.connectTls({ hostname: "127.0.0.1", port: listener.addr.port });
    const error = await assertRejects(() => conn.handshake());
    conn.close();
    assert(error instanceof Deno.errors.InvalidData);
    assertEquals(
      [isRetriable(error), describeError(error)],
      [true, "tls: the server's certificate is signed by a CA not trusted here (give --ca)"],
    );
  } finally {
    listener.close();
    await accepted;
  }
});

Deno.test("a connect that times out says so, and keeps what stopped it as its cause", async () => {
  // Accepts and never answers the TLS hello: only the connect timeout ends the attempt.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const error = await assertRejects(
      () =>
        dial({ hostname: "127.0.0.1", port: listener.addr.port, tls: true }, {
          signal: new AbortController().signal,
          connectTimeoutMs: 50,
        }),
      ConnectTimeoutError,
    );
    assert(error.cause instanceof DOMException);
    assertEquals((error.cause as DOMException).name, "TimeoutError");
  } finally {
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});
