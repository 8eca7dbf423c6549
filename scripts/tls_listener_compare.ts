/**
 * The stand's TLS listener (`node:tls` over `Deno.listen`) beside `Deno.listenTls`, same run,
 * servers taking turns: HTTPS requests (a Deno `fetch` loop on 1 and 16 connections, and `curl`
 * on one keep-alive connection with the server's CPU time), 300 new HTTPS connections, a TLS lamp
 * fan-out (lamps in a child process) and the server's RSS per idle TLS lamp (a server process
 * each). Prints the median of each figure, both series, and the ratio after/before.
 *
 * Usage: `deno run -A scripts/tls_listener_compare.ts [--rounds 3] [--lamps 2000] [--frames 200]`
 * (needs `openssl` and `curl`).
 *
 * @module
 */
import { integerFlag, parseFlags } from "../src/cli/flags.ts";
import { LampHub } from "../src/stand/lamp_hub.ts";
import { serveHttp } from "../src/stand/server/http_server.ts";
import { listenTls } from "../src/stand/server/tls_listener.ts";
import { createTestPki, type TestPki } from "./support/test_pki.ts";

type Variant = "before" | "after";
const VARIANTS: readonly Variant[] = ["before", "after"];

function listen(variant: Variant, pair: { cert: string; key: string }): Deno.TlsListener {
  const address = { hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 };
  return variant === "before"
    ? Deno.listenTls({ ...address, ...pair })
    : listenTls({ ...address, ...pair });
}

/** This process's CPU time (user + system) in ms, from /proc/self/stat. */
function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function fetchLoop(variant: Variant, pki: TestPki, concurrency: number): Promise<number> {
  const requests = 3000;
  const server = serveHttp(listen(variant, pki.server), () => new Response("ok"));
  const client = Deno.createHttpClient({ caCerts: [pki.ca] });
  const url = `https://localhost:${server.addr.port}/`;
  await (await fetch(url, { client })).text();
  const start = performance.now();
  let left = requests;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await (await fetch(url, { client })).text();
  }));
  const perSecond = requests / ((performance.now() - start) / 1000);
  client.close();
  await server.close();
  return perSecond;
}

async function curl(variant: Variant, pki: TestPki, caFile: string, fresh: boolean) {
  const server = serveHttp(listen(variant, pki.server), () => new Response("ok"));
  const url = `https://localhost:${server.addr.port}/`;
  const count = fresh ? 300 : 5000;
  // Fresh: each URL its own transfer (`--next`), the server closing after it (`Connection: close`).
  const options = ["-s", "-o", "/dev/null", "--cacert", caFile];
  if (fresh) options.push("-H", "Connection: close");
  const each = fresh ? ["--next", ...options, url] : [url];
  const args = [...options, url, ...Array(count - 1).fill(each).flat()];
  const [cpu, start] = [cpuMs(), performance.now()];
  await new Deno.Command("curl", { args, stdout: "null" }).output();
  const result = { wallMs: performance.now() - start, cpuMs: cpuMs() - cpu };
  await server.close();
  return result;
}

/** Runs `count` TLS lamps in a child process; resolves once all are connected. */
async function lampSwarm(port: number, count: number, caFile: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--swarm", String(port), String(count), caFile],
    stdout: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!(await lines.read()).value?.includes("ready")) { /* until the lamps are connected */ }
  lines.releaseLock();
  return child;
}

async function fanOut(
  variant: Variant,
  pki: TestPki,
  caFile: string,
  lamps: number,
  frames: number,
) {
  let connected = 0;
  const listener = listen(variant, pki.server);
  const hub = new LampHub(listener, {
    queueLimit: 1 << 20,
    maxConnections: 1 << 20,
    sync: () => [],
    events: { onConnect: () => connected++, onDisconnect: () => {}, onAcceptError: () => {} },
  });
  const child = await lampSwarm(listener.addr.port, lamps, caFile);
  while (connected < lamps) await new Promise((resolve) => setTimeout(resolve, 10));
  const frame = Uint8Array.of(0x20, 0, 3, 1, 2, 3);
  const start = performance.now();
  for (let i = 0; i < frames; i++) {
    hub.broadcast(frame);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  while (hub.queuedBytes > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const ms = performance.now() - start;
  await hub.close(2000);
  await child.status;
  return ms;
}

/** In a fresh server process: RSS growth per idle TLS lamp, in KiB. */
async function rssPerLamp(variant: Variant, lamps: number, pkiFile: string): Promise<number> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--rss", variant, String(lamps), pkiFile],
  }).output();
  return Number(new TextDecoder().decode(stdout).trim());
}

