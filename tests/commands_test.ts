import { assertEquals, assertThrows } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import { Dispatcher } from "../src/commands/dispatcher.ts";
import { formatColor, parseColor } from "../src/lamp/rgb.ts";
import { encodeFrame } from "../src/protocol/encode_frame.ts";
import { FrameDecoder } from "../src/protocol/frame_decoder.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { BLINK } from "./support/blink_command.ts";

const table = createCommandTable();

function run(frames: [number, string][]) {
  const dispatcher = new Dispatcher(table);
  const kinds = frames.map(([type, hex]) => {
    const value = parseHex(hex);
    return dispatcher.frame(type, value, 0, value.length);
  });
  const { on, color } = dispatcher.state;
  return { on, color: formatColor(color as number), kinds: kinds as string[] };
}

Deno.test("a new lamp is off and white", () => {
  assertEquals(new Dispatcher(table).state, { on: false, color: 0xffffff });
});

Deno.test("command vectors: ON, OFF, COLOR, unknown and malformed frames", () => {
  const cases: { frames: [number, string][]; on: boolean; color: string; kinds: string[] }[] = [
    { frames: [[0x20, "ff0000"]], on: false, color: "#ff0000", kinds: ["applied"] },
    { frames: [[0x12, ""]], on: true, color: "#ffffff", kinds: ["applied"] },
    {
      frames: [[0x12, ""], [0x13, ""]],
      on: false,
      color: "#ffffff",
      kinds: ["applied", "applied"],
    },
    {
      frames: [[0x12, ""], [0x99, "0102030405"], [0x20, "00ff00"]],
      on: true,
      color: "#00ff00",
      kinds: ["applied", "unknown", "applied"],
    },
    {
      frames: [[0x20, "ff00"], [0x20, "ff000000"], [0x12, "00"]],
      on: false,
      color: "#ffffff",
      kinds: ["malformed", "malformed", "malformed"],
    },
  ];
  for (const { frames, ...expected } of cases) assertEquals(run(frames), expected);
});

Deno.test("the dispatcher's snapshot is immutable and stays the same object while nothing changes", () => {
  const dispatcher = new Dispatcher(table);
  const before = dispatcher.state;
  assertEquals(Object.isFrozen(before), true);
  dispatcher.frame(0x13, new Uint8Array(), 0, 0);
  assertEquals(dispatcher.state === before, true, "OFF on a dark lamp changes nothing");
  dispatcher.frame(0x12, new Uint8Array(), 0, 0);
  const lit = dispatcher.state;
  assertEquals([before.on, lit.on], [false, true], "the earlier snapshot did not change");
});

Deno.test("unknown values cut by a read are skipped unless a listener reads ignored frames", () => {
  const stream = [...encodeFrame(0x77, new Uint8Array(3000)), ...encodeFrame(0x12)];
  const chunks = [stream.slice(0, 1500), stream.slice(1500)].map((part) => Uint8Array.from(part));
  const quiet = new Dispatcher(table);
  const heard: number[] = [];
  const listening = new Dispatcher(table, {
    onIgnored: (_, type, _b, start, end) => heard.push(type, end - start),
  });
  assertEquals([quiet.skips(0x77), quiet.skips(0x20), listening.skips(0x77)], [true, false, false]);
  for (const dispatcher of [quiet, listening]) {
    const decoder = new FrameDecoder(dispatcher);
    for (const chunk of chunks) decoder.push(chunk, dispatcher.frame);
    assertEquals(dispatcher.counts, { applied: 1, unknown: 1, malformed: 0, keepalives: 0 });
    assertEquals(dispatcher.state.on, true);
  }
  assertEquals(heard, [0x77, 3000], "the listener got the whole value");
});

Deno.test("formatInto writes exactly the bytes of format's text, for every built-in command", () => {
  const colors = [0x000000, 0xffffff, 0x0a0b0c, 0x123456, 0xff0000, 0x00ff00, 0x0000ff, 0xabcdef];
  for (const command of table.commands) {
    const values = command.name === "COLOR" ? colors : [null];
    for (const args of values) {
      const out = new Uint8Array(80).fill(0x2e);
      const end = command.formatInto!(args, out, 5);
      assertEquals(new TextDecoder().decode(out.subarray(5, end)), command.format(args));
      assertEquals(out[end], 0x2e, "nothing written past the end");
    }
  }
});

Deno.test("COLOR while off is stored and shown when turned on", () => {
  assertEquals(run([[0x20, "0000ff"], [0x12, ""]]), {
    on: true,
    color: "#0000ff",
    kinds: ["applied", "applied"],
  });
});

Deno.test("commands are found by type and by name in any case", () => {
  assertEquals(table.byType(0x12)?.name, "ON");
  assertEquals(table.byName("color")?.type, 0x20);
  assertEquals(table.byType(0x21), undefined);
  assertEquals(table.commands.map((c) => c.name), ["ON", "OFF", "COLOR"]);
});

Deno.test("command text values: COLOR takes six hex digits, ON and OFF take none", () => {
  const color = table.byName("COLOR")!;
  assertEquals(color.parse("#FF8000"), 0xff8000);
  assertEquals(color.encode(color.parse("ff0000")), new Uint8Array([255, 0, 0]));
  assertThrows(() => color.parse("red"), RangeError, '"red"');
  assertThrows(() => color.parse(undefined), RangeError, "needs a value");
  assertEquals(table.byName("ON")!.parse(undefined), true); // what ON sets: lit
  assertThrows(() => table.byName("OFF")!.parse("1"), RangeError, "takes no value");
  assertEquals(parseColor(" 00ff00 "), 0x00ff00);
});

Deno.test("an extra command registers without touching existing files", () => {
  const extended = createCommandTable([BLINK]);
  assertEquals(extended.byName("blink"), BLINK);
  const dispatcher = new Dispatcher(extended);
  assertEquals(dispatcher.frame(0x21, new Uint8Array([3]), 0, 1), "applied");
  assertEquals(dispatcher.state.on, true);
  assertEquals(dispatcher.frame(0x21, new Uint8Array(), 0, 0), "malformed");
});

Deno.test("a command whose type or name is taken is refused with both names", () => {
  assertThrows(
    () => createCommandTable([{ ...BLINK, type: 0x20 }]),
    RangeError,
    "BLINK (0x20) clashes with COLOR",
  );
  assertThrows(() => createCommandTable([{ ...BLINK, name: "on" }]), RangeError, "clashes with ON");
});
