/**
 * A WebSocket's close frame is its last: once one end has queued its close frame (failing the
 * connection, answering the peer's close, or closing), nothing follows it on the wire, in either
 * role, and the stand's log says who closed a WebSocket lamp and with which code. Real sockets on
 * 127.0.0.1, frames read back as raw bytes.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { WebSocketConn, type WebSocketRole } from "../src/net/websocket_conn.ts";
import { Opcode, WebSocketProtocolError } from "../src/net/websocket_frame.ts";
import { clientFrame, openRawWebSocket } from "./support/raw_websocket.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";

/** A frame read back from the wire (masked or not). */
interface WireFrame {
  readonly opcode: number;
  readonly payload: Uint8Array;
}

/** Splits raw bytes into whole frames, unmasking masked ones; a partial last frame is left out. */
function wireFrames(bytes: Uint8Array): WireFrame[] {
  const frames: WireFrame[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 2 <= bytes.length;) {
    let length = bytes[at + 1] & 0x7f;
    let offset = at + 2;
    if (length === 126) [length, offset] = [view.getUint16(at + 2), at + 4];
    if (length === 127) [length, offset] = [Number(view.getBigUint64(at + 2)), at + 10];
    const mask = bytes[at + 1] & 0x80 ? bytes.slice(offset, offset + 4) : null;
    if (mask) offset += 4;
    if (offset + length > bytes.length) break;
    const payload = bytes.slice(offset, offset + length);
    if (mask) payload.forEach((byte, i) => payload[i] = byte ^ mask[i & 3]);
    frames.push({ opcode: bytes[at] & 0x0f, payload });
    at = offset + length;
  }
  return frames;
}

/** Everything a connection receives until the other end closes it. */
async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (;;) {
    const count = await conn.read(buffer).catch(() => null);
    if (count === null) break;
    chunks.push(buffer.slice(0, count));
  }
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  chunks.reduce((at, chunk) => (all.set(chunk, at), at + chunk.length), 0);
  return all;
}

/** Both ends of a real TCP connection on 127.0.0.1. */
async function tcpPair(): Promise<{ server: Deno.TcpConn; client: Deno.TcpConn }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  ]);
  return { server, client };
}

/** The frames after the close frame, as `opcode:length` (none when the close is the last). */
function afterClose(frames: readonly WireFrame[]): string[] {
  const close = frames.findIndex((frame) => frame.opcode === Opcode.close);
  assert(close >= 0, `no close frame in ${frames.map((frame) => frame.opcode)}`);
  return frames.slice(close + 1).map((frame) => `${frame.opcode}:${frame.payload.length}`);
}

for (const role of ["server", "client"] as WebSocketRole[]) {
  Deno.test(`a ${role} WebSocket that failed the connection sends nothing after its close frame, and refuses later writes as a closed connection would`, async () => {
    const { server, client } = await tcpPair();
    const [ours, theirs] = role === "server" ? [server, client] : [client, server];
    // The peer's text message arrived with the handshake: the first read fails the connection.
    const text = clientFrame(Opcode.text, "hello", { masked: role === "server" });
    const ws = new WebSocketConn(ours, text, role);
    const failing = ws.read(new Uint8Array(64));
    const late = ws.write(Uint8Array.of(0x12, 0, 0));
    await assertRejects(() => failing, WebSocketProtocolError, "text message");
    await assertRejects(() => late, Deno.errors.BrokenPipe);
    ws.close();
    const frames = wireFrames(await readToEnd(theirs));
    theirs.close();
    assertEquals(afterClose(frames), []);
    const close = frames.at(-1)!;
    assertEquals((close.payload[0] << 8) | close.payload[1], 1003);
  });
}

Deno.test("a WebSocket that answered its peer's close refuses later writes, and sends nothing after its close frame", async () => {
  const { server, client } = await tcpPair();
  const ws = new WebSocketConn(
    server,
    clientFrame(Opcode.close, Uint8Array.of(0x03, 0xe8)),
    "server",
  );
  assertEquals(await ws.read(new Uint8Array(64)), null);
  await assertRejects(() => ws.write(Uint8Array.of(0x12, 0, 0)), Deno.errors.BrokenPipe);
  ws.close();
  const frames = wireFrames(await readToEnd(client));
  client.close();
  assertEquals(frames.map((frame) => frame.opcode), [Opcode.close]);
});

Deno.test("a WebSocket that closed its side answers no ping after its close frame", async () => {
  const { server, client } = await tcpPair();
  const rest = concatBytes(clientFrame(Opcode.ping, "?"), clientFrame(Opcode.close));
  const ws = new WebSocketConn(server, rest, "server");
  await ws.closeWrite();
  assertEquals(await ws.read(new Uint8Array(64)), 0);
  assertEquals(await ws.read(new Uint8Array(64)), null);
  ws.close();
  const frames = wireFrames(await readToEnd(client));
  client.close();
  assertEquals(frames.map((frame) => frame.opcode), [Opcode.close]);
});

Deno.test("a WebSocket lamp that sends a text message while commands flow gets nothing after the stand's close frame, and the stand logs that it closed it with 1003", async () => {
  await using stand = await startTestStand();
  const lamp = await openRawWebSocket(stand.stand.ports.web, "/lamp");
  await stand.log.nextNamed("lamp_connected", 0);
  let flowing = true;
  const commands = (async () => {
    for (let i = 0; flowing; i++) {
      const value = (i & 0xffffff).toString(16).padStart(6, "0");
      await postApi(stand.api, { method: "message", params: { command: "COLOR", value } });
    }
  })();
  // Commands reach the lamp (the sync and at least one more frame), then it breaks the protocol.
  await lamp.readUntil((text) => wireFrames(latin1(text)).length >= 3);
  await lamp.send(clientFrame(Opcode.text, "hello"));
  const received = latin1(lamp.received).slice(0);
  const rest = await readToEnd(lamp.conn);
  lamp.close();
  flowing = false;
  await commands;
  const frames = wireFrames(concatBytes(received, rest));
  assertEquals(afterClose(frames), []);
  const left = await stand.log.nextNamed("lamp_disconnected", 0);
  assertEquals(left.reason, "stand closed the WebSocket (1003: the client sent a text message)");
});

Deno.test("a WebSocket lamp whose close frame breaks the protocol is logged as closed by the stand, with the stand's code", async () => {
  await using stand = await startTestStand();
  const cases = [
    { payload: Uint8Array.of(0x03), code: 1002, why: "close payload of one byte" },
    { payload: Uint8Array.of(0x03, 0xe8, 0xff), code: 1007, why: "close reason is not UTF-8" },
    { payload: Uint8Array.of(0x03, 0xed), code: 1002, why: "close code 1005" },
  ];
  for (const { payload, code, why } of cases) {
    const lamp = await openRawWebSocket(stand.stand.ports.web, "/lamp");
    const from = stand.log.events.length;
    await lamp.send(clientFrame(Opcode.close, payload));
    const frames = wireFrames(await readToEnd(lamp.conn));
    lamp.close();
    const close = frames.at(-1)!;
    assertEquals([close.opcode, (close.payload[0] << 8) | close.payload[1]], [Opcode.close, code]);
    const left = await stand.log.nextNamed("lamp_disconnected", from);
    assertEquals(left.reason, `stand closed the WebSocket (${code}: ${why})`);
  }
});

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}
