/**
 * The `reusePort` fan-out spike, for the end-to-end benchmark only (not wired into the stand): N
 * workers (default: one per core) each listen on the same port with `SO_REUSEPORT`, so the kernel
 * spreads the lamps over them, and each writes the frame to its own lamps, in parallel. It speaks
 * the fan-out servers' contract (see `fanout_servers.ts`); `count` answers with one number per
 * worker, which shows how evenly the kernel balanced them.
 *
 * Usage: deno run -A --unstable-net scripts/bench/reuse_port_server.ts [--workers N]
 *        [--net deno|node] [--writes all|sequential]
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { choiceFlag, integerFlag, parseFlags } from "../../src/cli/flags.ts";

const { values } = parseFlags(Deno.args, [
  { name: "workers", kind: "value", help: "workers" },
  { name: "net", kind: "value", help: "socket layer" },
  { name: "writes", kind: "value", help: "write order" },
], "reuse_port_server");
const text = (name: string, fallback: string) =>
  (values.get(name) as string | undefined) ?? fallback;
const command = "reuse_port_server";
const flags = {
  workers: integerFlag(
    text("workers", String(navigator.hardwareConcurrency)),
    "workers",
    1,
    64,
    command,
  ),
  net: choiceFlag(text("net", "deno"), "net", ["deno", "node"], command),
  writes: choiceFlag(text("writes", "all"), "writes", ["all", "sequential"], command),
};

// Claim an ephemeral port in the reuse group, hand it to the workers, then step out of the group.
const placeholder = Deno.listen({ hostname: "127.0.0.1", port: 0, reusePort: true });
const port = placeholder.addr.port;
const workers = Array.from(
  { length: flags.workers },
  () => new Worker(new URL("./reuse_port_worker.ts", import.meta.url), { type: "module" }),
);

/** Sends every worker `message` and resolves with each one's next answer. */
function ask(message: unknown): Promise<unknown[]> {
  return Promise.all(workers.map((worker) =>
    new Promise((resolve) => {
      worker.addEventListener("message", (event) => resolve(event.data), { once: true });
      worker.postMessage(message);
    })
  ));
}

await ask({ port, net: flags.net, writes: flags.writes });
placeholder.close();
console.log(port);
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
  new TextLineStream(),
);
for await (const line of lines) {
  if (line === "count") {
    const answers = await ask("count") as { connections: number }[];
    console.log(JSON.stringify({ connections: answers.map((answer) => answer.connections) }));
  } else {
    await ask("send");
  }
}
Deno.exit(0);
