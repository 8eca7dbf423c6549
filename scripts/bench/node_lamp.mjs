/**
 * Baseline lamp for the end-to-end benchmark only, run with `node`: the lamp protocol on Node's
 * `net`, written the way a careful Node program would. Each `data` chunk's headers are walked in
 * place; ON, OFF and COLOR change the state, unknown types are skipped, wrong lengths counted as
 * malformed. A frame cut by a chunk is carried (at most 6 bytes) or, when longer, skipped across
 * chunks. With `--log text|json`: one line per applied command in flashlight's format, all lines
 * of one chunk in one write, the time taken once per chunk. On EOF it prints
 * `{"applied","unknown","malformed","on","color","peak_rss"}` to stderr and exits.
 *
 * Usage: node scripts/bench/node_lamp.mjs PORT [--log text|json]
 *
 * @module
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import process from "node:process";

const port = Number(process.argv[2]);
const logMode = process.argv[3] === "--log" ? process.argv[4] : "";
const address = `127.0.0.1:${port}`;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex = (rgb) => `#${HEX[rgb >> 16]}${HEX[(rgb >> 8) & 0xff]}${HEX[rgb & 0xff]}`;

const counts = { applied: 0, unknown: 0, malformed: 0 };
let on = false;
let color = 0xffffff;
let lines = "";
let stamp = "";

function logLine(name, value) {
  if (logMode === "json") {
    lines += `{"time":"${stamp}","level":"info","event":"command","address":"${address}",` +
      `"command":"${name}","value":"${value}","on":${on},"color":"${hex(color)}"}\n`;
  } else {
    lines += `${stamp} info  command address=${address} command=${name}` +
      `${value ? ` value=${value}` : ""} on=${on} color=${hex(color)}\n`;
  }
}

function apply(type, bytes, start, length) {
  if (type === 0x12 || type === 0x13) {
    if (length !== 0) return void counts.malformed++;
    on = type === 0x12;
    counts.applied++;
    if (logMode) logLine(on ? "ON" : "OFF", "");
  } else if (type === 0x20) {
    if (length !== 3) return void counts.malformed++;
    color = (bytes[start] << 16) | (bytes[start + 1] << 8) | bytes[start + 2];
    counts.applied++;
    if (logMode) logLine("COLOR", hex(color));
  } else {
    counts.unknown++;
  }
}

const pending = Buffer.alloc(6); // a cut frame of at most 6 bytes
let pendingLength = 0;
let skip = 0; // value bytes of a long cut frame still to skip

/** Completes the carried frame from `chunk`; returns the offset after what it used. */
function finishPending(chunk) {
  let offset = 0;
  while (pendingLength < 3 && offset < chunk.length) pending[pendingLength++] = chunk[offset++];
  if (pendingLength < 3) return offset;
  const length = (pending[1] << 8) | pending[2];
  if (length > 3) {
    apply(pending[0], pending, 3, length);
    pendingLength = 0;
    const used = Math.min(length, chunk.length - offset);
    skip = length - used;
    return offset + used;
  }
  while (pendingLength < 3 + length && offset < chunk.length) {
    pending[pendingLength++] = chunk[offset++];
  }
  if (pendingLength < 3 + length) return offset;
  pendingLength = 0;
  apply(pending[0], pending, 3, length);
  return offset;
}

function onData(chunk) {
  if (logMode) stamp = new Date().toISOString();
  const end = chunk.length;
  let offset = 0;
  if (skip > 0) {
    offset = Math.min(skip, end);
    skip -= offset;
  }
  if (pendingLength > 0) offset = finishPending(chunk.subarray(offset)) + offset;
  while (skip === 0 && pendingLength === 0 && end - offset >= 3) {
    const type = chunk[offset];
    const length = (chunk[offset + 1] << 8) | chunk[offset + 2];
    if (end - offset - 3 >= length) {
      apply(type, chunk, offset + 3, length);
      offset += 3 + length;
    } else if (length > 3) {
      apply(type, chunk, offset + 3, length);
      skip = length - (end - offset - 3);
      offset = end;
    } else {
      break;
    }
  }
  if (skip === 0 && pendingLength === 0) {
    for (; offset < end; offset++) pending[pendingLength++] = chunk[offset];
  }
  if (lines) {
    process.stdout.write(lines);
    lines = "";
  }
}

const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
socket.on("data", onData);
socket.on("end", () => {
  const peak = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "latin1"));
  process.stderr.write(
    JSON.stringify({ ...counts, on, color: hex(color), peak_rss: Number(peak[1]) * 1024 }) + "\n",
  );
  socket.destroy();
});
