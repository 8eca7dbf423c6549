/**
 * The API's route table in process (`new Request` in, `Response` out): every refusal with its
 * status and message. A few of these also run over real sockets in stand_test.ts.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { createCommandTable } from "../src/commands/command_table.ts";
import type { OutgoingCommand } from "../src/commands/outgoing_command.ts";
import type { ApiError } from "../src/stand/api_error.ts";
import { type ApiContext, apiRoutes, toApiError } from "../src/stand/api_handler.ts";
import { BrokerUnavailableError } from "../src/stand/broker/broker.ts";
import type { StandStatus } from "../src/stand/status.ts";
import type { Readiness } from "../src/stand/readiness.ts";
import { StandMetrics } from "../src/stand/metrics.ts";
import { routeTable } from "../src/stand/route_table.ts";

const ON = { method: "message", params: { command: "ON" } };
const EVIL = "https://evil.example";
const UNKNOWN_DIM = 'unknown command "DIM" (known: ON, OFF, COLOR rrggbb)';

function api(
  send: (outgoing: OutgoingCommand) => Promise<never> = () => Promise.reject(new Error("no")),
  ready: Readiness = { ready: true },
  page?: ApiContext["page"],
) {
  const errors: ApiError[] = [];
  const handle = routeTable(
    apiRoutes({
      table: createCommandTable(),
      send,
      status: () => Promise.resolve({ ok: true } as StandStatus),
      bodyLimit: 16 * 1024,
      bodyTimeoutMs: 1000,
      metrics: new StandMetrics(),
      ready: () => ready,
      page,
    }),
    { onError: (error) => errors.push(error), toApiError },
  );
  return { handle, errors };
}

/** A request to the API: `init` plus the path (default `/`). */
type ApiRequest = RequestInit & { path?: string };

/** A POST of `body` to `/`. */
const post = (body: BodyInit, headers?: HeadersInit): ApiRequest => ({
  method: "POST",
  body,
  headers,
});
/** A POST of `{ method, params }` as JSON. */
const call = (method: string, params?: unknown): ApiRequest =>
  post(JSON.stringify({ method, params }));

Deno.test("every bad request gets the right status and a JSON error", async () => {
  const big = "x".repeat(17 * 1024);
  const cases: [string, ApiRequest, number, string][] = [
    ["malformed JSON", post("{nope"), 400, "malformed JSON"],
    ["invalid UTF-8", post(new Uint8Array([0xff, 0xfe])), 400, "malformed JSON"],
    ["an array", post("[]"), 400, "must be a JSON object"],
    ["no params", call("message"), 400, '"params" must be an object'],
    ["command not a string", call("message", { command: 1 }), 400, "must be a string"],
    ["unknown method", call("blink", {}), 400, 'unknown "method" "blink"'],
    ["unknown command", call("message", { command: "DIM" }), 422, UNKNOWN_DIM],
    ["bad color", call("message", { command: "COLOR", value: "#12" }), 422, "six hex digits"],
    ["ON with a value", call("message", { command: "ON", value: "x" }), 422, "takes no value"],
    ["frame type out of range", call("frame", { type: 300 }), 422, "integer 0-255"],
    ["frame value not hex", call("frame", { type: 1, value: "xyz" }), 422, "Not hex"],
    ["body over 16 KiB", post(big), 413, "body too large"],
    ["PUT on /", { method: "PUT" }, 405, "PUT not allowed on / (use POST, GET, HEAD)"],
    ["DELETE on /status", { method: "DELETE", path: "/status" }, 405, "use GET, HEAD"],
    ["unknown path", { ...post("{}"), path: "/lamp" }, 404, "no such path: /lamp"],
    ["prototype name as path", { method: "GET", path: "/constructor" }, 404, "no such path"],
    ["prototype name as method", { method: "TOSTRING", path: "/status" }, 405, "not allowed"],
    ["foreign Origin", post(JSON.stringify(ON), { origin: EVIL }), 403, "another site"],
  ];
  const { handle, errors } = api();
  for (const [name, { path = "/", ...init }, status, message] of cases) {
    const response = await handle(new Request(`http://127.0.0.1:9000${path}`, init));
    const answer = await response.json();
    assertEquals(response.status, status, name);
    assertEquals(answer.ok, false, name);
    assertStringIncludes(answer.error, message, name);
    assertEquals(response.headers.get("access-control-allow-origin"), null, "no CORS");
  }
  assertEquals(errors.length, cases.length, "every refusal is reported for the log");
});

