/**
 * Lamps over WebSocket on the stand's web port (`ws://host/lamp`, `wss://…`): a lamp like any
 * other (sync, order, counts, budget, workers, keep-alives, a clean close both ways), behind the
 * same access checks as the page (Host, token, client certificates), over TLS with certificates
 * made by openssl, and failing over to and from TCP stands.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Address } from "../src/net/address.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { commandsIn, isCommand, startTestLamp, type TestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand, type TestStand } from "./support/test_stand.ts";
import { RawClient } from "./support/raw_http.ts";
import { until } from "./support/fleet.ts";

const ON = { method: "message", params: { command: "ON" } };
const COLOR = (value: string) => ({ method: "message", params: { command: "COLOR", value } });
const TOKEN = "a-token-for-websocket-lamps";

/** The stand's `/lamp` as an address. */
function lampUrl(stand: TestStand, hostname = "127.0.0.1", tls = false): Address {
  return { hostname, port: stand.stand.ports.web, websocket: "/lamp", ...(tls ? { tls } : {}) };
}

function wsLamp(
  address: Address | Address[],
  options: Parameters<typeof startTestLamp>[1] = {},
): TestLamp {
  return startTestLamp([], { addresses: [address].flat(), ...options });
}

/** Where the web port is served: the main thread, or two lamp workers (where /lamp lamps stay). */
for (const workers of [1, 2]) {
  const threads = workers === 1 ? "one thread" : "two lamp workers";

  Deno.test(`a ws:// lamp is synced, gets every command in order, and is counted as a lamp (${threads})`, async () => {
    await using stand = await startTestStand({ workers });
    await postApi(stand.api, COLOR("112233"));
    await using lamp = wsLamp(lampUrl(stand));
    await lamp.events.next(isCommand("OFF"), 0);
    await stand.log.nextNamed("lamp_connected", 0);
    assertEquals((await stand.stand.status()).lamps, 1);
    for (let i = 0; i < 50; i++) await postApi(stand.api, COLOR(i.toString(16).padStart(6, "0")));
    await postApi(stand.api, ON);
    await lamp.events.next(isCommand("ON"), 0);
    const applied = commandsIn(lamp.events.events);
    assertEquals(applied.slice(0, 2), ["COLOR #112233", "OFF"], "the sync first");
    assertEquals(applied.length, 53, "every command, once");
    assertEquals(applied.at(-2), "COLOR #000031", "in order");
    assertEquals(lamp.client.state, { on: true, color: 0x000031 });
  });

  Deno.test(`the stand's keep-alives reach a ws:// lamp; closing it sends a 1000 close the stand logs (${threads})`, async () => {
    await using stand = await startTestStand({ keepaliveMs: 50, workers });
    const lamp = wsLamp(lampUrl(stand));
    await lamp.events.next(isCommand("OFF"), 0);
    await until(() => lamp.client.counts.keepalives >= 2);
    await lamp.client.close();
    const left = await stand.log.nextNamed("lamp_disconnected", 0);
    assertEquals(left.reason, "lamp closed the WebSocket (1000)");
  });

  Deno.test(`a stand shutting down closes its ws:// lamps with a close frame; they say so and retry (${threads})`, async () => {
    const stand = await startTestStand({ workers });
    await using lamp = wsLamp(lampUrl(stand));
    await lamp.events.next(isCommand("OFF"), 0);
    await stand.stand.close();
    const ended = await lamp.events.nextNamed("disconnected", 0);
    assertStringIncludes(
      String((ended as { reason?: string }).reason),
      "server closed the WebSocket (1000)",
    );
    await lamp.events.nextNamed("retry", 0);
  });

  Deno.test(`with a token, a ws:// lamp without it is refused (401) in words and retries; with it, it is a lamp; the token is in no log (${threads})`, async () => {
    await using stand = await startTestStand({ token: TOKEN, workers });
    await using refused = wsLamp(lampUrl(stand));
    const failed = await refused.events.nextNamed("connect_failed", 0);
    assertStringIncludes(
      String((failed as { reason?: string }).reason),
      "the stand needs its token (401",
    );
    await refused.events.nextNamed("retry", 0);
    await using wrong = wsLamp(lampUrl(stand), { token: "not-the-token-at-all" });
    const wrongly = await wrong.events.nextNamed("connect_failed", 0);
    assertStringIncludes(
      String((wrongly as { reason?: string }).reason),
      "the stand refused the token (401",
    );
    await using lamp = wsLamp(lampUrl(stand), { token: TOKEN });
    await lamp.events.next(isCommand("OFF"), 0);
    const logged = JSON.stringify([stand.log.events, lamp.events.events, wrong.events.events]);
    assert(!logged.includes(TOKEN) && !logged.includes("not-the-token-at-all"), "no token logged");
  });

  Deno.test(`/lamp answers as the page does to a foreign Host (421), a foreign Origin (403) and a plain GET (426) (${threads})`, async () => {
    await using stand = await startTestStand({ workers });
    const port = stand.stand.ports.web;
    const upgrade = [
      "GET /lamp HTTP/1.1",
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];
    /** The status of the answer to one request (read up to the end of its head). */
    const status = async (head: string[]) => {
      const client = await RawClient.connect(port);
      try {
        await client.send(`${head.join("\r\n")}\r\n\r\n`);
        const answer = await client.readUntil((text) => text.includes("\r\n\r\n"));
        return Number(answer.split(" ")[1]);
      } finally {
        client.close();
      }
    };
    assertEquals(await status([...upgrade, "Host: rebinding.example"]), 421);
    const foreign = [...upgrade, `Host: 127.0.0.1:${port}`, "Origin: https://evil.example"];
    assertEquals(await status(foreign), 403);
    assertEquals(await status(["GET /lamp HTTP/1.1", `Host: 127.0.0.1:${port}`]), 426);
  });

  Deno.test(`ws:// lamps count in the lamp budget, not the page's: over it they are closed with 1013 and counted (${threads})`, async () => {
    // Two page places per thread (each lamp worker holds its own share of the page's budget).
    await using stand = await startTestStand({
      maxLamps: 2,
      maxWebConnections: 2 * workers,
      workers,
    });
    await using tcp = startTestLamp(stand.stand.ports.lamp);
    await using ws = wsLamp(lampUrl(stand));
    await Promise.all([tcp, ws].map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
    await using third = wsLamp(lampUrl(stand));
    const ended = await third.events.nextNamed("disconnected", 0);
    assertStringIncludes(String((ended as { reason?: string }).reason), "(1013");
    await stand.log.nextNamed("connections_refused", 0);
    // The page port still answers: the WebSocket lamp left its budget when it became a lamp.
    for (let i = 0; i < 3; i++) assertEquals((await fetch(stand.web)).status, 200);
    assertEquals((await stand.stand.status()).lamps, 2);
  });
}

Deno.test("with lamp workers, a ws:// lamp is one of the same lamp list and gets every command", async () => {
  await using stand = await startTestStand({ workers: 2 });
  await using tcp = startTestLamp(stand.stand.ports.lamp);
  await using ws = wsLamp(lampUrl(stand));
  await Promise.all([tcp, ws].map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
  await until(async () => (await stand.stand.status()).lamps === 2);
  assertEquals((await postApi(stand.api, ON)).answer.lamps, 2);
  await Promise.all([tcp, ws].map((lamp) => lamp.events.next(isCommand("ON"), 0)));
});

Deno.test("wss:// on an HTTPS web port with a private CA, and failover between a ws:// stand and a TCP stand", async () => {
  const pki = await createTestPki();
  await using secure = await startTestStand({ tls: { web: pki.server } });
  await using tcp = await startTestStand();
  await using lamp = wsLamp([lampUrl(secure, "localhost", true), {
    hostname: "127.0.0.1",
    port: tcp.stand.ports.lamp,
  }], { tls: { caCerts: [pki.ca] } });
  await lamp.events.next(isCommand("OFF"), 0);
  assertEquals((await secure.stand.status()).lamps, 1);
  // From before the close: the lamp may fail over while the stand is still closing.
  const from = lamp.events.events.length;
  await secure.stand.close();
  await lamp.events.next(
    (event) => event.event === "connected" && event.address.endsWith(`:${tcp.stand.ports.lamp}`),
    from,
  );
  await tcp.log.nextNamed("lamp_connected", 0);
  await postApi(tcp.api, ON);
  await lamp.events.next(isCommand("ON"), 0);
});
