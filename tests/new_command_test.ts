/**
 * The walk-through of docs/protocol.md ("Adding a command"), followed to the letter: BRIGHTNESS,
 * a command with a value and a piece of state of its own, is defined here and only here (one
 * module's worth of code and one table line), and reaches every surface: the lamp's terminal
 * view and its text and JSON logs, the stand's API, `send`, the sync of a late lamp, `/status`,
 * the page in Chromium, and a fleet of two stands on one redis-server through a restart.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { runSend } from "../src/cli/run_send.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { LampClient } from "../src/client/lamp_client.ts";
import { type Command, MALFORMED } from "../src/commands/command.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import type { StateField } from "../src/lamp/lamp_state.ts";
import { LogWriter } from "../src/log/log_writer.ts";
import { OutputWriter } from "../src/log/output_writer.ts";
import { logOutput } from "../src/render/lamp_output.ts";
import { plainLampLine, renderLampView } from "../src/render/lamp_view.ts";
import { initialLinkView } from "../src/render/lamp_view_model.ts";
import { launchChromium } from "../scripts/support/browser.ts";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { Fleet, until } from "./support/fleet.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";

// ---- src/commands/brightness.ts, as the walk-through writes it --------------------------------

/** How bright the lamp is, 0–255: 255 for a new lamp; shown as a labelled value. */
const BRIGHTNESS_STATE: StateField<number> = {
  name: "brightness",
  initial: 255,
  text: String,
  json: (level) => level,
};

/** BRIGHTNESS: type `0x30`, value one byte (the level 0–255); sets the brightness. */
const BRIGHTNESS: Command<number> = {
  type: 0x30,
  name: "BRIGHTNESS",
  valueHint: "0-255",
  state: BRIGHTNESS_STATE,
  decode: (bytes, start, end) => end - start === 1 ? bytes[start] : MALFORMED,
  encode: (level) => Uint8Array.of(level),
  parse(text) {
    if (text === undefined || !/^\d{1,3}$/.test(text.trim()) || Number(text) > 255) {
      throw new RangeError(`BRIGHTNESS needs a level 0-255, got ${JSON.stringify(text)}`);
    }
    return Number(text);
  },
  format: String,
};

// ---- src/commands/command_table.ts: the one new line of BUILTIN_COMMANDS ----------------------

const TABLE = createCommandTable([BRIGHTNESS]);

// -----------------------------------------------------------------------------------------------

const brightness = (value: string) => ({
  method: "message",
  params: { command: "BRIGHTNESS", value },
});

/** An output that keeps what is written, as text. */
function textOutput(): { out: OutputWriter; text: () => string } {
  let text = "";
  const decoder = new TextDecoder();
  const out = new OutputWriter({
    write: (bytes) => {
      text += decoder.decode(bytes);
      return Promise.resolve(bytes.length);
    },
  });
  return { out, text: () => text };
}

Deno.test("a new command with its own state is applied by a lamp and shown in its view and its text and JSON logs", async () => {
  await using test = await startTestStand({ table: TABLE });
  const logs = (["text", "json"] as const).map((format) => {
    const { out, text } = textOutput();
    const log = new LogWriter(out, { format, level: "info" });
    return { log, text, output: logOutput(log, TABLE.state) };
  });
  const lamps = logs.map(({ output }) =>
    new LampClient({
      addresses: [{ hostname: "127.0.0.1", port: test.stand.ports.lamp }],
      table: TABLE,
      ...output.listener,
      onEvent: (event) => output.onEvent(event),
      onRead: () => output.onRead(),
    })
  );
  try {
    await until(() => lamps.every((lamp) => lamp.counts.applied >= 3)); // the sync: 3 frames
    assertEquals(lamps[0].state, { on: false, color: 0xffffff, brightness: 255 });
    assertEquals((await postApi(test.api, brightness("128"))).status, 200);
    await until(() => lamps.every((lamp) => lamp.state.brightness === 128));

    const shown = {
      fields: TABLE.state,
      state: lamps[0].state,
      last: lamps[0].last,
      counts: lamps[0].counts,
    };
    const link = initialLinkView("127.0.0.1:9999");
    const view = renderLampView(link, shown, "none", 0, { columns: 120, rows: 24 }).join("\n");
    assertStringIncludes(view, "brightness 128");
    assertStringIncludes(view, "last: BRIGHTNESS 128");
    assertStringIncludes(plainLampLine(link, shown), "| brightness 128");
    // Narrow, the new piece is the first to go, before the last command.
    const narrow = renderLampView(link, shown, "none", 0, { columns: 48, rows: 24 });
    assert(!narrow.join("\n").includes("brightness"), narrow.join("\n"));

    // A value of the wrong length is ignored by the lamp as malformed.
    const malformed = await postApi(test.api, {
      method: "frame",
      params: { type: 0x30, value: "0102" },
    });
    assertEquals(malformed.answer.effect, "malformed");
    await until(() => lamps.every((lamp) => lamp.counts.malformed === 1));
    assertEquals(lamps[0].state.brightness, 128);

    for (const { log } of logs) await log.flush(1000);
    const [text, json] = logs.map(({ text }) => text());
    assertStringIncludes(
      text,
      "command=BRIGHTNESS value=128 on=false color=#ffffff brightness=128\n",
    );
    const line = json.split("\n").map((line) => line && JSON.parse(line))
      .find((record) => record && record.command === "BRIGHTNESS" && record.value === "128");
    assertEquals(
      [line.on, line.color, line.brightness],
      [false, "#ffffff", 128],
      "one field per piece of state, typed as its JSON",
    );
  } finally {
    await Promise.all(lamps.map((lamp) => lamp.close()));
  }
});

