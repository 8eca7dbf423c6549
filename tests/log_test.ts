/**
 * Logging: escaping, line formats, the leveled writer, the non-blocking output, and the lamp's
 * fast command lines (which must read exactly like the general formatter's).
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { COLOR } from "../src/commands/color.ts";
import { type Command, MALFORMED } from "../src/commands/command.ts";
import { ON } from "../src/commands/power.ts";
import { escapeText, quoteText, safeJson } from "../src/log/escape_text.ts";
import { formatLogLine } from "../src/log/log_line.ts";
import { LineBatch } from "../src/log/line_batch.ts";
import { LogWriter } from "../src/log/log_writer.ts";
import { OutputWriter } from "../src/log/output_writer.ts";
import { LampLog } from "../src/render/lamp_log.ts";
import { logOutput } from "../src/render/lamp_output.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { Dispatcher } from "../src/commands/dispatcher.ts";
import { encodeFrame } from "../src/protocol/encode_frame.ts";
import { FrameDecoder } from "../src/protocol/frame_decoder.ts";
import { BLINK } from "./support/blink_command.ts";

const TIME = "2026-11-25T12:00:00.000Z";
const decoder = new TextDecoder();

/** An output that collects what is written; `hold` keeps writes pending until `release()`. */
function collector() {
  const state = {
    text: "",
    writes: 0,
    held: [] as (() => void)[],
    fail: null as Error | null,
    hold: false,
  };
  const out = new OutputWriter({
    write: (bytes) => {
      if (state.fail) return Promise.reject(state.fail);
      state.writes++;
      state.text += decoder.decode(bytes);
      if (!state.hold) return Promise.resolve(bytes.length);
      return new Promise((resolve) => state.held.push(() => resolve(bytes.length)));
    },
  }, { limitBytes: 1000 });
  const release = () => state.held.splice(0).forEach((resolve) => resolve());
  return { out, state, release };
}

Deno.test("C1 controls and bidi overrides are escaped like C0 controls, in text and JSON logs", () => {
  const hostile = "a\u009b2Jb\u202eevil\u2066x\u0007\u001b[31m";
  const text = formatLogLine({ event: "api_error", error: hostile }, "warn", "text", TIME);
  const json = formatLogLine({ event: "api_error", error: hostile }, "warn", "json", TIME);
  for (const line of [text, json]) {
    assertFalse(
      // deno-lint-ignore no-control-regex -- looking for control characters is the point
      /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(line),
      JSON.stringify(line),
    );
  }
  assertStringIncludes(text, '"a\\u009b2Jb\\u202eevil\\u2066x\\u0007\\u001b[31m"');
  assertEquals(JSON.parse(json).error, hostile, "the JSON still carries the exact value");
  assertEquals(escapeText("ok \u200f"), "ok \\u200f");
  assertEquals(quoteText("plain"), '"plain"');
  assertEquals(safeJson('"\u0085"'), '"\\u0085"');
});

Deno.test("log lines: text with key=value, JSON with the stable fields, keys escaped too", () => {
  assertEquals(
    formatLogLine(
      { event: "disconnected", address: "127.0.0.1:9999", reason: "connection reset" },
      "warn",
      "text",
      TIME,
    ),
    '2026-11-25T12:00:00.000Z warn  disconnected address=127.0.0.1:9999 reason="connection reset"',
  );
  assertEquals(JSON.parse(formatLogLine({ event: "x", n: 1, ok: true }, "info", "json", TIME)), {
    time: TIME,
    level: "info",
    event: "x",
    n: 1,
    ok: true,
  });
  assertEquals(
    formatLogLine({ event: "x", "a b": "c" }, "info", "text", TIME),
    `${TIME} info  x "a b"=c`,
  );
});

Deno.test("log writer batches one turn's lines into one write and filters by level", async () => {
  const { out, state } = collector();
  const log = new LogWriter(out, { format: "text", level: "info", now: () => 0 });
  log.log({ event: "a" }, "info");
  log.log({ event: "b" }, "debug");
  log.log({ event: "c" }, "warn");
  assertEquals(state.writes, 0);
  await log.flush(1000);
  assertEquals(state.writes, 1);
  assertEquals(state.text, "1970-01-01T00:00:00.000Z info  a\n1970-01-01T00:00:00.000Z warn  c\n");
});

