/**
 * A lamp that gives up on a TLS handshake (its connect timeout, a failover to the next address)
 * closes that socket at once: the server sees the end of its read while the lamp goes on. Servers
 * here accept TCP and never answer the ClientHello, directly, behind a CONNECT proxy, and for a
 * wss:// address; one case runs `main.ts` as a process with the shipped permissions.
 */
import { assertStringIncludes } from "@std/assert";
import type { Address } from "../src/net/address.ts";
import { FlashlightProcess } from "../scripts/support/flashlight_process.ts";
import { startTestLamp } from "./support/test_lamp.ts";

/** Rejects after `ms` so a broken build fails instead of hanging (not a speed check). */
function guard<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what}`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * A server that accepts one connection and never answers it: with `proxy`, it first reads a
 * CONNECT and answers 200 (it is the proxy and the silent server behind it). `ended` resolves
 * once the lamp's side of the connection is closed (EOF or reset), after the ClientHello came.
 */
function silentServer(proxy = false) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const hello = Promise.withResolvers<void>();
  const ended = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buffer = new Uint8Array(16 * 1024);
    try {
      let head = "";
      while (proxy && !head.includes("\r\n\r\n")) {
        const count = await conn.read(buffer);
        if (count === null) return;
        head += new TextDecoder().decode(buffer.subarray(0, count));
      }
      if (proxy) await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\n"));
      while (await conn.read(buffer) !== null) hello.resolve();
    } catch {
      // reset by the lamp: closed all the same
    } finally {
      conn.close();
    }
  })();
  return { port: listener.addr.port, hello: hello.promise, ended };
}

Deno.test("a lamp that gives up on a TLS handshake closes its socket at once: tls://, wss://, tls:// through a proxy", async () => {
  const cases: [string, boolean, (port: number) => Address][] = [
    ["tls://", false, (port) => ({ hostname: "127.0.0.1", port, tls: true })],
    ["wss://", false, (port) => ({ hostname: "127.0.0.1", port, tls: true, websocket: "/lamp" })],
    ["tls:// through a proxy", true, () => ({ hostname: "127.0.0.1", port: 1, tls: true })],
  ];
  for (const [name, viaProxy, address] of cases) {
    const server = silentServer(viaProxy);
    await using lamp = startTestLamp([], {
      addresses: [address(server.port)],
      proxy: viaProxy
        ? () => ({ hostname: "127.0.0.1", port: server.port, shown: "http://silent" })
        : undefined,
      connectTimeoutMs: 300,
      backoff: () => 60_000, // one attempt is enough to see
    });
    const failed = await lamp.events.nextNamed("connect_failed");
    assertStringIncludes(String((failed as { reason?: string }).reason), "timed out", name);
    await guard(server.ended, `${name}: the lamp kept the socket of the handshake it gave up on`);
  }
});

Deno.test("flashlight (the process) failing over from a TLS server that never answers the handshake closes that socket", async () => {
  const silent = silentServer();
  const next = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const lamp = new FlashlightProcess([
    `tls://127.0.0.1:${silent.port},127.0.0.1:${next.addr.port}`,
    "--log",
    "json",
  ]);
  try {
    await silent.hello;
    const exited = lamp.child.status.then((status) => {
      throw new Error(`the lamp exited (${status.code}) before failing over`);
    });
    const failedOver = await Promise.race([next.accept(), exited]); // after its connect timeout
    await guard(silent.ended, "the lamp kept the socket of the handshake it gave up on");
    failedOver.close();
  } finally {
    next.close();
    await lamp.stop("SIGTERM");
  }
});
