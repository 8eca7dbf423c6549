/**
 * A stdout nobody reads costs the lamp and the stand no more memory than the bound of their log
 * queue: each runs twice side by side, once with its stdout read and once with a pipe nobody
 * reads, fed the same commands until the stalled twin drops lines (the queue is full: a number
 * of lines, not a duration, proves the bound), and the two twins' memory is compared.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";
import { postPipelined } from "../scripts/support/pipelined_posts.ts";
import { heldBeyond, type ProcessMemory } from "../scripts/support/process_memory.ts";
import { startStalledTwins, type Twin } from "../scripts/support/stalled_twins.ts";
import { TestServer } from "./support/test_server.ts";

/** What a stalled twin may hold beyond its read twin, in MB (the queue's bound is 4 MiB). */
const MARGIN_MB = 50;
const DROPPING = "the log output is not keeping up: dropping lines until it does";
const DROPPED = "the log output dropped";

/** Fails unless the stalled twin holds less than {@linkcode MARGIN_MB} more than the read one. */
function assertHeld(after: string, memory: Record<Twin, ProcessMemory>): void {
  const said = ({ resident, committed }: ProcessMemory) =>
    `${resident.toFixed(0)} MB resident, ${committed.toFixed(0)} MB committed`;
  assert(
    heldBeyond(memory.stalled, memory.read) < MARGIN_MB,
    `${after}: stalled ${said(memory.stalled)}; read ${said(memory.read)}`,
  );
}

Deno.test("a stand whose stdout nobody reads holds no more memory than one whose stdout is read", async () => {
  const twins = await startStalledTwins(
    () => ["serve", "--lamp-port=0", "--api-port=0", "--web-port=0", "--log=json", "--workers=1"],
    '"event":"listening","service":"api"',
  );
  const apiPort = (head: string) =>
    Number(/"service":"api","url":"http:\/\/127\.0\.0\.1:(\d+)\/"/.exec(head)![1]);
  const ports = [apiPort(twins.heads.read), apiPort(twins.heads.stalled)];
  // A raw frame's log line carries 64 bytes of it as hex, ~450 bytes a line: ~9,400 lines fill
  // the 4 MiB queue and a pipe. Each command is a request of its own: a batch of one line.
  const frame = { method: "frame", params: { type: 0x21, value: "ab".repeat(100) } };
  let dropping = false;
  twins.saying(DROPPING).then(() => dropping = true, () => {});
  let commands = 0;
  try {
    const send = (count: number) =>
      Promise.all(ports.map((port) => postPipelined(port, count, () => frame)));
    for (; !dropping && commands < 30_000; commands += 500) await send(500);
    assert(dropping, `no line dropped after ${commands} commands: ${twins.said}`);
    await send(500); // past the bound
    commands += 500;
    assertHeld(`after ${commands} commands`, await twins.memory());
  } finally {
    await twins.stop();
  }
  assertStringIncludes(twins.said.join("\n"), DROPPED);
});

Deno.test("a lamp whose stdout nobody reads holds no more memory than one whose stdout is read", async () => {
  using server = new TestServer();
  const twins = await startStalledTwins(
    () => [`:${server.port}`, "--log", "json"],
    '"event":"connected"',
  );
  const conns = [await server.accept(), await server.accept()]; // the read twin's first
  let dropping = false;
  twins.saying(DROPPING).then(() => dropping = true, () => {});
  let frames = 0;
  try {
    // One frame per write, so mostly one per read: a batch of one line each (~150 bytes a line:
    // ~28,000 lines fill the 4 MiB queue).
    const send = async (count: number) => {
      for (const last = frames + count; frames < last; frames++) {
        const frame = Uint8Array.of(0x20, 0, 3, frames >> 16, (frames >> 8) & 0xff, frames & 0xff);
        await Promise.all(conns.map((conn) => conn.write(frame)));
      }
    };
    while (!dropping && frames < 300_000) await send(1000);
    assert(dropping, `no line dropped after ${frames} frames: ${twins.said}`);
    await send(2000); // past the bound
    // Once a lamp has read every frame it sees the end, and connects again.
    for (const conn of conns) await conn.closeWrite();
    await server.accept();
    await server.accept();
    assertHeld(`after ${frames} frames`, await twins.memory());
  } finally {
    await twins.stop();
  }
  assertStringIncludes(twins.said.join("\n"), DROPPED);
});

Deno.test("the minute-long measurement in docs/reliability.md runs (for a second here) and finds the bound held", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/stalled_output.ts", "--seconds", "1"],
    cwd: REPO_ROOT,
  }).output();
  const out = new TextDecoder().decode(stdout);
  assertEquals(code, 0, out + new TextDecoder().decode(stderr));
  const report = JSON.parse(out);
  assert(report.commands > 0, out);
  for (const twins of [report.stand, report.lamp]) assert(twins.mostBeyond < MARGIN_MB, out);
});
