/**
 * Issue 15.4 as a measurement: 16 WebSocket clients each send one 60 MB message to a stand
 * process (message limit 16 KiB); the stand's resident memory before, after, and at its peak.
 *
 * @module
 */
import { startServeProcess } from "../support/serve_process.ts";
import { benchStand, mb, procStatusBytes, type Row } from "./measure.ts";

const MESSAGE = 60 * (1 << 20);
const CHUNK = new Uint8Array(1 << 20);

/** One client: handshake, a frame header declaring 60 MB, then the payload until closed. */
async function sendHugeMessage(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  const header = new Uint8Array(14);
  header[0] = 0x81; // FIN, text
  header[1] = 0x80 | 127; // masked, 64-bit length
  new DataView(header.buffer).setBigUint64(2, BigInt(MESSAGE)); // mask key: zeros
  const reading = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      while (await conn.read(buffer) !== null) { /* the 101, maybe a close frame */ }
    } catch {
      // reset
    }
  })();
  try {
    await conn.write(header);
    for (let sent = 0; sent < MESSAGE; sent += CHUNK.length) {
      let written = 0;
      while (written < CHUNK.length) written += await conn.write(CHUNK.subarray(written));
    }
  } catch {
    // the stand closed the connection
  }
  conn.close();
  await reading;
}

/**
 * Runs the measurement.
 * @param clients How many senders.
 * @returns The rows.
 */
export async function wsFlood(clients: number): Promise<Row[]> {
  const { stand, ports } = await startServeProcess(benchStand());
  const before = procStatusBytes(stand.child.pid, "VmRSS");
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, () => sendHugeMessage(ports.web)));
  const seconds = (performance.now() - started) / 1000;
  const after = procStatusBytes(stand.child.pid, "VmRSS");
  const peak = procStatusBytes(stand.child.pid, "VmHWM");
  await stand.stop("SIGTERM");
  const name = `stand RSS, ${clients} WebSocket clients x 60 MB message (limit 16 KiB)`;
  return [
    {
      name: `${name}: after`,
      value: mb(after),
      baseline: `${mb(before)} (before)`,
      ratio: `${(after / before).toFixed(2)}x`,
    },
    {
      name: `${name}: peak`,
      value: mb(peak),
      baseline: `${mb(before)} (before)`,
      ratio: `${(peak / before).toFixed(2)}x`,
    },
    {
      name: `${name}: time until all were done`,
      value: `${seconds.toFixed(2)} s`,
      baseline: "",
      ratio: "",
    },
  ];
}