Deno.test("a stalled output never blocks: past its bound lines are dropped, counted and reported", async () => {
  const { out, state, release } = collector();
  state.hold = true;
  const dropped: number[] = [];
  let dropping = 0;
  const log = new LogWriter(out, {
    format: "text",
    level: "info",
    now: () => 0,
    onDropping: () => dropping++,
    onDropped: (n) => dropped.push(n),
  });
  for (let i = 0; i < 200; i++) {
    log.log({ event: "line", i }, "info");
    await Promise.resolve(); // one line per turn: 200 separate batches
  }
  assertEquals(state.writes, 1, "one write in flight, the rest queued or dropped");
  release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  release();
  state.hold = false;
  log.log({ event: "after" }, "info");
  await log.flush(1000);
  const lines = state.text.trimEnd().split("\n");
  assertEquals([dropping, dropped.length], [1, 1], "said once when it starts, once with the count");
  assertStringIncludes(state.text, `log_dropped lines=${dropped[0]}`);
  assertEquals(lines.length + dropped[0] - 1, 201, "every line is either written or counted");
});

Deno.test("the queue's bound counts what a chunk holds: a line cut out of a large buffer counts all of it", async () => {
  const { out, state, release } = collector(); // a bound of 1,000 bytes
  state.hold = true;
  const cutOut = (text: string) => {
    const buffer = new Uint8Array(64 * 1024);
    return buffer.subarray(0, new TextEncoder().encodeInto(text, buffer).written);
  };
  out.write("in flight\n");
  assert(out.write("a".repeat(599) + "\n"), "fits");
  assert(out.write("b".repeat(399) + "\n"), "fits exactly");
  assertEquals(out.pending, 1000);
  assertFalse(out.write("c\n"), "one byte over");
  assertFalse(out.write(cutOut("d\n")), "2 bytes of text, 64 KiB held");
  assertEquals(out.takeDropped(), 2);
  release();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the queue is in flight now
  assertEquals(out.pending, 0);
  assert(out.write(cutOut("e\n")), "nothing queued: one chunk over the bound may wait");
  assertEquals(out.pending, 64 * 1024);
  assertFalse(out.write("f\n"), "nothing more while it waits");
  state.hold = false;
  release();
  await out.flush(1000);
  assertEquals(state.text, `in flight\n${"a".repeat(599)}\n${"b".repeat(399)}\ne\n`);
});

Deno.test("a line batch hands out lines that own their memory: a copy of a few, the buffer when they fill it", () => {
  const batch = new LineBatch(1024);
  /** A line of `length` bytes written straight into the batch, as the lamp's lines are. */
  const line = (length: number) => {
    const at = batch.length;
    batch.reserve(length).fill(0x78, at, at + length - 1)[at + length - 1] = 0x0a;
    batch.ended(at + length);
  };
  line(6);
  const few = batch.take();
  assertEquals([few.length, few.buffer.byteLength], [6, 6], "a copy");
  const buffer = batch.bytes.buffer;
  line(600);
  const many = batch.take();
  assertEquals([many.length, many.buffer], [600, buffer], "the buffer itself, no copy");
  assert(batch.bytes.buffer !== buffer, "the batch goes on in another buffer");
  batch.recycle(few); // too small to be a batch's buffer: let go
  batch.recycle(many);
  line(600);
  assertEquals(batch.take().buffer, buffer, "the buffer given back is filled again");
});

Deno.test("a log whose output stalls holds its queued lines, not a batch buffer per line", async () => {
  const out = new OutputWriter({ write: () => new Promise(() => {}) }); // the 4 MiB bound
  const log = new LogWriter(out, { format: "text", level: "info", now: () => 0 });
  const external = Deno.memoryUsage().external;
  for (let i = 0; i < 2000; i++) {
    log.log({ event: "line", i }, "info");
    await Promise.resolve(); // one line per turn: 2,000 batches of one line, all queued
  }
  const grown = Deno.memoryUsage().external - external;
  assertEquals(out.takeDropped(), 0);
  assert(
    grown < 2 * 1024 * 1024,
    `${(grown / 1e6).toFixed(1)} MB of buffers more for ${out.pending} queued bytes`,
  );
});

