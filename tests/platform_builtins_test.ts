/**
 * Where the runtime's built-ins replaced hand-written code, they give the same results: SHA-1 for
 * the WebSocket handshake (`node:crypto`) and hex text both ways (`toHex`, `fromHex`), bad input
 * included.
 */
import { assertEquals } from "@std/assert";
import { parseHex, toHex } from "../src/protocol/hex.ts";
import { websocketAccept } from "../src/net/websocket_accept.ts";
import {
  handWrittenAccept,
  handWrittenParseHex,
  handWrittenToHex,
} from "../scripts/bench/hand_written.ts";

const randomBytes = (length: number) => crypto.getRandomValues(new Uint8Array(length));

Deno.test("the accept value from node:crypto is the hand-written SHA-1's on 10,000 random keys", () => {
  for (let i = 0; i < 10_000; i++) {
    const key = btoa(String.fromCharCode(...randomBytes(16)));
    assertEquals(websocketAccept(key), handWrittenAccept(key), key);
  }
  // Every padding case of SHA-1's 64-byte blocks, past the 60 bytes a handshake hashes.
  for (let length = 0; length <= 200; length++) {
    const key = "k".repeat(length);
    assertEquals(websocketAccept(key), handWrittenAccept(key), `${length} characters`);
  }
});

Deno.test("toHex by Uint8Array.prototype.toHex writes what the hand-written one wrote", () => {
  for (let length = 0; length <= 300; length++) {
    const bytes = randomBytes(length);
    for (const limit of [Infinity, 0, 1, 32, 64, length, length + 1]) {
      assertEquals(toHex(bytes, limit), handWrittenToHex(bytes, limit), `${length}, ${limit}`);
    }
  }
});

/** The result of a parse, or its error's class and message. */
function outcome(parse: (text: string) => Uint8Array, text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
}

Deno.test("parseHex by Uint8Array.fromHex reads and refuses what the hand-written one did", () => {
  const alphabet = [
    ..."0123456789abcdefABCDEF",
    ..."gxG-+=",
    " ",
    "\t",
    "\n",
    "\r",
    "\u00a0", // no-break space: white space to \s
    "\u2028",
    "\u3000",
    "\u0663", // ARABIC-INDIC DIGIT THREE
    "\uff21", // FULLWIDTH LATIN CAPITAL LETTER A
    "0x",
  ];
  const pick = () => alphabet[Math.floor(Math.random() * alphabet.length)];
  const texts = ["", " ", "0", "00", "0 0", "ff 00", "FF00", "0g", "  0a  0b  ", "f".repeat(201)];
  for (let i = 0; i < 20_000; i++) {
    texts.push(Array.from({ length: Math.floor(Math.random() * 12) }, pick).join(""));
  }
  for (const text of texts) {
    assertEquals(outcome(parseHex, text), outcome(handWrittenParseHex, text), JSON.stringify(text));
  }
});
