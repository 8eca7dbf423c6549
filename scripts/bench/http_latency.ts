/**
 * The stand's own HTTP server against `Deno.serve`, same handler, same client, same run: the
 * latency of sequential keep-alive requests (`GET /status` and `POST /` with a command-sized
 * body), the two servers measured in alternating rounds so drift hits both alike.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { percentile, type Row } from "./measure.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BODY = JSON.stringify({ method: "message", params: { command: "COLOR", value: "#336699" } });

/** A server process and its port. */
async function startServer(
  impl: "deno" | "stand",
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "--allow-net", "scripts/bench/http_server_process.ts", impl],
    cwd: ROOT,
    stdout: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream());
  const reader = lines.getReader();
  const port = Number((await reader.read()).value);
  reader.releaseLock();
  lines.cancel().catch(() => {});
  return { child, port };
}

/** Sends `count` requests one after the other; returns their latencies in ms. */
async function round(port: number, method: "GET" | "POST", count: number): Promise<number[]> {
  const url = `http://127.0.0.1:${port}${method === "GET" ? "/status" : "/"}`;
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, method === "GET" ? {} : { method, body: BODY });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/**
 * Runs the comparison.
 * @param requests Requests per server and method.
 * @returns The rows (Deno.serve is the baseline).
 */
export async function httpLatency(requests: number): Promise<Row[]> {
  const servers = { deno: await startServer("deno"), stand: await startServer("stand") };
  const samples: Record<string, number[]> = {};
  const rounds = 5;
  for (const method of ["GET", "POST"] as const) {
    for (const impl of ["deno", "stand"] as const) {
      await round(servers[impl].port, method, 100); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      for (const impl of ["deno", "stand"] as const) {
        (samples[`${impl} ${method}`] ??= []).push(
          ...await round(servers[impl].port, method, Math.ceil(requests / rounds)),
        );
      }
    }
  }
  for (const { child } of Object.values(servers)) {
    child.kill("SIGTERM");
    await child.status;
  }
  const rows: Row[] = [];
  for (const method of ["GET", "POST"]) {
    for (const p of [50, 99]) {
      const stand = percentile(samples[`stand ${method}`], p);
      const deno = percentile(samples[`deno ${method}`], p);
      rows.push({
        name: `stand server, ${method} ${method === "GET" ? "/status" : "/ (command)"}, p${p}`,
        value: `${stand.toFixed(3)} ms`,
        baseline: `${deno.toFixed(3)} ms (Deno.serve)`,
        ratio: `${(stand / deno).toFixed(2)}x`,
      });
    }
  }
  return rows;
}
