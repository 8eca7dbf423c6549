/**
 * An accept loop in its own process (run it under a low `ulimit -n`): holds every connection,
 * prints one JSON line per accept error and per connection, and closes the oldest `n` held
 * connections for each line `n` read on stdin. It runs until killed.
 *
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { AcceptLoop } from "../../src/stand/server/accept_loop.ts";

// Deno 2.9.6 sets up its signal handling lazily and panics if that first happens while out of
// descriptors; the stand registers its signal listeners at start, and so does the probe.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const held: Deno.Conn[] = [];
const print = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
new AcceptLoop(listener, {
  maxConnections: Infinity,
  onConnection: (conn) => { // held until released on stdin; the slot is never freed
    held.push(conn);
    print({ event: "accepted", open: held.length });
  },
  onAcceptError: (error, kind, delayMs) =>
    print({ event: "accept_error", code: (error as { code?: string }).code, kind, delayMs }),
});
print({ event: "listening", port: listener.addr.port });
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  .pipeThrough(new TextLineStream());
for await (const line of lines) {
  for (const conn of held.splice(0, Number(line))) conn.close();
  print({ event: "released", open: held.length });
}