Deno.test("405 lists what the path allows; 413 and 408 close the connection; 503 when the broker is down", async () => {
  const { handle } = api(() =>
    Promise.reject(new BrokerUnavailableError("broker redis://x/0 unavailable"))
  );
  const put = await handle(new Request("http://x/", { method: "PUT" }));
  assertEquals(put.headers.get("allow"), "POST, GET, HEAD");
  const big = await handle(new Request("http://x/", { method: "POST", body: "x".repeat(20000) }));
  assertEquals([big.status, big.headers.get("connection")], [413, "close"]);
  const down = await handle(new Request("http://x/", { method: "POST", body: JSON.stringify(ON) }));
  assertEquals(down.status, 503);
  assertStringIncludes((await down.json()).error, "unavailable");
});

Deno.test("/healthz says the process is alive; /readyz says whether it can deliver, and why not", async () => {
  const up = api();
  assertEquals((await up.handle(new Request("http://x/healthz"))).status, 200);
  const ok = await up.handle(new Request("http://x/readyz"));
  assertEquals([ok.status, await ok.json()], [200, { ok: true }]); // no empty reason
  const why = "broker redis://x/0 not connected: connection refused";
  const down = api(undefined, { ready: false, reason: why });
  const answer = await down.handle(new Request("http://x/readyz"));
  assertEquals(answer.status, 503);
  assertEquals(await answer.json(), { ok: false, error: why }); // refusals say `error`
  assertEquals((await down.handle(new Request("http://x/healthz"))).status, 200);
});

Deno.test("GET / on the API points to the page and lists the API's paths and commands", async () => {
  const { handle, errors } = api(undefined, undefined, () => ({ port: 8888, tls: false }));
  for (const host of ["127.0.0.1:9000", "lamp.example:9000", "[::1]:9000"]) {
    const response = await handle(new Request(`http://${host}/`));
    assertEquals(response.status, 200);
    assertStringIncludes(response.headers.get("content-type") ?? "", "application/json");
    const help = await response.json();
    const hostname = host.slice(0, host.lastIndexOf(":"));
    assertEquals(help.page, `http://${hostname}:8888/`, "the page, at the host the client used");
    assertEquals(help.commands, ["ON", "OFF", "COLOR rrggbb"]);
  }
  const help = await (await handle(new Request("http://x:9000/"))).json();
  // Every route of the API is listed, with what it does; none that is not.
  const routes = apiRoutes({
    table: createCommandTable(),
    send: () => Promise.reject(new Error("unused")),
    status: () => Promise.reject(new Error("unused")),
    bodyLimit: 1,
    bodyTimeoutMs: 1,
    metrics: new StandMetrics(),
    ready: () => ({ ready: true }),
  });
  const listed = Object.entries(routes).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method} ${path}`)
  ).filter((route) => route !== "GET /");
  assertEquals(Object.keys(help.paths).sort(), listed.sort());
  for (const text of Object.values(help.paths)) assert(typeof text === "string" && text.length > 0);
  const https = api(undefined, undefined, () => ({ port: 8443, tls: true }));
  assertEquals(
    (await (await https.handle(new Request("http://x:9000/"))).json()).page,
    "https://x:8443/",
  );
  const head = await handle(new Request("http://x:9000/", { method: "HEAD" }));
  assertEquals([head.status, await head.text()], [200, ""]);
  assertEquals(errors, [], "a help is not a refusal");
});
