/**
 * Faults injected against the real lamp (process and client) and the stand: resets, half
 * frames, stalls, flapping servers, restarts while commands flow.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import { parseHex } from "../src/protocol/hex.ts";
import { parseApiRequest } from "../src/stand/api_request.ts";
import {
  FlashlightProcess,
  REPO_ROOT,
  requireProgram,
} from "../scripts/support/flashlight_process.ts";
import { isCommand, isEvent, startTestLamp } from "./support/test_lamp.ts";
import { startTestStand } from "./support/test_stand.ts";
import { restartablePort } from "../scripts/support/restartable_port.ts";
import { readUntilEnd, TestServer } from "./support/test_server.ts";

const table = createCommandTable();
const color = (value: string) =>
  parseApiRequest({ method: "message", params: { command: "COLOR", value } }, table);

Deno.test("server resets the connection (RST) mid-stream: the lamp reconnects and later closes cleanly", async () => {
  if (!requireProgram("python3", "python3")) return;
  const server = new Deno.Command("python3", {
    args: [`${REPO_ROOT}tests/support/reset_server.py`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const output = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await output.read()).value);
  const lamp = new FlashlightProcess([`:${port}`, "--log", "json", "--retry-max", "0.2"]);
  const input = server.stdin.getWriter();
  try {
    await lamp.waitForLine((line) => line.includes('"command":"ON"'));
    await input.write(new TextEncoder().encode("reset\n"));
    const down = JSON.parse(await lamp.waitForLine((line) => line.includes('"disconnected"')));
    assertStringIncludes(down.reason, "reset");
    assertStringIncludes(down.reason, "discarded 4 bytes of a partial frame");
    await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
    const result = await lamp.stop("SIGTERM");
    assertEquals(result.code, 0);
    let said = "";
    while (said.trim() === "") said += (await output.read()).value ?? "done";
    assertEquals(said.trim(), "eof");
  } finally {
    await input.close();
    await output.cancel();
    await server.status;
  }
});

Deno.test("server stalls forever mid-frame: the lamp stays connected and still stops at once on Ctrl-C", async () => {
  const server = new TestServer();
  const lamp = new FlashlightProcess([`:${server.port}`, "--log", "json"]);
  try {
    const conn = await server.accept();
    await conn.write(parseHex("12 00 00 20 00 03 ff"));
    await lamp.waitForLine((line) => line.includes('"command":"ON"'));
    const [ending, result] = await Promise.all([readUntilEnd(conn), lamp.stop("SIGINT")]);
    assertEquals(ending, "eof");
    assertEquals(result.code, 0);
    assertEquals(result.stdout.map((line) => JSON.parse(line).event).slice(-1), ["stopped"]);
  } finally {
    server.close();
  }
});

Deno.test("a server that accepts and closes 1,000 times: every retry waits longer, none is skipped", async () => {
  using server = new TestServer();
  const attempts: number[] = [];
  await using _lamp = startTestLamp(server.port, {
    policy: { backoff: (attempt) => (attempts.push(attempt), 0) },
  });
  for (let i = 0; i < 1000; i++) (await server.accept()).close();
  assertEquals(attempts.slice(0, 999), Array.from({ length: 999 }, (_, i) => i));
});

Deno.test("the stand restarted 20 times while commands flow: each time the lamp reconnects and applies every command in order", async () => {
  // The stand is rebound on the same port 20 times: a port no outgoing connection can take
  // while the stand is down (a port-0 one was seen taken, on 127.0.0.1 and on 127.0.0.2).
  const hostname = "127.0.0.2";
  let first = await startTestStand({ hostname, lampPort: restartablePort(hostname) });
  const port = first.stand.ports.lamp;
  const lamp = startTestLamp([], { addresses: [{ hostname, port }] });
  const { events } = lamp;
  try {
    for (let round = 0; round < 20; round++) {
      const from = round === 0 ? 0 : events.events.length;
      const stand = round === 0 ? first : await startTestStand({ hostname, lampPort: port });
      first = stand;
      await events.next(isCommand("OFF"), from);
      const sent = Array.from(
        { length: 25 },
        (_, i) => `#${round.toString(16).padStart(2, "0")}00${i.toString(16).padStart(2, "0")}`,
      );
      for (const value of sent) await stand.stand.send(color(value));
      await stand.stand.send(
        parseApiRequest({ method: "message", params: { command: "ON" } }, table),
      );
      await events.next(isCommand("ON"), from);
      const applied = events.events.slice(from).flatMap((e) =>
        e.event === "command" && e.command === "COLOR" ? [e.value] : []
      );
      assertEquals(
        applied.slice(1),
        sent,
        `round ${round}: sync COLOR first, then every command in order`,
      );
      await stand.stand.close();
      await events.next(isEvent("disconnected"), from);
    }
  } finally {
    await lamp.client.close();
  }
  assert(events.events.filter((e) => e.event === "connected").length === 20);
});
