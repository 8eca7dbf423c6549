/**
 * `scripts/install.sh` for real: `sh` runs it against a fake release served over HTTP on
 * 127.0.0.1 (stand-in executables that print a version), with `uname` values injected, curl or
 * wget, and install directories that can or cannot be written.
 */
import { assert, assertEquals, assertFalse, assertMatch, assertStringIncludes } from "@std/assert";
import { binaryName, TARGETS } from "../scripts/compile.ts";
import { REPO_ROOT, requireProgram } from "../scripts/support/flashlight_process.ts";
import { tempDir } from "./support/temp_dir.ts";

const encoder = new TextEncoder();

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A stand-in executable: a shell script that prints a version and its target. */
function standIn(version: string, target: string, text = `flashlight ${version} (${target})`) {
  return encoder.encode(`#!/bin/sh\necho "${text}"\n`);
}

/** The files of one fake release: every asset, and SHA256SUMS listing `listed` of them. */
async function release(
  version: string,
  options: { listed?: string[]; served?: string[]; tamper?: string; text?: string } = {},
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const sums: string[] = [];
  for (const target of TARGETS) {
    const name = binaryName(target);
    const bytes = standIn(version, target, options.text);
    if (options.listed?.includes(target) ?? true) sums.push(`${await sha256(bytes)}  ${name}`);
    if (!(options.served?.includes(target) ?? true)) continue;
    files.set(
      `/download/v${version}/${name}`,
      target === options.tamper ? standIn("6.6.6", "evil") : bytes,
    );
  }
  files.set(`/download/v${version}/SHA256SUMS`, encoder.encode(sums.join("\n") + "\n"));
  return files;
}

/** The fake release server: v1.2.3 (also the latest) and releases broken in one way each. */
async function startReleaseServer() {
  const files = new Map([
    ...await release("1.2.3"),
    ...await release("6.6.6", { tamper: "x86_64-unknown-linux-gnu" }),
    ...await release("1.0.0", { listed: TARGETS.filter((t) => t !== "aarch64-apple-darwin") }),
    ...await release("2.0.0", { served: [] }),
    ...await release("3.0.0", { text: "not flashlight" }),
  ]);
  const agents: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    agents.push(request.headers.get("user-agent") ?? "");
    const { pathname } = new URL(request.url);
    const latest = pathname.match(/^\/latest\/download\/(.+)$/);
    if (latest) {
      return new Response(null, {
        status: 302,
        headers: { location: `/download/v1.2.3/${latest[1]}` },
      });
    }
    const body = files.get(pathname);
    return body
      ? new Response(body as Uint8Array<ArrayBuffer>)
      : new Response("Not Found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    agents,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A PATH directory holding every program of /usr/bin and /bin except `without`. */
async function pathWithout(dir: string, without: string[]): Promise<string> {
  await Deno.mkdir(dir);
  for (const from of ["/usr/bin", "/bin"]) {
    for await (const entry of Deno.readDir(from)) {
      if (without.includes(entry.name)) continue;
      await Deno.symlink(`${from}/${entry.name}`, `${dir}/${entry.name}`).catch(() => {});
    }
  }
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  installed?: string;
}

async function install(
  baseUrl: string,
  root: string,
  options: {
    args?: string[];
    uname?: [string, string];
    dir?: string;
    path?: string;
    env?: Record<string, string>;
  } = {},
): Promise<Run> {
  const tmp = `${root}/tmp`;
  await Deno.mkdir(tmp, { recursive: true });
  const dir = options.dir ?? `${root}/bin`;
  const [unameS, unameM] = options.uname ?? ["Linux", "x86_64"];
  const { code, stdout, stderr } = await new Deno.Command("sh", {
    args: [`${REPO_ROOT}scripts/install.sh`, ...options.args ?? ["--version", "1.2.3"]],
    clearEnv: true,
    env: {
      PATH: options.path ?? "/usr/bin:/bin",
      HOME: `${root}/home`,
      TMPDIR: tmp,
      FLASHLIGHT_BASE_URL: baseUrl,
      FLASHLIGHT_INSTALL: dir,
      FLASHLIGHT_UNAME_S: unameS,
      FLASHLIGHT_UNAME_M: unameM,
      ...options.env,
    },
    stdin: "null",
  }).output();
  const leftovers = [...Deno.readDirSync(tmp)].map((entry) => entry.name);
  assertEquals(leftovers, [], "the temporary download directory is removed");
  const installed = await Deno.readTextFile(`${dir}/flashlight`).catch(() => undefined);
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), installed };
}