Deno.test("a failed write (closed pipe) is reported once and ends the output", async () => {
  const broken: Error[] = [];
  const failing = new OutputWriter({
    write: () => Promise.reject(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")),
  }, {
    onBroken: (error) => broken.push(error),
  });
  failing.write("a\n");
  assertEquals(await failing.flush(1000), false);
  assertEquals(failing.write("b\n"), false);
  assertEquals(broken.length, 1);
  assertEquals(broken[0].name, "BrokenPipe");
});

/** A command whose value (a decimal level) is written by formatInto, in one to three digits. */
const LEVEL: Command<number> = {
  type: 0x30,
  name: "LEVEL",
  valueHint: "0-255",
  decode: (bytes, start, end) => end - start === 1 ? bytes[start] : MALFORMED,
  encode: (level) => Uint8Array.of(level),
  parse: (text) => Number(text),
  format: (level) => String(level),
  formatInto(level, out, at) {
    for (const digit of String(level)) out[at++] = digit.charCodeAt(0);
    return at;
  },
};

/** An address that must be quoted in text and escaped in JSON. */
const ADDRESS = 'host "a\u009b":9999';

Deno.test("after the output broke, lines are not reported as dropped for being too slow", async () => {
  const failing = new OutputWriter({
    write: () => Promise.reject(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")),
  });
  let dropping = 0;
  const log = new LogWriter(failing, {
    format: "text",
    level: "info",
    onDropping: () => dropping++,
  });
  log.log({ event: "a" }, "info");
  assertEquals(await log.flush(1000), false);
  log.log({ event: "b" }, "info");
  await log.flush(1000);
  assertEquals(dropping, 0, "the broken output is said once, by its own notice");
});

Deno.test("the lamp's fast command lines are exactly the general formatter's, text and JSON", async () => {
  for (const format of ["text", "json"] as const) {
    const { out, state } = collector();
    const writer = new LogWriter(out, { format, level: "info", now: () => Date.parse(TIME) });
    const lampLog = new LampLog(writer, createCommandTable().state);
    lampLog.onEvent({ event: "connected", address: ADDRESS });
    const cases: [Command, unknown, boolean, number][] = [
      [COLOR, 0xff0000, false, 0xff0000],
      [ON, true, true, 0xff0000],
      [COLOR, 0x00a0b1, true, 0x00a0b1],
      [COLOR, 0x123456, true, 0x123456], // the same command and state: a copy of the line above
      [ON, true, true, 0x123456],
      [ON, true, true, 0x123456],
      [BLINK, 7, true, 0x123456], // no formatInto: the value goes through format and escaping
      [LEVEL, 7, true, 0x123456], // formatInto with values of changing length
      [LEVEL, 7, true, 0x123456],
      [LEVEL, 123, true, 0x123456],
      [LEVEL, 45, true, 0x123456],
      [LEVEL, 0, false, 0x123456],
    ];
    for (const [command, args, on, color] of cases) {
      lampLog.listener.onApplied!(command, args, [on, color]);
    }
    await writer.flush(1000);
    const lines = state.text.trimEnd().split("\n").slice(1);
    assertEquals(
      lines,
      cases.map(([command, args, on, color]) =>
        formatLogLine(
          {
            event: "command",
            address: ADDRESS,
            command: command.name,
            value: command.format(args),
            on,
            color: `#${color.toString(16).padStart(6, "0")}`,
          },
          "info",
          format,
          TIME,
        )
      ),
    );
  }
});

Deno.test("a lamp log that writes nothing per frame asks for nothing per frame", () => {
  const { out } = collector();
  assertEquals(
    new LampLog(new LogWriter(out, { format: "json", level: "error" }), []).listener,
    {},
  );
  assertEquals(
    Object.keys(new LampLog(new LogWriter(out, { format: "json", level: "info" }), []).listener),
    ["onApplied"],
  );
  assertEquals(
    Object.keys(new LampLog(new LogWriter(out, { format: "json", level: "debug" }), []).listener),
    ["onApplied", "onIgnored"],
  );
});

/** `count` COLOR frames of distinct colors, as one chunk. */
function colorFrames(count: number, first = 0): Uint8Array {
  const frames = Array.from(
    { length: count },
    (_, i) => [...encodeFrame(0x20, new Uint8Array([0, (first + i) >> 8, (first + i) & 0xff]))],
  );
  return Uint8Array.from(frames.flat());
}

/** A lamp's log as the lamp wires it: decoder → dispatcher → log lines → `out`. */
function loggedLamp(out: OutputWriter) {
  const log = new LogWriter(out, { format: "text", level: "info", now: () => 0 });
  const output = logOutput(log, createCommandTable().state);
  const dispatcher = new Dispatcher(createCommandTable(), output.listener);
  const decoder = new FrameDecoder(dispatcher);
  return { log, output, read: (chunk: Uint8Array) => decoder.push(chunk, dispatcher.frame) };
}

Deno.test("all lines of one read go out in one write as soon as the read was handled", async () => {
  const { out, state } = collector();
  const lamp = loggedLamp(out);
  lamp.read(colorFrames(50));
  assertEquals(state.writes, 0, "nothing is written per line");
  const handled = lamp.output.onRead();
  assertEquals(state.writes, 1, "one write, at the end of the read, not at some later turn");
  await handled;
  assertEquals(state.text.trimEnd().split("\n").length, 50);
  lamp.read(colorFrames(3, 50));
  await lamp.output.onRead();
  assertEquals(state.writes, 2);
  assertStringIncludes(state.text, "value=#000034 on=false color=#000034\n");
  await lamp.log.flush(1000);
});

Deno.test("a log reader that keeps up gets every line: reads wait for the output instead of dropping", async () => {
  let text = "";
  let writes = 0;
  const slow = new OutputWriter({
    write: async (bytes) => {
      writes++;
      text += decoder.decode(bytes);
      await new Promise((resolve) => setTimeout(resolve, 1)); // slower than the reads
      return bytes.length;
    },
  }, { limitBytes: 10_000 }); // less than three reads' lines: without waiting, most would drop
  const lamp = loggedLamp(slow);
  for (let read = 0; read < 20; read++) {
    lamp.read(colorFrames(100, 100 * read));
    const wait = lamp.output.onRead();
    if (read > 0) assert(wait !== undefined, `read ${read} waits behind the write in flight`);
    await wait;
  }
  await lamp.log.flush(1000);
  const lines = text.trimEnd().split("\n");
  assertEquals(lines.length, 2000, "no line dropped");
  assertEquals(slow.takeDropped(), 0);
  assertStringIncludes(lines[1999], "value=#0007cf");
  assert(writes <= 20, `${writes} writes for 20 reads`);
});

Deno.test("a stalled output holds writers back only for the stall time, then drops and counts", async () => {
  const { state, release } = collector();
  state.hold = true;
  const stalled = new OutputWriter({
    write: (bytes) => {
      state.writes++;
      return new Promise((resolve) => state.held.push(() => resolve(bytes.length)));
    },
  }, { limitBytes: 100, stallMs: 20 });
  stalled.write("in flight\n");
  assertEquals(stalled.whenRoom(), undefined, "nothing waits behind the write in flight");
  stalled.write("queued\n");
  const wait = stalled.whenRoom();
  assert(wait !== undefined, "a writer waits while a chunk is queued");
  await wait; // ends by the stall time: the first write never completes
  assertEquals(stalled.whenRoom(), undefined, "stalled: nobody is held up again");
  assertFalse(stalled.write("x".repeat(200), 3), "past the bound it drops");
  assertEquals(stalled.takeDropped(), 3);
  release(); // the reader came back: the first write completes, the queued one goes out
  while (state.writes < 2) await new Promise((resolve) => setTimeout(resolve, 0));
  stalled.write("after\n");
  const again = stalled.whenRoom();
  assert(again !== undefined, "no longer stalled: writers wait again");
  release();
  await again;
  release();
  await stalled.flush(1000);
  assertEquals(state.writes, 3);
});
