/**
 * `deno run --allow-net=127.0.0.1 scripts/healthcheck.ts URL`: the container's HEALTHCHECK. Exits
 * 0 when URL answers 200 with a JSON object whose `ok` is `true` (the stand's status endpoint),
 * 1 otherwise (unreachable, an error status, another body, no answer within 4 s), saying why on
 * stderr (Docker keeps it in `docker inspect`).
 *
 * @module
 */

/** Asks the stand whether it is healthy: empty when it is, else why not. */
async function unhealthy(url: string, timeoutMs: number): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.status !== 200) return `${url} answered ${response.status}`;
    const status = JSON.parse(body);
    return status?.ok === true ? "" : `${url} does not say ok`;
  } catch (error) {
    return `${url} unreachable: ${(error as Error).message}`;
  }
}

if (import.meta.main) {
  const [url] = Deno.args;
  const reason = url ? await unhealthy(url, 4000) : "usage: healthcheck.ts URL";
  if (reason) console.error(`healthcheck: ${JSON.stringify(reason).slice(1, -1)}`);
  Deno.exit(reason ? 1 : 0);
}
