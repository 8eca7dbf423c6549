/**
 * The minimal Deno lamp, for the end-to-end benchmark only: what Deno itself allows. It
 * `conn.read`s into 64 KiB, walks the frame headers in place, applies ON, OFF and COLOR to two
 * variables, skips unknown types and counts wrong lengths as malformed; a frame cut by a read is
 * carried at the start of the buffer (at most 6 bytes) or, when longer, skipped across reads.
 * With `--log text|json`: one line per applied command in flashlight's format, built as bytes from
 * pre-encoded pieces (no string per line), all lines of one read in one write, the time taken once
 * per read. On EOF it prints
 * `{"applied","unknown","malformed","on","color","peak_rss"}` to stderr and exits.
 *
 * Usage: deno run -A scripts/bench/deno_lamp.ts PORT [--log text|json]
 *
 * @module
 */
import { procStatusBytes } from "./measure.ts";

const port = Number(Deno.args[0]);
const logMode = Deno.args[1] === "--log" ? Deno.args[2] : "";
const address = `127.0.0.1:${port}`;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex = (rgb: number) => `#${HEX[rgb >> 16]}${HEX[(rgb >> 8) & 0xff]}${HEX[rgb & 0xff]}`;
const encoder = new TextEncoder();

const counts = { applied: 0, unknown: 0, malformed: 0 };
let on = false;
let color = 0xffffff;

/**
 * The lines of one read, built as bytes from pre-encoded pieces (no string per line): a 64 KiB
 * read holds at most 21,846 commands of at most ~170 bytes each.
 */
const out = new Uint8Array(21_846 * 192);
let outLength = 0;
let stamp = new Uint8Array(0);
const DIGITS = encoder.encode("0123456789abcdef");
const bytes = (text: string) => encoder.encode(text);
const PIECES = logMode === "json"
  ? {
    start: bytes('{"time":"'),
    afterStamp: bytes(`","level":"info","event":"command","address":"${address}","command":"`),
    value: bytes('","value":"#'),
    noValue: bytes('","value":"'),
    on: bytes('","on":true,"color":"#'),
    off: bytes('","on":false,"color":"#'),
    end: bytes('"}\n'),
  }
  : {
    start: bytes(""),
    afterStamp: bytes(` info  command address=${address} command=`),
    value: bytes(" value=#"),
    noValue: bytes(""),
    on: bytes(" on=true color=#"),
    off: bytes(" on=false color=#"),
    end: bytes("\n"),
  };
const NAMES = { ON: bytes("ON"), OFF: bytes("OFF"), COLOR: bytes("COLOR") };

function put(piece: Uint8Array): void {
  for (let i = 0; i < piece.length; i++) out[outLength++] = piece[i];
}

function putColor(rgb: number): void {
  for (let shift = 20; shift >= 0; shift -= 4) out[outLength++] = DIGITS[(rgb >> shift) & 0xf];
}

function logLine(name: Uint8Array, hasValue: boolean): void {
  put(PIECES.start);
  put(stamp);
  put(PIECES.afterStamp);
  put(name);
  if (hasValue) {
    put(PIECES.value);
    putColor(color);
  } else {
    put(PIECES.noValue);
  }
  put(on ? PIECES.on : PIECES.off);
  putColor(color);
  put(PIECES.end);
}

function apply(type: number, bytes: Uint8Array, start: number, length: number): void {
  if (type === 0x12 || type === 0x13) {
    if (length !== 0) return void counts.malformed++;
    on = type === 0x12;
    counts.applied++;
    if (logMode) logLine(on ? NAMES.ON : NAMES.OFF, false);
  } else if (type === 0x20) {
    if (length !== 3) return void counts.malformed++;
    color = (bytes[start] << 16) | (bytes[start + 1] << 8) | bytes[start + 2];
    counts.applied++;
    if (logMode) logLine(NAMES.COLOR, true);
  } else {
    counts.unknown++;
  }
}

function writeAll(bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

const conn = await Deno.connect({ hostname: "127.0.0.1", port });
conn.setNoDelay(true);
const buffer = new Uint8Array(64 * 1024);
let carried = 0; // bytes of a cut frame kept at the start of the buffer
let skip = 0; // value bytes of a long cut frame still to skip
for (;;) {
  const count = await conn.read(buffer.subarray(carried));
  if (count === null) break;
  const end = carried + count;
  let offset = 0;
  if (skip > 0) {
    offset = Math.min(skip, end);
    skip -= offset;
  }
  if (logMode) stamp = encoder.encode(new Date().toISOString());
  while (end - offset >= 3) {
    const type = buffer[offset];
    const length = (buffer[offset + 1] << 8) | buffer[offset + 2];
    if (end - offset - 3 >= length) {
      apply(type, buffer, offset + 3, length);
      offset += 3 + length;
    } else {
      if (length > 3) { // never applied: classify now, skip the rest as it comes
        apply(type, buffer, offset + 3, length);
        skip = length - (end - offset - 3);
        offset = end;
      }
      break;
    }
  }
  carried = end - offset;
  buffer.copyWithin(0, offset, end);
  if (outLength > 0) {
    writeAll(out.subarray(0, outLength));
    outLength = 0;
  }
}
console.error(
  JSON.stringify({
    ...counts,
    on,
    color: hex(color),
    peak_rss: procStatusBytes(Deno.pid, "VmHWM"),
  }),
);
conn.close();
