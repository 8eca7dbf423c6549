/**
 * The reliability tasks in short runs: a 30-second soak and a fuzz run through the task itself.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

Deno.test("soak, 30 s: stand + 50 lamps, restarts and kills, nothing lost, no descriptor or heap leak", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "soak", "--seconds", "30", "--lamps", "50", "--seed", "7"],
    cwd: REPO_ROOT,
  }).output();
  const out = new TextDecoder().decode(stdout);
  assertEquals(code, 0, out + new TextDecoder().decode(stderr));
  const report = JSON.parse(out.slice(0, out.lastIndexOf("}") + 1));
  assertEquals(report.lost, 0);
  assertEquals(report.fds[1], report.fds[0], "open descriptors back to where they started");
  assertEquals(
    report.heap[1] - report.heap[0] < 32 * 1024 * 1024,
    true,
    "heap flat after a full GC",
  );
  assertEquals(report.sessions > 50 && report.restarts > 0 && report.kills > 0, true, out);
});

Deno.test("deno task fuzz runs its cases and reports no disagreement", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "fuzz", "--cases", "500", "--seed", "1000"],
    cwd: REPO_ROOT,
  }).output();
  assertEquals(code, 0);
  assertStringIncludes(new TextDecoder().decode(stdout), "500 cases (seeds 1000..1499)");
});

Deno.test("deno task bench:e2e --help prints its usage and runs nothing; an unknown flag exits 2", async () => {
  const run = async (...args: string[]) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "bench:e2e", ...args],
      cwd: REPO_ROOT,
      signal: AbortSignal.timeout(60_000), // a guard: a benchmark that starts runs for minutes
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code, stdout: text(stdout), stderr: text(stderr) };
  };
  const help = await run("--help");
  assertEquals(help.code, 0, help.stderr);
  assertStringIncludes(help.stdout, "Usage: deno task bench:e2e");
  assertEquals(help.stderr, "", "no part ran");
  const bogus = await run("--bogus");
  assertEquals(bogus.code, 2);
  assertStringIncludes(bogus.stderr, 'bench:e2e: unknown flag "--bogus"');
  const stray = await run("fanout");
  assertEquals(stray.code, 2);
  assertStringIncludes(stray.stderr, 'bench:e2e: unknown argument "fanout"');
  const bad = await run("--runs", "1e3");
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--runs");
});

Deno.test("deno task soak --help and fuzz --help print their usage and run nothing; an unknown flag exits 2 with it", async () => {
  const run = async (task: string, ...args: string[]) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", task, ...args],
      cwd: REPO_ROOT,
      signal: AbortSignal.timeout(60_000), // a guard: a soak that starts runs for ten minutes
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code, stdout: text(stdout), stderr: text(stderr) };
  };
  for (const task of ["soak", "fuzz"]) {
    const help = await run(task, "--help");
    assertEquals(help.code, 0, `${task}: ${help.stderr}`);
    assertStringIncludes(help.stdout, `Usage: deno task ${task} [flags]`);
    assertStringIncludes(help.stdout, "--seed N");
    assertEquals(help.stderr, "", `${task}: nothing ran`);
    const bogus = await run(task, "--bogus");
    assertEquals(bogus.code, 2, task);
    assertStringIncludes(bogus.stderr, `${task}: unknown flag "--bogus"`);
    assertStringIncludes(bogus.stderr, `Usage: deno task ${task} [flags]`);
  }
});