async function swarmMain(port: number, count: number, caFile: string): Promise<void> {
  const ca = await Deno.readTextFile(caFile);
  const lamps: Deno.TlsConn[] = [];
  for (let i = 0; i < count; i++) {
    const lamp = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
    await lamp.handshake();
    lamps.push(lamp);
  }
  console.log("ready");
  await Promise.all(lamps.map(async (lamp) => {
    const buffer = new Uint8Array(65536);
    while (await lamp.read(buffer).catch(() => null) !== null) { /* count nothing */ }
  }));
}

async function rssMain(variant: Variant, lamps: number, pkiFile: string): Promise<void> {
  const pki = JSON.parse(await Deno.readTextFile(pkiFile)) as TestPki & { caFile: string };
  let connected = 0;
  const listener = listen(variant, pki.server);
  const hub = new LampHub(listener, {
    queueLimit: 1 << 20,
    maxConnections: 1 << 20,
    sync: () => [Uint8Array.of(0x12, 0, 0)],
    events: { onConnect: () => connected++, onDisconnect: () => {}, onAcceptError: () => {} },
  });
  const before = Deno.memoryUsage().rss;
  const child = await lampSwarm(listener.addr.port, lamps, pki.caFile);
  while (connected < lamps) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 500));
  console.log(((Deno.memoryUsage().rss - before) / lamps / 1024).toFixed(1));
  child.kill();
  await child.status;
  await hub.close(100);
}

async function main(): Promise<void> {
  const { values } = parseFlags(
    Deno.args,
    ["rounds", "lamps", "frames"].map((name) => ({ name, kind: "value", help: "" })),
    "tls_listener_compare",
  );
  const size = (name: string, fallback: number) =>
    integerFlag(String(values.get(name) ?? fallback), name, 1, 1e6, "tls_listener_compare");
  const rounds = size("rounds", 3);
  const lamps = size("lamps", 2000);
  const frames = size("frames", 200);
  const pki = await createTestPki();
  const dir = await Deno.makeTempDir();
  const caFile = `${dir}/ca.crt`;
  await Deno.writeTextFile(caFile, pki.ca);
  const pkiFile = `${dir}/pki.json`;
  await Deno.writeTextFile(pkiFile, JSON.stringify({ ...pki, caFile }));
  const series = new Map<string, Record<Variant, number[]>>();
  const add = (name: string, variant: Variant, value: number) => {
    if (!series.has(name)) series.set(name, { before: [], after: [] });
    series.get(name)![variant].push(value);
  };
  for (let round = 0; round < rounds; round++) {
    for (const variant of VARIANTS) {
      add("fetch loop, 1 connection (req/s)", variant, await fetchLoop(variant, pki, 1));
      add("fetch loop, 16 connections (req/s)", variant, await fetchLoop(variant, pki, 16));
      const kept = await curl(variant, pki, caFile, false);
      add("curl, 5000 requests on 1 connection (ms)", variant, kept.wallMs);
      add("  server CPU for the 5000 requests (ms)", variant, kept.cpuMs);
      const fresh = await curl(variant, pki, caFile, true);
      add("curl, 300 new connections (ms)", variant, fresh.wallMs);
      add("  server CPU for the 300 connections (ms)", variant, fresh.cpuMs);
      add(
        `fan-out, ${frames} frames to ${lamps} TLS lamps (ms)`,
        variant,
        await fanOut(variant, pki, caFile, lamps, frames),
      );
      add(
        `RSS per idle TLS lamp, ${lamps} lamps (KiB)`,
        variant,
        await rssPerLamp(variant, lamps, pkiFile),
      );
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const show = (values: number[]) => values.map((value) => value.toFixed(0)).join(", ");
  for (const [name, { before, after }] of series) {
    const ratio = (median(after) / median(before)).toFixed(2);
    console.log(
      `${name}: before ${median(before).toFixed(0)} (${show(before)}), after ${
        median(after).toFixed(0)
      } (${show(after)}), after/before ${ratio}x`,
    );
  }
  await Deno.remove(dir, { recursive: true });
}

if (Deno.args[0] === "--swarm") {
  await swarmMain(Number(Deno.args[1]), Number(Deno.args[2]), Deno.args[3]);
  Deno.exit(0);
} else if (Deno.args[0] === "--rss") {
  await rssMain(Deno.args[1] as Variant, Number(Deno.args[2]), Deno.args[3]);
  Deno.exit(0);
} else {
  await main();
}
