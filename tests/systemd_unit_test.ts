/**
 * `scripts/flashlight-lamp.service`: `systemd-analyze verify` accepts it (with its ExecStart and
 * EnvironmentFile pointed at a temporary stand-in, since verify requires the binary to exist),
 * `systemd-analyze security` rates it OK, it carries the hardening the headless recipe promises,
 * and its exact command line with the shipped environment file runs a lamp that logs JSON Lines.
 */
import { assert, assertEquals, assertFalse, assertMatch, assertStringIncludes } from "@std/assert";
import {
  FlashlightProcess,
  REPO_ROOT,
  requireProgram,
} from "../scripts/support/flashlight_process.ts";
import { tempDir, writeScript } from "./support/temp_dir.ts";
import { startTestStand } from "./support/test_stand.ts";

const UNIT = `${REPO_ROOT}scripts/flashlight-lamp.service`;
const ENV_FILE = `${REPO_ROOT}scripts/flashlight-lamp.env`;

/** The unit's `[Service]` settings; a key given twice keeps both values. */
async function serviceSettings(): Promise<Map<string, string[]>> {
  const settings = new Map<string, string[]>();
  let section = "";
  for (const line of (await Deno.readTextFile(UNIT)).split("\n")) {
    const header = line.match(/^\[(\w+)\]$/);
    if (header) section = header[1];
    const setting = line.match(/^(\w+)=(.*)$/);
    if (section === "Service" && setting) {
      settings.set(setting[1], [...settings.get(setting[1]) ?? [], setting[2]]);
    }
  }
  return settings;
}

/** A copy of the unit whose ExecStart binary and EnvironmentFile exist (in `dir`). */
async function verifiableCopy(dir: string, binary = `${dir}/flashlight`): Promise<string> {
  await writeScript(`${dir}/flashlight`, 'echo "flashlight 0.0.0"');
  await Deno.copyFile(ENV_FILE, `${dir}/lamp.env`);
  const unit = (await Deno.readTextFile(UNIT))
    .replace("ExecStart=/usr/local/bin/flashlight ", `ExecStart=${binary} `)
    .replace("EnvironmentFile=/etc/flashlight/lamp.env", `EnvironmentFile=${dir}/lamp.env`);
  await Deno.writeTextFile(`${dir}/flashlight-lamp.service`, unit);
  return `${dir}/flashlight-lamp.service`;
}

async function analyze(args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command("systemd-analyze", { args }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test("systemd-analyze verify accepts the lamp unit (and rejects it when ExecStart is missing)", async () => {
  if (!requireProgram("systemd-analyze", "systemd")) return;
  await using dir = await tempDir();
  const good = await analyze(["verify", await verifiableCopy(dir.path)]);
  assertEquals(good, { code: 0, output: "" });
  const missing = await analyze([
    "verify",
    await verifiableCopy(dir.path, "/nonexistent/flashlight"),
  ]);
  assertEquals(missing.code, 1, "the check is real: a missing binary fails verify");
  assertStringIncludes(missing.output, "/nonexistent/flashlight is not executable");
});

Deno.test("systemd-analyze security rates the lamp unit OK", async () => {
  if (!requireProgram("systemd-analyze", "systemd")) return;
  await using dir = await tempDir();
  const { code, output } = await analyze([
    "security",
    "--offline=yes",
    await verifiableCopy(dir.path),
  ]);
  assertEquals(code, 0, output);
  const level = output.match(/Overall exposure level for flashlight-lamp\.service: ([\d.]+) (\w+)/);
  assert(level, output);
  assertEquals(level[2], "OK", `exposure ${level[1]}`);
});

Deno.test("the lamp unit restarts, logs JSON to the journal and carries the promised hardening", async () => {
  const settings = await serviceSettings();
  const one = (key: string) => settings.get(key)?.join(" ");
  assertEquals(one("ExecStart"), "/usr/local/bin/flashlight --log json");
  assertEquals(one("EnvironmentFile"), "/etc/flashlight/lamp.env");
  assertEquals(one("Restart"), "always");
  assertMatch(one("RestartSec") ?? "", /^\d+s$/);
  assertEquals(one("StandardOutput"), "journal");
  for (
    const [key, value] of [
      ["DynamicUser", "yes"],
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["RestrictAddressFamilies", "AF_INET AF_INET6"],
      ["CapabilityBoundingSet", ""],
    ]
  ) assertEquals(one(key), value, key);
  for (const writable of ["ReadWritePaths", "StateDirectory", "LogsDirectory", "CacheDirectory"]) {
    assertFalse(settings.has(writable), `no writable path: ${writable}`);
  }
});

Deno.test("the unit's command line with the shipped environment file runs a lamp logging JSON Lines; SIGTERM exits 0", async () => {
  const { stand, log } = await startTestStand();
  try {
    const env: Record<string, string> = {};
    for (const line of (await Deno.readTextFile(ENV_FILE)).split("\n")) {
      const setting = line.match(/^([A-Z_]+)=(.*)$/);
      if (setting) env[setting[1]] = setting[2];
    }
    assertEquals(Object.keys(env), ["FLASHLIGHT_ADDRESS"]);
    env.FLASHLIGHT_ADDRESS = `127.0.0.1:${stand.ports.lamp}`;
    const args = (await serviceSettings()).get("ExecStart")![0].split(" ").slice(1);
    const lamp = new FlashlightProcess(args, { env });
    await lamp.waitForLine((line) => line.includes('"event":"connected"'));
    await log.next((event) => event.event === "lamp_connected", 0);
    const { code, stdout, stderr } = await lamp.stop("SIGTERM");
    assertEquals(code, 0, stderr);
    for (const line of stdout) assertEquals(typeof JSON.parse(line).event, "string", line);
    assertFalse(stdout.join("\n").includes("\x1b"), "no escape bytes in the journal");
  } finally {
    await stand.close();
  }
});
