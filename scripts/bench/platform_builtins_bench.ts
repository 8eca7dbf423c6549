/**
 * The runtime's built-ins against the hand-written code they replaced: `deno task bench`. The
 * WebSocket handshake's accept value (SHA-1 by `node:crypto`), and hex text both ways
 * (`Uint8Array.prototype.toHex`, `Uint8Array.fromHex`), at the sizes the stand shows and reads.
 *
 * @module
 */
import { parseHex, toHex } from "../../src/protocol/hex.ts";
import { websocketAccept } from "../../src/net/websocket_accept.ts";
import { handWrittenAccept, handWrittenParseHex, handWrittenToHex } from "./hand_written.ts";

const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
Deno.bench({
  name: "hand-written SHA-1",
  group: "websocket accept",
  baseline: true,
  fn: () => void handWrittenAccept(key),
});
Deno.bench({ name: "node:crypto", group: "websocket accept", fn: () => void websocketAccept(key) });

for (const size of [6, 32, 4096]) {
  const bytes = crypto.getRandomValues(new Uint8Array(size));
  const text = toHex(bytes);
  const group = `${size} bytes`;
  Deno.bench({
    name: `toHex by hand, ${group}`,
    group: `toHex ${group}`,
    baseline: true,
    fn: () => void handWrittenToHex(bytes),
  });
  Deno.bench({ name: `toHex, ${group}`, group: `toHex ${group}`, fn: () => void toHex(bytes) });
  Deno.bench({
    name: `parseHex by hand, ${group}`,
    group: `parseHex ${group}`,
    baseline: true,
    fn: () => void handWrittenParseHex(text),
  });
  Deno.bench({
    name: `parseHex, ${group}`,
    group: `parseHex ${group}`,
    fn: () => void parseHex(text),
  });
}
