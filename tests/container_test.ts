/**
 * The container files, as far as they can be checked without a container engine: the Dockerfile's
 * command lines are the ones the tests run (the binary's permission flags, no `deno task`), and
 * running exactly those lines here (host and ports aside) gives a stand, lamps and a health check
 * that work and write no escape bytes; compose.yaml uses the same image and command lines.
 */
import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import { parse } from "npm:yaml@2.9.1";
import { PERMISSION_FLAGS } from "../scripts/permission_flags.ts";
import { parseServeArgs } from "../src/cli/serve_args.ts";
import { FlashlightProcess, REPO_ROOT } from "../scripts/support/flashlight_process.ts";

const dockerfile = await Deno.readTextFile(`${REPO_ROOT}Dockerfile`);
const compose = parse(await Deno.readTextFile(`${REPO_ROOT}compose.yaml`)) as {
  services: Record<string, {
    build: string;
    command: string[];
    healthcheck?: { disable?: boolean };
    depends_on?: Record<string, { condition: string }>;
  }>;
};

/** An instruction's exec-form (JSON array) argument, backslash-continued lines joined. */
function execForm(instruction: string): string[] {
  const joined = dockerfile.replaceAll("\\\n", " ");
  const line = joined.split("\n").find((l) => l.startsWith(`${instruction} `));
  assert(line, `no ${instruction} in the Dockerfile`);
  return JSON.parse(line.slice(line.indexOf("[")));
}

const ENTRYPOINT = execForm("ENTRYPOINT");
const CMD = execForm("CMD");
const HEALTHCHECK = execForm("HEALTHCHECK");

/** Runs an exec-form command line whose program is `deno` with this Deno, in the repo. */
function run(line: string[]): Promise<Deno.CommandOutput> {
  assertEquals(line[0], "deno");
  return new Deno.Command(Deno.execPath(), { args: line.slice(1), cwd: REPO_ROOT }).output();
}

Deno.test("the image runs flashlight directly with the binary's permission flags, as a non-root user", () => {
  assertEquals(ENTRYPOINT, ["deno", "run", "-q", ...PERMISSION_FLAGS, "main.ts"]);
  assertEquals(CMD, ["serve", "--host", "0.0.0.0"]);
  const instructions = dockerfile.split("\n").filter((line) => !line.startsWith("#")).join("\n");
  assertFalse(/\btask\b/.test(instructions), "no deno task");
  const user = dockerfile.match(/^USER (\S+)$/m)?.[1];
  assert(user && user !== "root" && user !== "0", `USER ${user}`);
  assert(
    instructions.indexOf("\nUSER ") < instructions.indexOf("\nENTRYPOINT "),
    "USER before ENTRYPOINT",
  );
  const url = new URL(HEALTHCHECK.at(-1)!);
  assertEquals(url.port, String(parseServeArgs([]).apiPort), "the health check asks the API port");
  assertEquals(url.hostname, "127.0.0.1");
});

Deno.test("the image's stand, a compose lamp and the HEALTHCHECK, run as written: working and free of escape bytes", async () => {
  const serve = [
    ...CMD.map((arg) => arg === "0.0.0.0" ? "127.0.0.1" : arg),
    "--lamp-port=0",
    "--api-port=0",
    "--web-port=0",
  ];
  const stand = new FlashlightProcess([...ENTRYPOINT.slice(1), ...serve], {
    command: Deno.execPath(),
  });
  const lamps = await stand.waitForLine((line) => line.includes("service=lamps"));
  const api = await stand.waitForLine((line) => line.includes("service=api"));
  const lampPort = lamps.match(/address=\S+:(\d+)/)![1];
  // The HEALTHCHECK's own URL (its path is the one word to change), on the port the stand got.
  const healthUrl = new URL(HEALTHCHECK.at(-1)!);
  healthUrl.port = new URL(api.match(/url=(\S+)/)![1]).port;
  const statusUrl = healthUrl.href;
  const lampArgs = compose.services.lamp1.command.map((arg) =>
    arg === "stand:9999" ? `127.0.0.1:${lampPort}` : arg
  );
  const lamp = new FlashlightProcess([...ENTRYPOINT.slice(1), ...lampArgs], {
    command: Deno.execPath(),
  });
  await lamp.waitForLine((line) => / connected address=/.test(line));
  await stand.waitForLine((line) => line.includes("lamp_connected"));

  const healthy = await run([...HEALTHCHECK.slice(0, -1), statusUrl]);
  assertEquals(healthy.code, 0, new TextDecoder().decode(healthy.stderr));

  const results = [await lamp.stop("SIGTERM"), await stand.stop("SIGTERM")];
  for (const { code, stdout, stderr } of results) {
    assertEquals(code, 0, stderr);
    assertEquals(stderr, "", "nothing on stderr (no task header)");
    assertFalse(stdout.join("\n").includes("\x1b"), `escape bytes in:\n${stdout.join("\n")}`);
  }
  const down = await run([...HEALTHCHECK.slice(0, -1), statusUrl]);
  assertEquals(down.code, 1);
  assertStringIncludes(new TextDecoder().decode(down.stderr), "healthcheck: ");
  assertStringIncludes(new TextDecoder().decode(down.stderr), "unreachable");
});

Deno.test("compose.yaml runs the image's stand and lamps with the image's command lines", () => {
  const { stand, ...lamps } = compose.services;
  assertEquals(stand.command, CMD);
  assertEquals(Object.keys(lamps), ["lamp1", "lamp2", "lamp3"]);
  for (const [name, lamp] of Object.entries(compose.services)) assertEquals(lamp.build, ".", name);
  for (const [name, lamp] of Object.entries(lamps)) {
    assertEquals(lamp.command, ["stand:9999"], name);
    assertEquals(lamp.healthcheck, { disable: true }, `${name}: a lamp has no status endpoint`);
    assertEquals(lamp.depends_on, { stand: { condition: "service_healthy" } }, name);
  }
});
