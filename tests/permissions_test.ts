/**
 * One definition of the permissions: `deno.json`'s permission set, used through the same flags
 * by the tasks, the tests' processes and the compile script. (The lamp and stand process tests
 * run with exactly these flags, so a missing permission fails them.)
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  binaryName,
  compileArgs,
  TARGETS,
  UNSTABLE_FLAGS,
  WORKER_MODULES,
} from "../scripts/compile.ts";
import { PERMISSION_FLAGS } from "../scripts/permission_flags.ts";
import { REPO_ROOT, RUN_FLAGS, runFlashlight } from "../scripts/support/flashlight_process.ts";

const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}deno.json`));

Deno.test("the permission set grants the network, reading (certificates, token files) and only the environment variables read", () => {
  assertEquals(config.permissions.default, {
    net: true,
    read: true,
    env: [
      "FLASHLIGHT_ADDRESS",
      "FLASHLIGHT_API",
      "FLASHLIGHT_BROKER",
      "FLASHLIGHT_TOKEN",
      "FLASHLIGHT_ALLOW_HOST",
      "NO_COLOR",
      "FORCE_COLOR",
      "COLORTERM",
      "TERM",
      "HTTPS_PROXY",
      "https_proxy",
      "HTTP_PROXY",
      "http_proxy",
      "ALL_PROXY",
      "all_proxy",
      "NO_PROXY",
      "no_proxy",
    ],
  });
});

Deno.test("tasks, test processes and compile all use the same permission flags", () => {
  const flags = PERMISSION_FLAGS.join(" ");
  for (const task of ["start", "serve", "send", "demo"]) {
    assertStringIncludes(config.tasks[task], `deno run -q ${flags} `, task);
  }
  assertEquals(RUN_FLAGS.slice(2), [...PERMISSION_FLAGS]);
  const args = compileArgs("x86_64-unknown-linux-gnu", "/tmp/dist/");
  assertEquals(args.slice(2, 2 + PERMISSION_FLAGS.length), [...PERMISSION_FLAGS]);
  assert(!args.some((arg) => arg.startsWith("--allow") || arg === "-A"), "no extra grants");
});

Deno.test("the lamp workers' unstable API is on everywhere the stand runs, and the binary includes every worker module", () => {
  assertEquals(config.unstable, ["net"], "deno run, test and the tasks: deno.json");
  assertEquals(UNSTABLE_FLAGS, ["--unstable-net"]);
  const args = compileArgs("x86_64-unknown-linux-gnu", "/tmp/dist/");
  for (const flag of UNSTABLE_FLAGS) assert(args.includes(flag), `compile passes ${flag}`);
  for (const path of WORKER_MODULES) {
    assertEquals(args[args.indexOf(`${REPO_ROOT}${path}`) - 1], "--include", path);
  }
});

Deno.test("release targets and binary names", () => {
  assertEquals(TARGETS.length, 5);
  assertEquals(binaryName("x86_64-pc-windows-msvc"), "flashlight-x86_64-pc-windows-msvc.exe");
  assertEquals(binaryName("aarch64-apple-darwin"), "flashlight-aarch64-apple-darwin");
});

Deno.test("--version reports deno.json's version", async () => {
  const { code, stdout } = await runFlashlight(["--version"]);
  assertEquals(code, 0);
  assertEquals(stdout, `flashlight ${config.version}\n`);
});
