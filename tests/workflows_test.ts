/**
 * The GitHub workflows, read as data: the release cannot publish a binary that did not pass its
 * platform's smoke test, each smoke job runs on a native runner, the attestation and checksums are
 * made from what passed, and both workflows run `.ci/run` rather than restating its steps.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parse } from "npm:yaml@2.9.1";
import { TARGETS } from "../scripts/compile.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | boolean>;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  "runs-on"?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { include?: Record<string, string>[] } };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

async function workflow(name: string): Promise<Workflow> {
  return parse(await Deno.readTextFile(`${REPO_ROOT}.github/workflows/${name}`));
}

const needs = (job: Job) => [job.needs ?? []].flat();
const stepIndex = (job: Job, match: (step: Step) => boolean) => job.steps!.findIndex(match);

/** The runner labels that run each target natively (GitHub-hosted images). */
const NATIVE: Readonly<Record<string, RegExp>> = {
  "x86_64-unknown-linux-gnu": /^ubuntu-\d+\.\d+$/,
  "aarch64-unknown-linux-gnu": /^ubuntu-\d+\.\d+-arm$/,
  "x86_64-apple-darwin": /^macos-\d+-intel$/,
  "aarch64-apple-darwin": /^macos-\d+$/,
  "x86_64-pc-windows-msvc": /^windows-\d+$/,
};

Deno.test("release jobs form one chain a reader can see: ci -> build -> smoke -> publish", async () => {
  const { on, jobs } = await workflow("release.yml");
  assertEquals(on, { push: { tags: ["v*"] } });
  assertEquals(jobs.ci.uses, "./.github/workflows/ci.yml", "the CI workflow is the gate");
  assertEquals(needs(jobs.build), ["ci"]);
  assertEquals(needs(jobs.smoke), ["build"]);
  assertEquals(needs(jobs.publish), ["smoke"]);
  assertEquals(Object.keys(jobs).sort(), ["build", "ci", "publish", "smoke"]);
});

Deno.test("the smoke matrix covers the five targets, each on a native runner, with the smoke script", async () => {
  const { smoke } = (await workflow("release.yml")).jobs;
  const include = smoke.strategy!.matrix.include!;
  assertEquals(include.map((entry) => entry.target).sort(), [...TARGETS].sort());
  for (const { target, runner } of include) {
    assert(NATIVE[target].test(runner), `${target} runs on ${runner}, not a native runner`);
  }
  assertEquals(smoke["runs-on"], "${{ matrix.runner }}");
  const run = smoke.steps!.find((step) => step.run?.includes("scripts/smoke.ts"))?.run ?? "";
  for (
    const part of [
      '--exe "$exe"',
      '--version "${GITHUB_REF_NAME#v}"',
      '--target "${{ matrix.target }}"',
    ]
  ) {
    assertStringIncludes(run, part);
  }
  const tested = stepIndex(smoke, (step) => step.run?.includes("scripts/smoke.ts") ?? false);
  const handedOn = stepIndex(smoke, (step) => step.with?.name === "passed-${{ matrix.target }}");
  assert(tested >= 0 && handedOn > tested, "a binary is handed on only after its smoke test");
});

Deno.test("publish checksums and attests only the binaries that passed, then releases them with notes", async () => {
  const { build, publish } = (await workflow("release.yml")).jobs;
  assertEquals(build.steps!.filter((step) => step.run === "deno task compile --all").length, 1);
  const download = publish.steps!.find((step) =>
    step.uses?.startsWith("actions/download-artifact")
  );
  assertEquals(download?.with?.pattern, "passed-*", "only the artifacts the smoke jobs handed on");
  const docs = build.steps!.find((step) => step.with?.name === "docs");
  assertEquals(docs?.with?.path, "dist/flashlight.*", "the completions and the man page");
  assert(publish.steps!.some((step) => step.with?.name === "docs"), "published with the binaries");
  const sums = stepIndex(
    publish,
    (step) => step.run?.includes("sha256sum flashlight-* flashlight.* > SHA256SUMS") ?? false,
  );
  const attest = stepIndex(
    publish,
    (step) => step.uses?.startsWith("actions/attest-build-provenance@") ?? false,
  );
  const release = stepIndex(
    publish,
    (step) => step.uses?.startsWith("softprops/action-gh-release@") ?? false,
  );
  assert(
    sums >= 0 && attest > sums && release > attest,
    "SHA256SUMS, then the attestation, then the release",
  );
  assertEquals(publish.steps![attest].with?.["subject-checksums"], "release/SHA256SUMS");
  assertEquals(publish.permissions, {
    contents: "write",
    "id-token": "write",
    attestations: "write",
  });
  assertStringIncludes(String(publish.steps![release].with?.files), "release/SHA256SUMS");
  assertStringIncludes(String(publish.steps![release].with?.files), "release/flashlight.*");
  assertEquals(publish.steps![release].with?.body_path, "release-notes.md");
  assert(publish.steps!.some((step) => step.run?.includes("scripts/release_notes.ts") ?? false));
});

Deno.test("CI runs .ci/run (no restated steps) and can be called by the release workflow", async () => {
  const { on, jobs } = await workflow("ci.yml");
  assert("workflow_call" in on, "callable as the release gate");
  const runs = jobs.test.steps!.flatMap((step) => step.run ? [step.run] : []);
  assertEquals(runs.at(-1), "bash .ci/run");
  for (const run of runs) {
    assert(!/deno task (check|test)/.test(run), `a restated .ci/run step: ${run}`);
  }
  assertEquals(jobs.test.strategy?.matrix, { std: ["local", "jsr"] } as never);
  const ciRun = await Deno.readTextFile(`${REPO_ROOT}.ci/run`);
  assertStringIncludes(ciRun, "deno task check");
  assertStringIncludes(ciRun, "deno task test");
});

Deno.test("the release notes say how to verify a download by checksum and by attestation", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "scripts/release_notes.ts",
      "--version",
      "1.2.3",
      "--repo",
      "octo/flashlight",
    ],
    cwd: REPO_ROOT,
  }).output();
  assertEquals(code, 0);
  const notes = new TextDecoder().decode(stdout);
  for (const target of TARGETS) assertStringIncludes(notes, `flashlight-${target}`);
  assertStringIncludes(notes, "sha256sum --check --ignore-missing SHA256SUMS");
  assertStringIncludes(notes, "shasum -a 256 --check --ignore-missing SHA256SUMS");
  assertStringIncludes(notes, "Get-FileHash");
  assertStringIncludes(
    notes,
    "gh attestation verify flashlight-x86_64-unknown-linux-gnu --repo octo/flashlight",
  );
  assertStringIncludes(notes, "octo/flashlight/v1.2.3/scripts/install.sh");
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "scripts/release_notes.ts", "--version", "x", "--repo", "octo/flashlight"],
    cwd: REPO_ROOT,
  }).output();
  assertEquals(bad.code, 2);
});

Deno.test(".ci/run installs every system program a test requires", async () => {
  const ciRun = await Deno.readTextFile(`${REPO_ROOT}.ci/run`);
  const required = new Set<string>();
  for await (const entry of Deno.readDir(`${REPO_ROOT}tests`)) {
    if (!entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(`${REPO_ROOT}tests/${entry.name}`);
    for (const [, program, pkg] of source.matchAll(/requireProgram\("([^"]+)", "([^"]+)"\)/g)) {
      required.add(`command -v ${program} >/dev/null 2>&1 || missing+=(${pkg})`);
    }
  }
  assert(required.size >= 7, [...required].join("\n"));
  for (const line of required) assertStringIncludes(ciRun, line);
});
