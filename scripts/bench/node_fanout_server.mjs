/**
 * Fan-out server on Node's `net`, for the end-to-end benchmark only (never shipped). It speaks the
 * fan-out servers' contract (see `fanout_servers.ts`): prints its port, sends each lamp the 9-byte
 * sync, writes one 6-byte COLOR frame to every lamp per `send` line on stdin, answers a `count`
 * line with `{"connections":[N]}`, and exits on stdin EOF.
 *
 * Run with `node` it is the Node baseline; run with `deno run -A` it is the spike "the stand's
 * lamp side on `node:net` inside Deno", the same code on Deno's Node compatibility layer.
 *
 * Usage: node scripts/bench/node_fanout_server.mjs | deno run -A scripts/bench/node_fanout_server.mjs
 *
 * @module
 */
import net from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";

const SYNC = Buffer.from([0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0]);
const lamps = new Set();
let shade = 0;

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on("error", () => {});
  socket.on("close", () => lamps.delete(socket));
  socket.write(SYNC);
  lamps.add(socket);
});
server.on("error", (error) => console.error(`node_fanout_server: ${error.message}`));
server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  console.log(server.address().port);
});

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "count") return console.log(JSON.stringify({ connections: [lamps.size] }));
  const frame = Buffer.from([0x20, 0, 3, 0x10, 0x20, shade++ & 0xff]);
  for (const socket of lamps) socket.write(frame);
}).on("close", () => process.exit(0));
