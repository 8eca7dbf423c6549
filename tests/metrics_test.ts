/**
 * `GET /metrics` as a real Prometheus scrapes it.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Prometheus } from "./support/prometheus.ts";
import { isCommand, startTestLamps } from "./support/test_lamp.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";

const ON = { method: "message", params: { command: "ON" } };

Deno.test("a real Prometheus scrapes the lamp count, the command counters and process metrics", async () => {
  await using stand = await startTestStand();
  await using group = startTestLamps(2, stand.stand.ports.lamp);
  await Promise.all(group.lamps.map((lamp) => lamp.events.next(isCommand("OFF"), 0)));
  for (let i = 0; i < 3; i++) assertEquals((await postApi(stand.api, ON)).status, 200);
  assertEquals((await postApi(stand.api, { method: "nope" })).status, 400);
  const text = await (await fetch(`${stand.api}/metrics`)).text();
  assertStringIncludes(text, "flashlight_lamps 2");
  assertStringIncludes(text, 'flashlight_requests_refused_total{reason="bad_request"} 1');
  await using prometheus = await Prometheus.start(`127.0.0.1:${stand.stand.ports.api}`);
  if (!prometheus) return;
  assertEquals(await prometheus.value("flashlight_lamps"), 2);
  assertEquals(await prometheus.value("flashlight_commands_delivered_total", (v) => v >= 3), 3);
  assertEquals(await prometheus.value("flashlight_commands_accepted_total"), 3);
  await prometheus.value("process_resident_memory_bytes", (v) => v > 1e6);
  await prometheus.value('up{job="flashlight"}', (v) => v === 1);
});

Deno.test("with a token, /metrics needs it too (Prometheus sends it as a bearer credential)", async () => {
  const token = "metrics-token-0123456789";
  await using stand = await startTestStand({ token });
  assertEquals(await fetch(`${stand.api}/metrics`).then((r) => (r.body?.cancel(), r.status)), 401);
  await using prometheus = await Prometheus.start(
    `127.0.0.1:${stand.stand.ports.api}`,
    "/metrics",
    token,
  );
  if (!prometheus) return;
  assertEquals(await prometheus.value("flashlight_lamps"), 0);
});

Deno.test("under the shipped permissions /metrics holds no NaN, and CPU time is a counter named _total", async () => {
  const { stand, ports } = await startServeProcess();
  try {
    const text = await (await fetch(`http://127.0.0.1:${ports.api}/metrics`)).text();
    assertEquals(text.split("\n").filter((line) => / NaN$/.test(line)), []);
    assertStringIncludes(text, "# TYPE process_cpu_seconds_total counter\n");
    assertEquals(/^process_cpu_seconds /m.test(text), false, "no gauge without _total");
  } finally {
    assertEquals((await stand.stop("SIGTERM")).code, 0);
  }
});