async function staged(dir: string): Promise<string[]> {
  try {
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
    return names.filter((name) => name.startsWith(".flashlight-install"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

Deno.test("install.sh is POSIX sh and shellcheck clean", async () => {
  if (!requireProgram("shellcheck", "shellcheck")) return;
  const { code, stdout } = await new Deno.Command("shellcheck", {
    args: ["--shell=sh", "--severity=style", `${REPO_ROOT}scripts/install.sh`],
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stdout));
});

Deno.test("install.sh installs the asset that matches uname, checked against SHA256SUMS", async () => {
  if (!requireProgram("curl", "curl")) return;
  await using server = await startReleaseServer();
  const cases: [string, string, string][] = [
    ["Linux", "x86_64", "x86_64-unknown-linux-gnu"],
    ["Linux", "amd64", "x86_64-unknown-linux-gnu"],
    ["Linux", "aarch64", "aarch64-unknown-linux-gnu"],
    ["Linux", "arm64", "aarch64-unknown-linux-gnu"],
    ["Darwin", "x86_64", "x86_64-apple-darwin"],
    ["Darwin", "arm64", "aarch64-apple-darwin"],
  ];
  for (const [os, arch, target] of cases) {
    await using root = await tempDir();
    const run = await install(server.url, root.path, { uname: [os, arch] });
    assertEquals(run.code, 0, `${os} ${arch}: ${run.stderr}`);
    assertEquals(
      run.installed,
      `#!/bin/sh\necho "flashlight 1.2.3 (${target})"\n`,
      `${os} ${arch}`,
    );
    const mode = (await Deno.stat(`${root.path}/bin/flashlight`)).mode! & 0o777;
    assertEquals(mode, 0o755);
    assertStringIncludes(run.stdout, `downloading flashlight-${target} from release v1.2.3`);
    assertStringIncludes(run.stdout, "checksum ok");
    assertStringIncludes(
      run.stdout,
      `installed flashlight 1.2.3 (${target}) to ${root.path}/bin/flashlight`,
    );
    assertEquals(run.stderr, "");
  }
});

Deno.test("install.sh takes the latest release without a version, and FLASHLIGHT_VERSION or v1.2.3", async () => {
  await using server = await startReleaseServer();
  const cases: [string[], Record<string, string>, string][] = [
    [[], {}, "from the latest release"],
    [["--version", "v1.2.3"], {}, "from release v1.2.3"],
    [["--version=1.2.3"], {}, "from release v1.2.3"],
    [[], { FLASHLIGHT_VERSION: "1.2.3" }, "from release v1.2.3"],
    [["--version", "1.2.3"], { FLASHLIGHT_VERSION: "9.9.9" }, "from release v1.2.3"],
  ];
  for (const [args, env, from] of cases) {
    await using root = await tempDir();
    const run = await install(server.url, root.path, { args, env });
    assertEquals(run.code, 0, `${args} ${JSON.stringify(env)}: ${run.stderr}`);
    assertStringIncludes(run.installed ?? "", "flashlight 1.2.3");
    assertStringIncludes(run.stdout, from);
  }
});

Deno.test("install.sh refuses a checksum mismatch, says so, deletes the download and installs nothing", async () => {
  await using server = await startReleaseServer();
  await using root = await tempDir();
  const run = await install(server.url, root.path, { args: ["--version", "6.6.6"] });
  assertEquals(run.code, 1);
  assertMatch(
    run.stderr,
    /checksum mismatch for flashlight-x86_64-unknown-linux-gnu: SHA256SUMS says [0-9a-f]{64}, the download is [0-9a-f]{64}; deleted the download, nothing was installed/,
  );
  assertEquals(run.installed, undefined);
  assertEquals(await staged(`${root.path}/bin`), []);
});

Deno.test("install.sh names what is missing: a version without a build for this machine, an unknown version, an asset it cannot download", async () => {
  await using server = await startReleaseServer();
  const cases: [string[], [string, string], string][] = [
    [
      ["--version", "1.0.0"],
      ["Darwin", "arm64"],
      "release v1.0.0 has no flashlight-aarch64-apple-darwin (it is not in its SHA256SUMS)",
    ],
    [
      ["--version", "9.9.9"],
      ["Linux", "x86_64"],
      `no release v9.9.9 at ${server.url} (could not download ${server.url}/download/v9.9.9/SHA256SUMS)`,
    ],
    [
      ["--version", "2.0.0"],
      ["Linux", "x86_64"],
      `could not download ${server.url}/download/v2.0.0/flashlight-x86_64-unknown-linux-gnu`,
    ],
    [
      [],
      ["Linux", "x86_64"],
      `no latest release at ${server.url}/empty (could not download ${server.url}/empty/latest/download/SHA256SUMS)`,
    ],
    [
      ["--version", "3.0.0"],
      ["Linux", "x86_64"],
      'flashlight-x86_64-unknown-linux-gnu does not run on this machine (its --version did not print "flashlight …"); nothing was installed',
    ],
  ];
  for (const [args, uname, message] of cases) {
    await using root = await tempDir();
    const base = args.length === 0 ? `${server.url}/empty` : server.url; // no release there at all
    const run = await install(base, root.path, { args, uname });
    assertEquals(run.code, 1, args.join(" "));
    assertStringIncludes(run.stderr, `flashlight install: error: ${message}`);
    assertEquals(run.installed, undefined);
    assertEquals(await staged(`${root.path}/bin`), []);
  }
});

Deno.test("install.sh refuses a platform without a build and bad arguments with exit 2", async () => {
  await using server = await startReleaseServer();
  const cases: [string[], [string, string], string][] = [
    [[], ["SunOS", "sun4u"], "no prebuilt flashlight for SunOS sun4u"],
    [
      [],
      ["MINGW64_NT-10.0-19045", "x86_64"],
      "on Windows follow docs/release.md (Installing by hand: the PowerShell lines)",
    ],
    [["--bogus"], ["Linux", "x86_64"], 'unknown argument "--bogus"'],
    [["--version"], ["Linux", "x86_64"], "--version needs a value"],
    [
      ["--version", "1.2.3;rm"],
      ["Linux", "x86_64"],
      '--version must look like 1.2.3, got "1.2.3;rm"',
    ],
  ];
  for (const [args, uname, message] of cases) {
    await using root = await tempDir();
    const base = args.length === 0 ? `${server.url}/empty` : server.url; // no release there at all
    const run = await install(base, root.path, { args, uname });
    assertEquals(run.code, 2, args.join(" "));
    assertStringIncludes(run.stderr, message);
    assertEquals(server.agents.length, 0, "nothing downloaded");
  }
});

Deno.test("install.sh downloads with wget when there is no curl, and says when there is neither", async () => {
  if (!requireProgram("wget", "wget")) return;
  await using server = await startReleaseServer();
  await using root = await tempDir();
  const path = await pathWithout(`${root.path}/path`, ["curl"]);
  const run = await install(server.url, root.path, { path });
  assertEquals(run.code, 0, run.stderr);
  assertStringIncludes(run.installed ?? "", "flashlight 1.2.3");
  assert(
    server.agents.length > 0 && server.agents.every((agent) => agent.startsWith("Wget/")),
    server.agents.join(),
  );
  const neither = await pathWithout(`${root.path}/neither`, ["curl", "wget"]);
  const none = await install(server.url, `${root.path}/none`, { path: neither });
  assertEquals(none.code, 1);
  assertStringIncludes(none.stderr, "needs curl or wget to download");
});

Deno.test("install.sh stops when the install directory cannot be created or written, and says so", async () => {
  await using server = await startReleaseServer();
  await using root = await tempDir();
  await Deno.writeTextFile(`${root.path}/file`, "");
  const uncreatable = await install(server.url, root.path, { dir: `${root.path}/file/bin` });
  assertEquals(uncreatable.code, 1);
  assertStringIncludes(
    uncreatable.stderr,
    `cannot create ${root.path}/file/bin; set FLASHLIGHT_INSTALL`,
  );
  // root may write to any mode; in /sys it still cannot create files.
  const readOnly = Deno.uid() === 0 ? "/sys" : `${root.path}/read-only`;
  if (Deno.uid() !== 0) await Deno.mkdir(readOnly, { mode: 0o555 });
  const unwritable = await install(server.url, root.path, { dir: readOnly });
  assertEquals(unwritable.code, 1);
  assertStringIncludes(unwritable.stderr, `cannot write to ${readOnly}; set FLASHLIGHT_INSTALL`);
  assertEquals(await staged(readOnly), []);
});

Deno.test("install.sh says when the install directory is not on PATH, and not when it is", async () => {
  await using server = await startReleaseServer();
  await using root = await tempDir();
  const off = await install(server.url, root.path);
  assertStringIncludes(
    off.stdout,
    `${root.path}/bin is not on your PATH; add it, e.g. in ~/.profile: export PATH="${root.path}/bin:$PATH"`,
  );
  const on = await install(server.url, root.path, { path: `/usr/bin:/bin:${root.path}/bin` });
  assertEquals(on.code, 0);
  assertFalse(on.stdout.includes("not on your PATH"), on.stdout);
});

Deno.test("the README names every environment variable install.sh reads (but the tests' own)", async () => {
  const script = await Deno.readTextFile(new URL("../scripts/install.sh", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const names = new Set(script.match(/\bFLASHLIGHT_[A-Z_]+/g));
  const forTests = ["FLASHLIGHT_UNAME_S", "FLASHLIGHT_UNAME_M"];
  const missing = [...names].filter((name) => !forTests.includes(name) && !readme.includes(name));
  assertEquals(missing, []);
  assertEquals(names.size, 6, [...names].join(" "));
});
