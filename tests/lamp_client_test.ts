/**
 * The lamp client over real sockets: frames in every split, reconnects, failover, clean close.
 * The retry policy itself is tested without sockets in reconnect_test.ts.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { IdleWatch } from "../src/client/idle_watch.ts";
import { LampClient } from "../src/client/lamp_client.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { Dispatcher } from "../src/commands/dispatcher.ts";
import { KEEPALIVE_TYPE } from "../src/protocol/frame.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { commandsIn, isCommand, isEvent, startTestLamp } from "./support/test_lamp.ts";
import { closeQuietly, readUntilEnd, TestServer } from "./support/test_server.ts";

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return await Promise.resolve(port);
}

Deno.test("lamp applies frames sent in bulk and byte by byte, skipping unknown and malformed ones", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp(server.port);
  const conn = await server.accept();
  await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
  for (const byte of parseHex("99 00 05 01 02 03 04 05 20 00 03 00 ff 00")) {
    await conn.write(Uint8Array.of(byte));
  }
  await conn.write(parseHex("20 00 02 01 02 13 00 00"));
  await lamp.events.next(isCommand("OFF"), 0);
  assertEquals(commandsIn(lamp.events.events), ["COLOR #ff0000", "ON", "COLOR #00ff00", "OFF"]);
  assertEquals(lamp.client.state, { on: false, color: 0x00ff00 });
  assertEquals(lamp.client.counts, { applied: 4, unknown: 1, malformed: 1, keepalives: 0 });
  const ignored = lamp.events.events.flatMap((e) =>
    e.event === "ignored" ? [[e.reason, e.type, e.hex]] : []
  );
  assertEquals(ignored, [["unknown", 0x99, "01 02 03 04 05"], ["malformed", 0x20, "01 02"]]);
});

Deno.test("keep-alive frames are counted apart and change nothing", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp(server.port);
  const conn = await server.accept();
  await conn.write(parseHex("00 00 00 12 00 00 00 00 00"));
  await lamp.events.next(isCommand("ON"), 0);
  await conn.write(parseHex("00 00 00 13 00 00"));
  await lamp.events.next(isCommand("OFF"), 0);
  assertEquals(lamp.client.counts, { applied: 2, unknown: 0, malformed: 0, keepalives: 3 });
});

Deno.test("server closing (FIN): the lamp keeps its state, says it is disconnected, reconnects", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp(server.port);
  const first = await server.accept();
  await first.write(parseHex("20 00 03 00 00 ff 12 00 00"));
  await lamp.events.next(isCommand("ON"), 0);
  first.close();
  const down = await lamp.events.next(isEvent("disconnected"), 0);
  assertEquals(down.event === "disconnected" && down.reason, "server closed the connection");
  assertEquals(lamp.client.state, { on: true, color: 0x0000ff });
  const second = await server.accept();
  await lamp.events.next(isEvent("connected"), lamp.events.events.indexOf(down));
  await second.write(parseHex("13 00 00"));
  await lamp.events.next(isCommand("OFF"), 0);
  assertEquals(lamp.client.state, { on: false, color: 0x0000ff });
});

Deno.test("a half frame from a dropped connection is discarded, never glued to the next one", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp(server.port);
  const first = await server.accept();
  await first.write(parseHex("20 00 03 ff"));
  first.close();
  const down = await lamp.events.next(isEvent("disconnected"), 0);
  assertStringIncludes(
    down.event === "disconnected" ? down.reason : "",
    "discarded 4 bytes of a partial frame",
  );
  const second = await server.accept();
  await second.write(parseHex("12 00 00"));
  await lamp.events.next(isCommand(), 0);
  assertEquals(lamp.client.state, { on: true, color: 0xffffff });
});

Deno.test("attempts that never connected are connect_failed, not disconnected; retry names the address tried; a failover that works is not unreachable", async () => {
  const dead = await freePort();
  using server = new TestServer();
  await using lamp = startTestLamp([dead, server.port]);
  await server.accept();
  await lamp.events.next(isEvent("connected"), 0);
  const names = lamp.events.events.map((e) => e.event);
  assertEquals(names.slice(0, 4), ["connecting", "connect_failed", "retry", "connecting"]);
  assert(!names.includes("disconnected"));
  assert(!names.includes("unreachable"), "one address failed over to the next is no outage");
  const retry = lamp.events.events.find((e) => e.event === "retry");
  assertEquals(retry?.event === "retry" && [retry.address, retry.next], [
    `127.0.0.1:${dead}`,
    `127.0.0.1:${server.port}`,
  ]);
});

Deno.test("a first address that sends one unknown frame and closes is failed over, with growing delays", async () => {
  using flaky = new TestServer();
  using good = new TestServer();
  const attempts: number[] = [];
  await using lamp = startTestLamp([flaky.port, good.port], {
    backoff: (attempt) => (attempts.push(attempt), 1),
    healthyAfterMs: 60_000,
  });
  const first = await flaky.accept();
  await first.write(parseHex("77 00 01 00"));
  first.close();
  const conn = await good.accept();
  await conn.write(parseHex("12 00 00"));
  await lamp.events.next(isCommand("ON"), 0);
  assertEquals(attempts, [0], "one retry, and it went to the second address");
  const connecting = lamp.events.events.flatMap((e) => e.event === "connecting" ? [e.address] : []);
  assertEquals(connecting, [`127.0.0.1:${flaky.port}`, `127.0.0.1:${good.port}`]);
});

Deno.test("a server that applies a frame and closes at once is not healthy: the backoff keeps growing", async () => {
  using server = new TestServer();
  const attempts: number[] = [];
  await using _lamp = startTestLamp(server.port, {
    backoff: (attempt) => (attempts.push(attempt), 1),
    healthyAfterMs: 60_000,
  });
  for (let i = 0; i < 5; i++) {
    const conn = await server.accept();
    await conn.write(parseHex("12 00 00"));
    conn.close();
  }
  await server.accept();
  assertEquals(attempts, [0, 1, 2, 3, 4]);
});

Deno.test("a connection that applied a frame and stayed up resets the backoff", async () => {
  using server = new TestServer();
  const attempts: number[] = [];
  await using lamp = startTestLamp(server.port, {
    backoff: (attempt) => (attempts.push(attempt), 1),
    healthyAfterMs: 0,
  });
  (await server.accept()).close();
  (await server.accept()).close();
  const conn = await server.accept();
  await conn.write(parseHex("12 00 00"));
  await lamp.events.next(isCommand(), 0);
  conn.close();
  await server.accept();
  assertEquals(attempts, [0, 1, 0]);
});

Deno.test("close() while waiting to retry cancels the timer at once", async () => {
  const port = await freePort();
  const lamp = startTestLamp(port, { backoff: () => 3_600_000 });
  await lamp.events.next(isEvent("retry"), 0);
  await lamp.client.close();
  assertEquals(lamp.events.events.at(-1)?.event, "retry");
});

Deno.test("close() makes the server read a clean EOF, not a reset, while data is still flowing", async () => {
  using server = new TestServer();
  const lamp = startTestLamp(server.port);
  const conn = await server.accept();
  const flood = parseHex("20 00 03 01 02 03 ".repeat(2000));
  let writing = true;
  const writer = (async () => {
    while (writing) await conn.write(flood).catch(() => writing = false);
  })();
  await lamp.events.next(isCommand(), 0);
  const closing = lamp.client.close();
  const ending = await readUntilEnd(conn);
  writing = false;
  closeQuietly(conn);
  await writer;
  await closing;
  assertEquals(ending, "eof");
});

Deno.test("an unknown host is a retriable failure with a clear reason", async () => {
  await using lamp = startTestLamp([], {
    addresses: [{ hostname: "no-such-host.invalid", port: 9999 }],
    backoff: () => 3_600_000,
  });
  const failed = await lamp.events.next(isEvent("connect_failed"), 0);
  assertEquals(failed.event === "connect_failed" && failed.reason, "dns lookup failed");
  await lamp.events.next(isEvent("retry"), 0);
});

Deno.test("a bug while applying a frame surfaces (closed rejects) instead of passing for a network drop", async () => {
  using server = new TestServer();
  const client = new LampClient({
    addresses: [{ hostname: "127.0.0.1", port: server.port }],
    onApplied: () => {
      throw new TypeError("renderer bug");
    },
  });
  const conn = await server.accept();
  await conn.write(parseHex("12 00 00"));
  await assertRejects(() => client.closed, TypeError, "renderer bug");
});

Deno.test("with an idle timeout the lamp drops a server that went silent, and reconnects", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp(server.port, { idleTimeoutMs: 200 });
  const silent = await server.accept();
  await silent.write(parseHex("12 00 00"));
  const down = await lamp.events.next(isEvent("disconnected"), 0);
  assertStringIncludes(down.event === "disconnected" ? down.reason : "", "idle timeout");
  await server.accept();
});

Deno.test("in auto mode the timeout is learned from the keep-alive rhythm, and is off without one", async () => {
  const dispatcher = new Dispatcher(createCommandTable());
  const idle = Promise.withResolvers<void>();
  let time = 0; // the watch's clock: the gaps are exact, however busy the machine
  const watch = new IdleWatch("auto", dispatcher, idle.resolve, { minAutoMs: 40, now: () => time });
  const keepalive = () => {
    dispatcher.frame(KEEPALIVE_TYPE, new Uint8Array(0), 0, 0);
    watch.bytesArrived();
  };
  assertEquals(watch.timeoutMs, 0, "no keep-alive yet: never timed out");
  keepalive();
  assertEquals(watch.timeoutMs, 40, "the least timeout after the first one");
  time += 10; // a 10 ms gap between keep-alives
  keepalive();
  assertEquals(watch.timeoutMs, 40, "three gaps (30 ms) are less than the least");
  time += 30;
  keepalive();
  assertEquals(watch.timeoutMs, 90, "three times the longest gap");
  time += 90; // no more keep-alives: the connection is given up when its timer next looks
  await idle.promise;
  assert(watch.fired);
});

Deno.test("a server that closes a plain connection before sending a byte: the reason suggests tls://", async () => {
  using server = new TestServer();
  await using lamp = startTestLamp([server.port]);
  (await server.accept()).close();
  const ended = await lamp.events.next(isEvent("disconnected"), 0);
  assertEquals(
    ended.event === "disconnected" && ended.reason,
    `server closed the connection before sending a byte (if it serves TLS, connect to tls://127.0.0.1:${server.port})`,
  );
});
