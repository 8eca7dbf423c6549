/**
 * `deno run scripts/release_notes.ts --version 1.2.3 --repo OWNER/NAME`: prints the release notes
 * (Markdown) the release workflow publishes: which file is which platform, and how to verify a
 * download, by checksum and by build provenance attestation, and how to install with the script.
 *
 * @module
 */
import { parseFlags } from "../src/cli/flags.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { binaryName, TARGETS } from "./compile.ts";

/** A person's name for each release target. */
const PLATFORMS: Readonly<Record<string, string>> = {
  "x86_64-unknown-linux-gnu": "Linux x86_64",
  "aarch64-unknown-linux-gnu": "Linux arm64",
  "x86_64-apple-darwin": "macOS Intel",
  "aarch64-apple-darwin": "macOS Apple silicon",
  "x86_64-pc-windows-msvc": "Windows x86_64",
};

/** The release notes (Markdown) for one version (without the `v`) of repository OWNER/NAME. */
function releaseNotes(version: string, repo: string): string {
  const rows = TARGETS.map((target) => `| ${PLATFORMS[target]} | \`${binaryName(target)}\` |`);
  const linux = binaryName("x86_64-unknown-linux-gnu");
  const windows = binaryName("x86_64-pc-windows-msvc");
  return `flashlight ${version}: one executable for the lamp, the stand and \`send\`.

Each file below was run on a native runner of its platform before anything was published
(\`scripts/smoke.ts\`: \`--version\`, \`serve\` on free ports, a lamp, \`send COLOR\`, the lamp applies
it, a clean stop on the platform's signal). \`SHA256SUMS\` lists exactly the files that passed.

| platform | file |
| --- | --- |
${rows.join("\n")}

## Verify a download

Its checksum (in the folder holding the file and \`SHA256SUMS\`):

\`\`\`sh
sha256sum --check --ignore-missing SHA256SUMS                 # Linux
shasum -a 256 --check --ignore-missing SHA256SUMS             # macOS
\`\`\`

\`\`\`powershell
(Get-FileHash .\\${windows} -Algorithm SHA256).Hash.ToLower()   # Windows: compare with its line in SHA256SUMS
\`\`\`

That it was built by GitHub Actions in ${repo} (build provenance attestation; GitHub CLI 2.49 or later):

\`\`\`sh
gh attestation verify ${linux} --repo ${repo}
\`\`\`

## Install with the script (Linux, macOS)

It picks the file for your platform, checks it against \`SHA256SUMS\` and installs it to
\`~/.local/bin\` (or \`$FLASHLIGHT_INSTALL\`):

\`\`\`sh
curl -fsSL https://raw.githubusercontent.com/${repo}/v${version}/scripts/install.sh | FLASHLIGHT_REPO=${repo} sh -s -- --version ${version}
\`\`\`
`;
}

if (import.meta.main) {
  try {
    const { values } = parseFlags(Deno.args, [
      { name: "version", kind: "value", value: "V", help: "the release's version" },
      { name: "repo", kind: "value", value: "OWNER/NAME", help: "the repository" },
    ], "release_notes");
    const version = (values.get("version") as string | undefined) ?? "";
    const repo = (values.get("repo") as string | undefined) ?? "";
    if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) {
      throw new UsageError(`--version must be like 1.2.3, got ${JSON.stringify(version)}`);
    }
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
      throw new UsageError(`--repo must be OWNER/NAME, got ${JSON.stringify(repo)}`);
    }
    console.log(releaseNotes(version, repo));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`release_notes: ${error.message}`);
    Deno.exit(2);
  }
}
