import {
  assert,
  assertEquals,
  assertGreater,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { LampClient, type LampClientOptions } from "../src/client/lamp_client.ts";
import { formatColor } from "../src/lamp/rgb.ts";
import type { LampEvent } from "../src/client/lamp_event.ts";
import { backoffDelay } from "../src/net/backoff.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { EventRecorder } from "./support/event_recorder.ts";
import { closeQuietly, readUntilEnd, TestServer } from "./support/test_server.ts";

type Lamp = { client: LampClient; events: EventRecorder<LampEvent> };

function startLamp(ports: number[], options: Partial<LampClientOptions> = {}): Lamp {
  const events = new EventRecorder<LampEvent>();
  const client = new LampClient({
    addresses: ports.map((port) => ({ hostname: "127.0.0.1", port })),
    backoff: () => 5,
    ...options,
    onEvent: events.onEvent,
  });
  return { client, events };
}

function commandsOf(events: LampEvent[]): string[] {
  return events.flatMap((e) =>
    e.event === "command" ? [`${e.command.name} ${e.state.on} ${formatColor(e.state.color)}`] : []
  );
}

/** Stops the lamp and the server together (the server's close ends the lamp's drain). */
async function stopBoth(client: LampClient, server: TestServer | undefined): Promise<void> {
  const closing = client.close();
  server?.close();
  await closing;
}

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return await Promise.resolve(port);
}

