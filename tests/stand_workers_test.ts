/**
 * The stand with its lamp port served by two lamp workers (`workers: 2`, as `serve` runs on two
 * cores): the lamps are one list to the stand, whichever worker holds each. The write loop and
 * the drop rule inside a worker are in lamp_hub_test.ts, for both kinds of lamp side.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { requireProgram } from "../scripts/support/flashlight_process.ts";
import { commandsIn, isCommand, startTestLamp, startTestLamps } from "./support/test_lamp.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";
import { closeQuietly, readUntilEnd } from "./support/test_server.ts";

const COLOR = (value: string) => ({ method: "message", params: { command: "COLOR", value } });
const ON = { method: "message", params: { command: "ON" } };

Deno.test("with two lamp workers, every lamp gets its sync first and then every command in order; the stand counts them as one list", async () => {
  await using stand = await startTestStand({ workers: 2 });
  assertEquals(
    stand.log.events.find((e) => e.event === "listening" && e.service === "lamps")?.workers,
    2,
  );
  await using group = startTestLamps(8, stand.stand.ports.lamp);
  await Promise.all(group.lamps.map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
  await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 8, 0);
  const values = ["110000", "220000", "330000", "440000", "550000"];
  const answers = [];
  for (const value of values) answers.push((await postApi(stand.api, COLOR(value))).answer);
  answers.push((await postApi(stand.api, ON)).answer);
  assertEquals(answers.map((answer) => answer.lamps), [8, 8, 8, 8, 8, 8]);
  for (const lamp of group.lamps) {
    await lamp.events.next(isCommand("ON"), 0);
    assertEquals(commandsIn(lamp.events.events), [
      "COLOR #ffffff",
      "OFF",
      ...values.map((value) => `COLOR #${value}`),
      "ON",
    ]);
  }
  assertEquals((await stand.stand.status()).lamps, 8);
});

Deno.test("with two lamp workers, a lamp that connects later is synced to the state the commands so far led to", async () => {
  await using stand = await startTestStand({ workers: 2 });
  await postApi(stand.api, COLOR("00ff00"));
  await postApi(stand.api, ON);
  for (let i = 0; i < 4; i++) { // enough lamps that both workers take some
    await using late = startTestLamp(stand.stand.ports.lamp);
    await late.events.next(isCommand("ON"), 0);
    // A worker learns of each frame a moment after the stand sent it: a lamp it takes in that
    // moment is synced to the state before the frame, then gets the frame. Any such cut is
    // right (a sync, then every later frame, never an older one); the lamp ends on the state.
    const cuts = [
      ["COLOR #ffffff", "OFF", "COLOR #00ff00", "ON"],
      ["COLOR #00ff00", "OFF", "ON"],
      ["COLOR #00ff00", "ON"],
    ];
    const seen = commandsIn(late.events.events);
    assert(cuts.some((cut) => cut.join() === seen.join()), `not a sync and what followed: ${seen}`);
  }
});

Deno.test("with two lamp workers, a lamp that never reads is dropped and logged without delaying the others", async () => {
  await using stand = await startTestStand({ workers: 2, queueLimit: 64 * 1024 });
  await using group = startTestLamps(3, stand.stand.ports.lamp);
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp });
  try {
    await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 4, 0);
    const value = new Uint8Array(30_000);
    let sent = 0;
    while (!stand.log.events.some((e) => e.event === "lamp_dropped") && sent < 2000) {
      await stand.stand.send({ type: 0x40, value, command: "FRAME", text: "" });
      sent++;
      await Promise.all(
        group.lamps.map((lamp) =>
          lamp.events.next((e) => e.event === "ignored" && lamp.client.counts.unknown === sent, 0)
        ),
      );
    }
    const dropped = await stand.log.nextNamed("lamp_dropped", 0);
    assertStringIncludes(String(dropped.reason), "send queue over 65536 bytes");
    assertEquals(dropped.lamps, 3);
    for (const lamp of group.lamps) assertEquals(lamp.client.counts.unknown, sent);
    assert(sent < 2000, `dropped after ${sent} frames`);
  } finally {
    closeQuietly(stuck);
  }
});

Deno.test("with two lamp workers, the lamp budget holds for all of them together", async () => {
  await using stand = await startTestStand({ workers: 2, maxLamps: 3 });
  const conns = await Promise.all(
    Array.from(
      { length: 6 },
      () => Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp }),
    ),
  );
  let refused = 0;
  const threeRefused = Promise.withResolvers<void>();
  const endings = conns.map((conn) =>
    readUntilEnd(conn).then((ending) => {
      if (ending === "eof" && ++refused === 3) threeRefused.resolve();
      return ending;
    })
  );
  try {
    await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 3, 0);
    await threeRefused.promise;
    assertEquals((await stand.stand.status()).lamps, 3);
    assertEquals(refused, 3, "the other three stay connected");
  } finally {
    for (const conn of conns) closeQuietly(conn);
    await Promise.all(endings);
  }
});

Deno.test("with two lamp workers, closing the stand gives each lamp a clean EOF and logs it", async () => {
  const stand = await startTestStand({ workers: 2 });
  const raws = await Promise.all(
    Array.from(
      { length: 4 },
      () => Deno.connect({ hostname: "127.0.0.1", port: stand.stand.ports.lamp }),
    ),
  );
  await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 4, 0);
  const [endings] = await Promise.all([Promise.all(raws.map(readUntilEnd)), stand.stand.close()]);
  assertEquals(endings, ["eof", "eof", "eof", "eof"]);
  const reasons = stand.log.events.filter((e) => e.event === "lamp_disconnected").map((e) =>
    e.reason
  );
  assertEquals(reasons, Array(4).fill("stand shutting down"));
});

Deno.test("with two lamp workers, the lamp port over TLS syncs each lamp and reaches it", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const pki = await createTestPki();
  await using stand = await startTestStand({ workers: 2, tls: { lamp: pki.server } });
  const lamps = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        Deno.connectTls({ hostname: "localhost", port: stand.stand.ports.lamp, caCerts: [pki.ca] }),
    ),
  );
  try {
    await stand.log.next((e) => e.event === "lamp_connected" && e.lamps === 4, 0);
    await postApi(stand.api, ON);
    for (const lamp of lamps) {
      const bytes: number[] = [];
      const buffer = new Uint8Array(64);
      while (bytes.length < 12) bytes.push(...buffer.subarray(0, await lamp.read(buffer) ?? 0));
      assertEquals(bytes, [0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0, 0x12, 0, 0], "sync, then ON");
    }
  } finally {
    for (const lamp of lamps) closeQuietly(lamp);
  }
});
