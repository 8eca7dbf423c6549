/**
 * A server process for the HTTP benchmark: `GET /status` answers a small JSON document and
 * `POST /` reads its body (limit and deadline as the stand's API), on `Deno.serve` or on the
 * stand's own server, so both serve the same handler. Prints its port.
 *
 * Usage: deno run --allow-net scripts/bench/http_server_process.ts deno|stand
 *
 * @module
 */
import { jsonResponse } from "../../src/stand/json_response.ts";
import { listenHttp } from "../../src/stand/http_listener.ts";
import { readLimitedBody } from "../../src/stand/read_body.ts";

const handler = async (request: Request): Promise<Response> => {
  if (request.method === "GET") {
    return jsonResponse(200, { ok: true, version: "bench", lamps: 0, browsers: 0, uptime_s: 1 });
  }
  const body = await readLimitedBody(request, 16 * 1024, 10_000);
  return jsonResponse(200, { ok: true, bytes: body.length });
};

if (Deno.args[0] === "deno") {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  console.log(server.addr.port);
} else {
  console.log(listenHttp("127.0.0.1", 0, handler).port);
}