Deno.test("lamp applies frames sent in bulk and byte by byte, skipping unknown and malformed ones", async () => {
  const server = new TestServer();
  const { client, events } = startLamp([server.port]);
  try {
    const conn = await server.accept();
    await conn.write(parseHex("20 00 03 ff 00 00 12 00 00"));
    for (const byte of parseHex("99 00 05 01 02 03 04 05 20 00 03 00 ff 00")) {
      await conn.write(Uint8Array.of(byte));
    }
    await conn.write(parseHex("20 00 02 01 02 13 00 00"));
    await events.next((e) => e.event === "command" && e.command.name === "OFF", 0);
    assertEquals(commandsOf(events.events), [
      "COLOR false #ff0000",
      "ON true #ff0000",
      "COLOR true #00ff00",
      "OFF false #00ff00",
    ]);
    assertEquals(client.state, { on: false, color: 0x00ff00 });
    assertEquals(client.counts, { applied: 4, unknown: 1, malformed: 1 });
    const ignored = events.events.filter((e) => e.event === "ignored");
    assertEquals(ignored.map((e) => e.event === "ignored" && [e.reason, e.type, e.hex]), [
      ["unknown", 0x99, "01 02 03 04 05"],
      ["malformed", 0x20, "01 02"],
    ]);
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("server closing (FIN): the lamp keeps its state, shows it is disconnected, reconnects", async () => {
  const server = new TestServer();
  const { client, events } = startLamp([server.port]);
  try {
    const first = await server.accept();
    await first.write(parseHex("20 00 03 00 00 ff 12 00 00"));
    await events.next((e) => e.event === "command" && e.command.name === "ON", 0);
    first.close();
    const down = await events.nextNamed("disconnected", 0);
    assertEquals(down.event === "disconnected" && down.reason, "server closed the connection");
    await events.nextNamed("retry", 0);
    assertEquals(client.state, { on: true, color: 0x0000ff });
    const second = await server.accept();
    await events.nextNamed("connected", events.events.indexOf(down));
    await second.write(parseHex("13 00 00"));
    await events.next((e) => e.event === "command" && e.command.name === "OFF", 0);
    assertEquals(client.state, { on: false, color: 0x0000ff });
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("a half frame from a dropped connection is discarded, never glued to the next one", async () => {
  const server = new TestServer();
  const { client, events } = startLamp([server.port]);
  try {
    const first = await server.accept();
    await first.write(parseHex("20 00 03 ff"));
    first.close();
    const down = await events.nextNamed("disconnected", 0);
    assertStringIncludes(
      down.event === "disconnected" ? down.reason : "",
      "discarded 4 bytes of a partial frame",
    );
    const second = await server.accept();
    await second.write(parseHex("12 00 00"));
    await events.next((e) => e.event === "command", 0);
    assertEquals(client.state, { on: true, color: 0xffffff });
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("refused connections retry with growing delays, then connect when the server appears", async () => {
  const port = await freePort();
  const { client, events } = startLamp([port], {
    backoff: (attempt) =>
      backoffDelay(attempt, () => 0.999999, { initialMs: 10, maxMs: 80, minMs: 0 }),
  });
  let server: TestServer | undefined;
  try {
    await events.next((e) => e.event === "retry" && e.attempt === 5, 0);
    const delays = events.events.flatMap((e) => e.event === "retry" ? [e.delay_ms] : []);
    assertEquals(delays.slice(0, 5), [10, 20, 40, 80, 80]);
    const reasons = events.events.flatMap((e) => e.event === "disconnected" ? [e.reason] : []);
    assertEquals(reasons[0], "connect failed: connection refused");
    server = new TestServer(port);
    const conn = await server.accept();
    await events.nextNamed("connected", 0);
    await conn.write(parseHex("12 00 00"));
    await events.nextNamed("command", 0);
    assertEquals(client.state.on, true);
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("a server that accepts and closes at once 20 times: backoff keeps growing, no tight loop", async () => {
  const server = new TestServer();
  const attempts: number[] = [];
  const { client } = startLamp([server.port], {
    backoff: (attempt) => (attempts.push(attempt), 1),
  });
  try {
    for (let i = 0; i < 20; i++) (await server.accept()).close();
    assertEquals(attempts.slice(0, 19), Array.from({ length: 19 }, (_, i) => i));
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("a connection that delivered data resets the backoff", async () => {
  const server = new TestServer();
  const attempts: number[] = [];
  const { client, events } = startLamp([server.port], {
    backoff: (attempt) => (attempts.push(attempt), 1),
  });
  try {
    (await server.accept()).close();
    (await server.accept()).close();
    const conn = await server.accept();
    await conn.write(parseHex("12 00 00"));
    await events.nextNamed("command", 0);
    conn.close();
    await server.accept();
    assertEquals(attempts, [0, 1, 0]);
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("close() while waiting to retry cancels the timer at once", async () => {
  const port = await freePort();
  const { client, events } = startLamp([port], { backoff: () => 3_600_000 });
  await events.nextNamed("retry", 0);
  await client.close();
  assertEquals(events.events.at(-1)?.event, "shutdown");
});

Deno.test("close() makes the server read a clean EOF, not a reset, while data is still flowing", async () => {
  const server = new TestServer();
  const { client, events } = startLamp([server.port]);
  try {
    const conn = await server.accept();
    const flood = parseHex("20 00 03 01 02 03 ".repeat(2000));
    let writing = true;
    const writer = (async () => {
      while (writing) await conn.write(flood).catch(() => writing = false);
    })();
    await events.nextNamed("command", 0);
    const closing = client.close();
    const ending = await readUntilEnd(conn);
    writing = false;
    closeQuietly(conn);
    await writer;
    await closing;
    assertEquals(ending, "eof");
    assertEquals(events.events.at(-1)?.event, "shutdown");
  } finally {
    server.close();
  }
});

Deno.test("failover: after a failure the lamp moves to the next address", async () => {
  const dead = await freePort();
  const server = new TestServer();
  const { client, events } = startLamp([dead, server.port]);
  try {
    await server.accept();
    const connecting = events.events.filter((e) => e.event === "connecting").map((e) => e.address);
    assertEquals(connecting, [`127.0.0.1:${dead}`, `127.0.0.1:${server.port}`]);
    await events.nextNamed("connected", 0);
  } finally {
    await stopBoth(client, server);
  }
});

Deno.test("an unknown host is a retriable failure with a clear reason", async () => {
  const { client, events } = startLamp([], {
    addresses: [{ hostname: "no-such-host.invalid", port: 9999 }],
    backoff: () => 3_600_000,
  });
  const down = await events.nextNamed("disconnected", 0);
  await client.close();
  assertEquals(down.event === "disconnected" && down.reason, "connect failed: dns lookup failed");
  assertGreater(events.events.length, 2);
  assert(events.events.some((e) => e.event === "retry"));
});

Deno.test("a bug while applying a frame surfaces (closed rejects) instead of passing for a network drop", async () => {
  const server = new TestServer();
  const client = new LampClient({
    addresses: [{ hostname: "127.0.0.1", port: server.port }],
    backoff: () => 5,
    onEvent: (event) => {
      if (event.event === "command") throw new TypeError("renderer bug");
    },
  });
  try {
    const conn = await server.accept();
    await conn.write(parseHex("12 00 00"));
    await assertRejects(() => client.closed, TypeError, "renderer bug");
  } finally {
    server.close();
  }
});
