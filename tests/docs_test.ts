/**
 * The docs tell the truth: the README's flag and exit-code tables are the ones the code renders,
 * every command line it shows uses flags and tasks that exist, and every link resolves.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { exitCodeTable } from "../src/cli/exit_codes.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { type FlagSpec, renderFlagTable } from "../src/cli/flags.ts";
import { LAMP_FLAGS } from "../src/cli/lamp_args.ts";
import { SEND_FLAGS } from "../src/cli/send_args.ts";
import { SERVE_FLAGS } from "../src/cli/serve_args.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
const docs = [...Deno.readDirSync(`${REPO_ROOT}docs`)].filter((e) => e.name.endsWith(".md"))
  .map((e) => `docs/${e.name}`);
const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}deno.json`));

/** A Markdown table without its alignment (`deno fmt` pads the columns): cells, trimmed. */
function normalize(table: string): string {
  return table.split("\n").map((row) =>
    row.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((cell) =>
      cell.trim().replace(/^-+$/, "-")
    ).join("|")
  ).join("\n");
}

Deno.test("the README's flag and exit-code tables are rendered from the code's tables", () => {
  const page = normalize(readme);
  const tables = [LAMP_FLAGS, SERVE_FLAGS, SEND_FLAGS].map(renderFlagTable);
  for (const table of [...tables, exitCodeTable()]) assertStringIncludes(page, normalize(table));
});

Deno.test("every command line in README.md and docs/ uses flags and tasks that exist", async () => {
  const flagsOf: Record<string, readonly FlagSpec[]> = {
    lamp: LAMP_FLAGS,
    serve: SERVE_FLAGS,
    send: SEND_FLAGS,
  };
  const shellLines: string[] = [];
  for (const file of ["README.md", ...docs]) {
    let fence: string | null = null;
    for (const line of (await Deno.readTextFile(`${REPO_ROOT}${file}`)).split("\n")) {
      if (line.startsWith("```")) fence = fence === null ? line.slice(3).trim() : null;
      else if (fence === "sh" || fence === "") shellLines.push(line);
    }
  }
  let checked = 0;
  for (const line of shellLines) {
    const command = line.replace(/^\S*=\S*\s+/, "").split("#")[0].trim();
    const task = /^deno task (\S+)/.exec(command);
    if (task) {
      assert(task[1] in config.tasks, `no task ${task[1]}: ${line}`);
      checked++;
    }
    const run = /^(?:flashlight|\.\/flashlight-\S+)(?:\s+(serve|send))?\b(.*)$/.exec(command);
    if (!run) continue;
    const specs = flagsOf[run[1] ?? "lamp"];
    for (const [, name] of run[2].matchAll(/(?:^|\s)--(?:no-)?([a-z][a-z-]*)/g)) {
      assert(
        specs.some((spec) => spec.name === name),
        `flashlight ${run[1] ?? ""} has no --${name}: ${line}`,
      );
    }
    checked++;
  }
  assert(checked > 10, `only ${checked} command lines found`);
});

Deno.test("the README's list of commands is the command table's", () => {
  const commands = createCommandTable().commands
    .map((command) => `${command.name} ${command.valueHint}`.trimEnd()).join(" | ");
  assertStringIncludes(readme, `\`${commands} | FRAME TYPE HEX\``);
});

Deno.test("every relative link in README.md and docs/ resolves", async () => {
  for (const file of ["README.md", ...docs]) {
    const text = await Deno.readTextFile(`${REPO_ROOT}${file}`);
    const base = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = new URL(target.split("#")[0], `file://${REPO_ROOT}${base}`).pathname;
      const found = await Deno.stat(path).then(() => true, () => false);
      assert(found, `${file} links to ${target}, which does not exist`);
    }
  }
});

Deno.test("the README is the user's page; the maintainer's notes are in docs/", () => {
  const lines = readme.split("\n").length;
  assert(lines <= 300, `README.md has ${lines} lines: a page a user reads, not a manual`);
  for (
    const doc of [
      "docs/performance.md",
      "docs/reliability.md",
      "docs/protocol.md",
      "docs/code.md",
      "docs/release.md",
    ]
  ) {
    assert(docs.includes(doc), `${doc} is missing`);
    assertStringIncludes(readme, `](${doc})`);
  }
  assertEquals(readme.includes("## Performance"), false, "performance lives in docs/");
});

Deno.test("every log event the code writes is named in the README", async () => {
  const events = new Set<string>();
  for await (const file of walkTs(`${REPO_ROOT}src`)) {
    for (const line of (await Deno.readTextFile(file)).split("\n")) {
      if (/^\s*(\*|\/\/)/.test(line)) continue; // doc examples and comments
      for (const [, name] of line.matchAll(/event: "([a-z_]+)"/g)) events.add(name);
    }
  }
  assert(events.size > 20, `only ${events.size} events found`);
  const missing = [...events].filter((name) => !readme.includes(`\`${name}\``));
  assertEquals(missing, [], "events logged but not in the README");
});

/** The TypeScript files under `dir`, recursively. */
async function* walkTs(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walkTs(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}
