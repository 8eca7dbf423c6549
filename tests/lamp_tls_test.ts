/**
 * Lamps over TLS (#15.8): `tls://` addresses against a stand serving TLS, with certificates made by
 * openssl at run time (nothing secret committed): a good chain, a wrong host name, an expired
 * certificate, an unknown CA. Certificate errors are said in words and retried like any failure.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { FlashlightProcess, requireProgram } from "./support/flashlight_process.ts";
import { isCommand, isEvent, startTestLamp } from "./support/test_lamp.ts";
import { startTestStand } from "./support/test_stand.ts";
import { makeTlsCerts, signCert } from "./support/tls_certs.ts";

async function tlsStand(certPem: string, keyPem: string) {
  return await startTestStand({ tls: { lamp: { cert: certPem, key: keyPem } } });
}

Deno.test("#15.8: a lamp connects over tls:// with a private CA, and fails clearly (retrying) on a wrong name, an expired certificate or an unknown CA", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const certs = await makeTlsCerts();
  try {
    const good = await signCert(certs, "good");
    const cases: [string, Awaited<ReturnType<typeof signCert>>, string[], string][] = [
      [
        "wrong name",
        await signCert(certs, "wrong", { san: "DNS:other.example" }),
        [certs.caPem],
        "the certificate is not for 127.0.0.1",
      ],
      [
        "expired",
        await signCert(certs, "old", { expired: true }),
        [certs.caPem],
        "certificate has expired",
      ],
      ["unknown CA", good, [], "a CA this lamp does not trust (give --ca)"],
    ];
    {
      await using stand = await tlsStand(good.certPem, good.keyPem);
      await using lamp = startTestLamp([], {
        addresses: [{ hostname: "127.0.0.1", port: stand.stand.ports.lamp, tls: true }],
        tls: { caCerts: [certs.caPem] },
      });
      await lamp.events.next(isCommand("OFF"), 0);
      assertEquals(lamp.client.state, { on: false, color: 0xffffff }, "synced over TLS");
    }
    for (const [name, cert, caCerts, reason] of cases) {
      await using stand = await tlsStand(cert.certPem, cert.keyPem);
      await using lamp = startTestLamp([], {
        addresses: [{ hostname: "127.0.0.1", port: stand.stand.ports.lamp, tls: true }],
        tls: { caCerts },
      });
      const failed = await lamp.events.next(isEvent("connect_failed"), 0);
      assertStringIncludes(failed.event === "connect_failed" ? failed.reason : "", reason, name);
      await lamp.events.next(isEvent("retry"), 0);
      await lamp.events.next(isEvent("connect_failed"), lamp.events.events.indexOf(failed) + 1);
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("#15.8: flashlight serve --tls-cert/--tls-key serves lamps over TLS and the API over HTTPS; a lamp with --ca connects", async () => {
  if (!requireProgram("openssl", "openssl")) return;
  const certs = await makeTlsCerts();
  try {
    const good = await signCert(certs, "good");
    const stand = new FlashlightProcess([
      "serve",
      "--lamp-port=0",
      "--api-port=0",
      "--web-port=0",
      "--log=json",
      `--tls-cert=${good.cert}`,
      `--tls-key=${good.key}`,
    ]);
    const lampLine = JSON.parse(
      await stand.waitForLine((line) => line.includes('"service":"lamps"')),
    );
    const apiLine = JSON.parse(await stand.waitForLine((line) => line.includes('"service":"api"')));
    assertEquals(lampLine.tls, true);
    assert(apiLine.url.startsWith("https://"), apiLine.url);
    const client = Deno.createHttpClient({ caCerts: [certs.caPem] });
    const status = await fetch(`${apiLine.url}status`, { client });
    assertEquals(status.status, 200);
    await status.body?.cancel();
    client.close();
    const port = lampLine.address.split(":").at(-1);
    const lamp = new FlashlightProcess([
      `tls://127.0.0.1:${port}`,
      "--ca",
      certs.ca,
      "--log",
      "json",
    ]);
    await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
    assertEquals((await lamp.stop("SIGTERM")).code, 0);
    assertEquals((await stand.stop("SIGTERM")).code, 0);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

Deno.test("#15.8: TLS flags are checked: a key without its certificate, a file that cannot be read", async () => {
  const { runFlashlight } = await import("./support/flashlight_process.ts");
  const half = await runFlashlight(["serve", "--tls-cert", "/tmp/x.pem"]);
  assertEquals(half.code, 2);
  assertStringIncludes(half.stderr, "has a --tls-cert but no --tls-key");
  const missing = await runFlashlight([
    "serve",
    "--tls-cert",
    "/no/cert.pem",
    "--tls-key",
    "/no/key.pem",
  ]);
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.stderr, '--tls-cert: cannot read "/no/cert.pem": no such file');
  const lamp = await runFlashlight(["tls://127.0.0.1:1", "--cert", "/tmp/c.pem"]);
  assertEquals(lamp.code, 2);
  assertStringIncludes(lamp.stderr, "--cert and --key go together");
});
