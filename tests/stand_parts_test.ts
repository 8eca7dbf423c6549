/**
 * The stand's parts on their own, without sockets: the core keeps the last frames and one sync per
 * state, the delivery reaches lamps and browsers and adopts a fleet's state, the browser side
 * greets with the table's pieces and commands and sends counts when they change, the heartbeat
 * renews, and a failed bind is said in words.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import type { OutgoingCommand } from "../src/commands/outgoing_command.ts";
import { bindPort } from "../src/stand/bind_port.ts";
import type { BrowserMessage } from "../src/stand/page/messages.ts";
import { BrowserSide } from "../src/stand/browser_side.ts";
import { Delivery } from "../src/stand/delivery.ts";
import { startHeartbeat } from "../src/stand/heartbeat.ts";
import { StandMetrics } from "../src/stand/metrics.ts";
import { StandCore } from "../src/stand/stand_core.ts";
import type { ServerWebSocket } from "../src/stand/server/websocket.ts";

const table = createCommandTable();
const color = (rgb: number): OutgoingCommand => ({
  type: 0x20,
  value: Uint8Array.of(rgb >> 16, rgb >> 8, rgb),
  command: "COLOR",
  text: `#${rgb.toString(16).padStart(6, "0")}`,
});
const ON: OutgoingCommand = { type: 0x12, value: new Uint8Array(), command: "ON", text: "" };

/** A fake browser socket that keeps what it is sent. */
function socket(): ServerWebSocket & { sent: BrowserMessage[] } {
  const sent: BrowserMessage[] = [];
  const target = new EventTarget();
  return Object.assign(target, {
    sent,
    readyState: WebSocket.OPEN,
    bufferedAmount: 0,
    send: (text: string) => sent.push(JSON.parse(text)),
    close: () => {},
  }) as unknown as ServerWebSocket & { sent: BrowserMessage[] };
}

Deno.test("the core keeps the last 20 frames, and one sync per state, made again only when the state changes", () => {
  const core = new StandCore(table);
  const lamps = { broadcast: () => 1 };
  const first = core.sync();
  assert(core.sync() === first, "the same sync while nothing changed");
  for (let i = 0; i < 25; i++) core.deliver(color(i), lamps);
  assertEquals(core.recent.length, 20);
  assertEquals(core.recent[0].value, "#000005");
  assertEquals(core.last?.value, "#000018");
  const synced = core.sync();
  assert(synced !== first);
  assertEquals([...synced[0]], [0x20, 0, 3, 0, 0, 0x18, 0x13, 0, 0], "COLOR, then OFF");
});

Deno.test("a delivery applies the command, queues it for every lamp, shows it to browsers and logs it", () => {
  const core = new StandCore(table);
  const frames: Uint8Array[] = [];
  const lamps = { count: 2, broadcast: (frame: Uint8Array) => (frames.push(frame), 2) };
  const browsers = new BrowserSide({ table, core, lamps, queueLimit: 1 << 16, log: () => {} });
  const browser = socket();
  browsers.hub.add(browser);
  const logged: string[] = [];
  const delivery = new Delivery({
    core,
    lamps,
    browsers,
    metrics: new StandMetrics(),
    log: (record) => logged.push(String(record.event)),
    sync: true,
  });
  try {
    const result = delivery.deliver({ id: "1-0", origin: "a", command: ON });
    assertEquals([result.command, result.lamps, result.on], ["ON", 2, true]);
    assertEquals(frames.map((frame) => [...frame]), [[0x12, 0, 0]]);
    assertEquals(browser.sent.map((message) => message.type), ["frame"]);
    delivery.adopt({ on: false, color: 0x0000ff }, "9-0");
    assertEquals(core.shown, { on: false, color: "#0000ff" });
    assertEquals([...frames[1]], [0x20, 0, 3, 0, 0, 0xff, 0x13, 0, 0], "lamps synced to it");
    assertEquals(browser.sent.at(-1)?.type, "hello", "browsers shown it");
    assertEquals(logged, ["command", "state_adopted"]);
  } finally {
    browsers.close();
  }
});

Deno.test("the browser side greets with the table's pieces and commands, the state, the counts and the last frames", () => {
  const core = new StandCore(table);
  core.deliver(color(0xff0000), { broadcast: () => 0 });
  const browsers = new BrowserSide({
    table,
    core,
    lamps: { count: 3 },
    queueLimit: 1 << 16,
    log: () => {},
  });
  try {
    const hello = browsers.hello();
    assert(hello.type === "hello");
    assertEquals(hello.pieces, [{ name: "on", shows: "light" }, { name: "color", shows: "color" }]);
    assertEquals(hello.commands.map((command) => command.name), ["ON", "OFF", "COLOR"]);
    assertEquals([hello.state, hello.lamps, hello.browsers], [
      {
        on: false,
        color: "#ff0000",
      },
      3,
      0,
    ]);
    assertEquals(hello.recent.map((frame) => frame.value), ["#ff0000"]);
  } finally {
    browsers.close();
  }
});

Deno.test("the browser side sends the counts when they change, not on every tick", async () => {
  const lamps = { count: 0 };
  const browsers = new BrowserSide({
    table,
    core: new StandCore(table),
    lamps,
    queueLimit: 1 << 16,
    log: () => {},
  });
  const browser = socket();
  browsers.hub.add(browser);
  const counts = () => browser.sent.filter((message) => message.type === "count");
  try {
    while (counts().length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    lamps.count = 5;
    while (counts().length === 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assertEquals(counts().map((message) => message.type === "count" && message.lamps), [0, 5]);
  } finally {
    browsers.close();
  }
});

Deno.test("the heartbeat reports the counts at once when they change", async () => {
  const beats: number[] = [];
  let lamps = 1;
  const stop = startHeartbeat({ heartbeat: (count) => beats.push(count) }, () => ({
    lamps,
    browsers: 0,
  }));
  try {
    while (beats.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    lamps = 2;
    while (!beats.includes(2)) await new Promise((resolve) => setTimeout(resolve, 50));
    assertEquals(beats.slice(0, 2), [1, 2]);
  } finally {
    stop();
  }
});

Deno.test("a failed bind names the port, the address and the flag to change", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  assertThrows(
    () => bindPort("web", "127.0.0.1", port, () => Deno.listen({ hostname: "127.0.0.1", port })),
    Deno.errors.AddrInUse,
    `web port 127.0.0.1:${port} is already in use (choose another with --web-port)`,
  );
});
