/**
 * Lamps reaching a stand through real proxies: Debian's tinyproxy tunnelling (CONNECT) to the
 * stand's web port (ws://) and lamp port (TCP), the `flashlight` program itself under its shipped
 * permissions with the proxy from the environment, and nginx in front of the stand serving the
 * page and `/lamp` over TLS on one port with the configuration the README shows.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  FlashlightProcess,
  REPO_ROOT,
  requireProgram,
} from "../scripts/support/flashlight_process.ts";
import { createTestPki } from "../scripts/support/test_pki.ts";
import { Nginx } from "./support/nginx.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";
import { Tinyproxy } from "./support/tinyproxy.ts";
import { tempDir } from "./support/temp_dir.ts";

const ON = { method: "message", params: { command: "ON" } };

Deno.test("through tinyproxy's CONNECT, a ws:// lamp reaches the web port and a TCP lamp the lamp port", async () => {
  if (!requireProgram("tinyproxy", "tinyproxy")) return;
  await using stand = await startTestStand();
  const { lamp: lampPort, web } = stand.stand.ports;
  await using proxy = await Tinyproxy.start({ connectPorts: [lampPort, web] });
  await using ws = startTestLamp([], {
    addresses: [{ hostname: "127.0.0.1", port: web, websocket: "/lamp" }],
    proxy: () => proxy.proxy,
  });
  await using tcp = startTestLamp(lampPort, { proxy: () => proxy.proxy });
  await Promise.all([ws, tcp].map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
  assertEquals((await postApi(stand.api, ON)).answer.lamps, 2);
  await Promise.all([ws, tcp].map((lamp) => lamp.events.next(isCommand("ON"), 0)));
  const log = await proxy.log();
  assertStringIncludes(log, `127.0.0.1:${web}`);
  assertStringIncludes(log, `127.0.0.1:${lampPort}`);
});

Deno.test("flashlight ws://…/lamp with HTTP_PROXY set: through the proxy, said in its started line without the password; SIGTERM closes with 1000", async () => {
  if (!requireProgram("tinyproxy", "tinyproxy")) return;
  await using stand = await startTestStand();
  const { web } = stand.stand.ports;
  await using proxy = await Tinyproxy.start({ connectPorts: [web], basicAuth: ["lamp", "s3cret"] });
  const lamp = new FlashlightProcess([`ws://127.0.0.1:${web}/lamp`, "--log", "json"], {
    env: { HTTP_PROXY: `http://lamp:s3cret@127.0.0.1:${proxy.proxy.port}` },
  });
  try {
    const started = JSON.parse(await lamp.waitForLine((line) => line.includes('"started"')));
    assertEquals(started.proxy, `http://127.0.0.1:${proxy.proxy.port}`);
    await lamp.waitForLine((line) => line.includes('"command":"OFF"'));
    await postApi(stand.api, ON);
    await lamp.waitForLine((line) => line.includes('"command":"ON"'));
  } finally {
    const { code, stdout, stderr } = await lamp.stop("SIGTERM");
    assertEquals(code, 0);
    assert(!`${stdout.join("\n")}${stderr}`.includes("s3cret"), "the password is never said");
  }
  const left = await stand.log.nextNamed("lamp_disconnected", 0);
  assertEquals(left.reason, "lamp closed the WebSocket (1000)");
});

/** The README's nginx configuration, with this test's port, names and files put in. */
async function readmeNginx(port: number, web: number, cert: string, key: string): Promise<string> {
  const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
  const config = /```nginx\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const replacements: [string, string][] = [
    ["listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`],
    ["server_name lamps.example.com;", "server_name localhost;"],
    ["/etc/ssl/lamps.example.com.pem", cert],
    ["/etc/ssl/lamps.example.com.key", key],
    ["proxy_pass http://127.0.0.1:8888;", `proxy_pass http://127.0.0.1:${web};`],
  ];
  let filled = config;
  for (const [from, to] of replacements) {
    assertStringIncludes(
      filled,
      from,
      "the README's nginx configuration changed: update this test",
    );
    filled = filled.replace(from, to);
  }
  return filled;
}

Deno.test("behind nginx configured as the README shows: the page and wss:// lamps on one TLS port", async () => {
  if (!requireProgram("nginx", "nginx")) return;
  const pki = await createTestPki();
  await using files = await tempDir("flashlight-nginx-pki-");
  await Deno.chmod(files.path, 0o755);
  const cert = `${files.path}/server.pem`;
  const key = `${files.path}/server.key`;
  await Deno.writeTextFile(cert, pki.server.cert, { mode: 0o644 });
  await Deno.writeTextFile(key, pki.server.key, { mode: 0o644 });
  await using stand = await startTestStand();
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  await using _nginx = await Nginx.start(
    await readmeNginx(port, stand.stand.ports.web, cert, key),
    port,
  );
  const client = Deno.createHttpClient({ caCerts: [pki.ca] });
  try {
    const page = await fetch(`https://localhost:${port}/`, { client });
    assertEquals(page.status, 200);
    assertStringIncludes(await page.text(), "flashlight");
  } finally {
    client.close();
  }
  await using lamp = startTestLamp([], {
    addresses: [{ hostname: "localhost", port, tls: true, websocket: "/lamp" }],
    tls: { caCerts: [pki.ca] },
  });
  await lamp.events.next(isCommand("OFF"), 0);
  assertEquals((await postApi(stand.api, ON)).answer.lamps, 1);
  await lamp.events.next(isCommand("ON"), 0);
});
