/**
 * The benchmark's comparators are only worth their ratios if they do the lamp's work: these tests
 * hold them to flashlight's semantics (counts, final state, log lines) and the fan-out servers to
 * their contract. Small sizes, no timing.
 */
import { assertEquals } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import { Dispatcher } from "../src/commands/dispatcher.ts";
import { FrameDecoder } from "../src/protocol/frame_decoder.ts";
import { cProgram } from "../scripts/bench/c_program.ts";
import { measureFanout } from "../scripts/bench/fanout_measure.ts";
import {
  BARE_DENO,
  batchedWritesServer,
  cServer,
  DENO_NODE_NET,
  NODE_NET,
  reusePortServer,
  standServer,
} from "../scripts/bench/fanout_servers.ts";
import {
  FINAL_COLOR,
  frameStream,
  STREAM_KINDS,
  type StreamKind,
} from "../scripts/bench/frame_streams.ts";
import {
  comparatorLamps,
  flashlightLamp,
  flashlightWebSocketLamp,
  type Lamp,
} from "../scripts/bench/lamp_contenders.ts";
import { feedLamp } from "../scripts/bench/lamp_feed.ts";
import { lampSwarmFactory } from "../scripts/bench/lamp_swarm.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";

const KINDS = Object.values(STREAM_KINDS);
const small = (kind: StreamKind) => frameStream(kind, kind === "64 KiB unknown" ? 5 : 3000);

Deno.test("every frame stream's counts are what flashlight's decoder and table make of it", () => {
  const table = createCommandTable();
  for (const kind of KINDS) {
    const stream = small(kind);
    const dispatcher = new Dispatcher(table);
    const decoder = new FrameDecoder();
    for (let at = 0; at < stream.bytes.length; at += 1000) { // cut frames too
      decoder.push(stream.bytes.subarray(at, at + 1000), dispatcher.frame);
    }
    const { applied, unknown, malformed } = dispatcher.counts;
    assertEquals({ applied, unknown, malformed }, stream.counts, kind);
    assertEquals(dispatcher.state.color, FINAL_COLOR, kind);
  }
});

Deno.test("the comparator lamps count every frame kind and end on the final color", async () => {
  requireProgram("cc", "gcc");
  requireProgram("python3", "python3");
  for (const lamp of await comparatorLamps("quiet")) {
    for (const kind of KINDS) await feedLamp(lamp, small(kind)); // throws on a miscount
  }
});

Deno.test("the comparators' log lines are flashlight's, byte for byte, and the line sink reads them all", async () => {
  requireProgram("cc", "gcc");
  const stream = frameStream("mixed", 400);
  const sink = await cProgram("c_line_sink");
  for (const format of ["text", "json"] as const) {
    const lamps: Lamp[] = [
      flashlightLamp(["--log", format]),
      ...await comparatorLamps(`log ${format}`),
    ];
    const outputs: string[] = [];
    for (const lamp of lamps) {
      const file = await Deno.makeTempFile();
      const capture: Lamp = {
        ...lamp,
        command: (port) => ["sh", "-c", `exec "$@" > ${file}`, "sh", ...lamp.command(port)],
      };
      await feedLamp(capture, stream);
      const text = await Deno.readTextFile(file);
      const read = await feedLamp(lamp, stream, { watch: "#123456", sink, timeToWatch: true });
      assertEquals(read.lines >= stream.counts.applied, true, `${lamp.name}: the sink's count`);
      await Deno.remove(file);
      outputs.push(
        text.split("\n").filter((line) => line.includes('command"') || line.includes(" command "))
          .join("\n").replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "TIME").replace(/1:\d+/g, "1:PORT"),
      );
    }
    assertEquals(outputs[0].split("\n").length, stream.counts.applied, format);
    for (const [i, output] of outputs.entries()) assertEquals(output, outputs[0], lamps[i].name);
  }
});

Deno.test("every fan-out server syncs each lamp, then reaches all with each command", async () => {
  requireProgram("cc", "gcc");
  const swarm = await lampSwarmFactory();
  const servers = [
    (await cServer())!,
    NODE_NET,
    BARE_DENO,
    DENO_NODE_NET,
    reusePortServer("deno", 2, "sequential"),
    reusePortServer("node", 2),
    batchedWritesServer("chunks=7"),
    batchedWritesServer("lanes=3"),
    standServer(),
    standServer(1),
  ];
  for (const server of servers) {
    const run = await measureFanout(server, swarm.create(), 50, "paced", 2);
    assertEquals(run.lastMs.length, 2, server.name);
    assertEquals(run.excessBytes, 0, `${server.name}: no lamp has more than was sent`);
    const counted = run.connections.reduce((a, b) => a + b, 0);
    if (run.connections.length > 0) assertEquals(counted, 50, server.name); // the stand: its API
  }
});

Deno.test("the C swarm's WebSocket lamps upgrade on a real stand's /lamp, are synced, and count every command's payload", async () => {
  requireProgram("cc", "gcc");
  const swarm = await lampSwarmFactory();
  for (const server of [standServer(undefined, "websocket"), standServer(1, "websocket")]) {
    for (const mode of ["paced", "burst"] as const) {
      // Each goal is the sync's 9 payload bytes plus 6 per command: a lamp that counted the
      // 101 answer or a frame header would have more than the goal when the last one reached it.
      const run = await measureFanout(server, swarm.create(), 20, mode, 3);
      assertEquals(run.lastMs.length, 3, `${server.name}, ${mode}`);
      assertEquals(run.excessBytes, 0, `${server.name}, ${mode}: only payload bytes counted`);
    }
  }
});

Deno.test("flashlight fed over ws:// in messages that cut frames applies the whole stream and answers the close with 1000", async () => {
  const stream = frameStream("mixed", 3000);
  for (const messageBytes of [64 * 1024, 1024, 5]) {
    const lamp = flashlightWebSocketLamp(["--log", "text"], messageBytes);
    // feedLamp checks the close; the final color's line shows the last frame was applied.
    const fed = await feedLamp(lamp, stream, { watch: "#123456" });
    assertEquals(fed.lines >= stream.counts.applied, true, lamp.name);
  }
});