Deno.test("a stand with a new command takes it from the API and from send, with its own value check, and syncs a late lamp to it", async () => {
  await using test = await startTestStand({ table: TABLE });
  const ok = await postApi(test.api, brightness("64"));
  assertEquals(ok.status, 200);
  assertEquals(ok.answer.brightness, 64);
  assertEquals([ok.answer.on, ok.answer.color], [false, "#ffffff"], "the existing fields stay");
  const refused = await postApi(test.api, brightness("300"));
  assertEquals(refused.status, 422);
  assertStringIncludes(String(refused.answer.error), "BRIGHTNESS needs a level 0-255");

  assertEquals(await runSend(["BRIGHTNESS", "200", "--api", test.api], TABLE), 0);
  const error = await assertRejects(
    () => runSend(["BRIGHTNESS", "300", "--api", test.api], TABLE),
    UsageError,
  );
  assertStringIncludes(error.message, "BRIGHTNESS needs a level 0-255");

  const status = await (await fetch(`${test.api}/status`)).json();
  assertEquals(status.state, { on: false, color: "#ffffff", brightness: 200 });

  // A lamp that connects now is synced: COLOR, BRIGHTNESS, then OFF (the light last).
  await using late = startTestLamp(test.stand.ports.lamp, { table: TABLE });
  await late.events.next(isCommand("OFF", ""));
  assertEquals(late.client.state, { on: false, color: 0xffffff, brightness: 200 });
  const sync = late.events.events.filter((event) => event.event === "command")
    .map((event) => event.command);
  assertEquals(sync, ["COLOR", "BRIGHTNESS", "OFF"]);
});

Deno.test("the page shows a new piece of state as a labelled value and sends the new command", async () => {
  await using test = await startTestStand({ table: TABLE });
  const context = await launchChromium();
  if (!context) return;
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(test.web);
    await page.locator('#link[data-live="true"]').waitFor();
    const value = page.locator('#pieces [data-piece="brightness"] dd');
    assertEquals(await value.textContent(), "255");
    await postApi(test.api, brightness("17"));
    await page.locator('#pieces [data-piece="brightness"] dd', { hasText: /^17$/ }).waitFor();
    await page.locator("#brightness-value").fill("99");
    await page.locator("#brightness").click();
    await until(async () => (await test.stand.status()).state.brightness === 99);
    await page.locator('#pieces [data-piece="brightness"] dd', { hasText: /^99$/ }).waitFor();
  } finally {
    await context.close();
  }
});

Deno.test("two stands on one redis-server converge on a new command's state after one restarts", async () => {
  if (!requireProgram("redis-server", "redis-server")) return;
  await using fleet = await Fleet.start();
  const a = await fleet.stand({ table: TABLE });
  let b = await fleet.stand({ table: TABLE });
  assertEquals((await postApi(a.api, brightness("42"))).status, 200);
  await until(async () => (await b.stand.status()).state.brightness === 42);

  await b.stand.close();
  assertEquals((await postApi(a.api, brightness("7"))).status, 200);
  b = await fleet.stand({ table: TABLE });
  await until(async () => (await b.stand.status()).state.brightness === 7);
  await using lamp = startTestLamp(b.stand.ports.lamp, { table: TABLE });
  await until(() => lamp.client.state.brightness === 7);
});

Deno.test("the walk-through in docs/protocol.md defines BRIGHTNESS exactly as this test does", async () => {
  const docs = await Deno.readTextFile(new URL("../docs/protocol.md", import.meta.url));
  const here = await Deno.readTextFile(new URL(import.meta.url));
  const walkThrough = docs.slice(docs.indexOf("## Adding a command"));
  const module = /```ts ignore\n([\s\S]*?)```/.exec(walkThrough)?.[1] ?? "";
  const declarations = module.split(/\n(?=\/\*\*)/).filter((part) => part.includes("export const"));
  assertEquals(declarations.length, 2, "the state and the command");
  for (const declaration of declarations) {
    assertStringIncludes(here, declaration.replace("export const", "const").trim());
  }
  assertStringIncludes(walkThrough, "[ON, OFF, COLOR, BRIGHTNESS]");
});
