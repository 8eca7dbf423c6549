/**
 * The shape of the code, enforced: every import in `src/` points down the dependency order, and
 * every module is reachable from `main.ts`. The order (docs/code.md):
 *
 *   protocol, lamp, net, version  →  commands  →  client, log  →  render  →  stand  →  cli  →  main.ts
 *
 * (an arrow reads "is imported by"). Modules of one rank but different folders do not import each
 * other; `src/std/` (stand-ins for `@std`) is below everything. Inside a part, a sub-folder (such
 * as `stand/server/`) is a leaf: it imports nothing from its parent or its siblings.
 */
import { assertEquals } from "@std/assert";
import { WORKER_MODULES } from "../scripts/compile.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

/** The rank of each part; a module may import only from lower ranks or its own part. */
const RANKS: Readonly<Record<string, number>> = {
  std: 0,
  protocol: 1,
  lamp: 1,
  net: 1,
  "version.ts": 1,
  commands: 2,
  client: 3,
  log: 3,
  render: 4,
  stand: 5,
  cli: 6,
  "main.ts": 7,
};

interface Dependency {
  readonly specifier: string;
  readonly code?: { specifier: string; span: { start: { line: number } } };
  readonly type?: { specifier: string; span: { start: { line: number } } };
}

/** The part a file belongs to: its folder under src/, `version.ts`, or `main.ts`. */
function partOf(path: string): string | undefined {
  if (path === "main.ts") return "main.ts";
  const match = /^src\/([^/]+)/.exec(path);
  return match?.[1];
}

/** The folder of a file under src/ (`stand/server`), or its part for a top-level file. */
function folderOf(path: string): string {
  return path.replace(/^src\//, "").replace(/\/[^/]*$/, "");
}

/**
 * The imports that go against the order, as `file:line imports target (part → part)`.
 * @param modules The module graph from `deno info --json`.
 * @returns One line per wrong import.
 */
function wrongImports(
  modules: { specifier: string; dependencies?: Dependency[] }[],
): string[] {
  const root = `file://${REPO_ROOT}`;
  const local = (specifier: string) =>
    specifier.startsWith(root) ? specifier.slice(root.length) : undefined;
  const wrong: string[] = [];
  for (const module of modules) {
    const from = local(module.specifier);
    const fromPart = from && partOf(from);
    if (!from || !fromPart) continue;
    for (const dependency of module.dependencies ?? []) {
      for (const resolved of [dependency.code, dependency.type]) {
        const to = resolved && local(resolved.specifier);
        const toPart = to && partOf(to);
        if (!to || !toPart) continue;
        const fromFolder = folderOf(from);
        const toFolder = folderOf(to);
        const against = toPart === fromPart
          // Within a part, a sub-folder is a leaf: it imports nothing from its parent or siblings.
          ? fromFolder !== fromPart && toFolder !== fromFolder
          : !(RANKS[toPart] < RANKS[fromPart]);
        if (against) {
          const [a, b] = toPart === fromPart ? [fromFolder, toFolder] : [fromPart, toPart];
          wrong.push(`${from}:${resolved.span.start.line + 1} imports ${to} (${a} → ${b})`);
        }
      }
    }
  }
  return [...new Set(wrong)];
}

/** The module graph of `main.ts` and of the worker modules it starts (compile's `--include`). */
function moduleGraph(): Promise<{ specifier: string; dependencies?: Dependency[] }[]> {
  return graphOf(["main.ts", ...WORKER_MODULES]);
}

/** The module graphs of these roots, dynamic imports included, as `deno info --json` gives them. */
async function graphOf(
  roots: readonly string[],
): Promise<{ specifier: string; dependencies?: Dependency[] }[]> {
  const graphs = await Promise.all(roots.map(async (root) => {
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      cwd: REPO_ROOT,
    }).output();
    if (!success) throw new Error(`deno info ${root} failed`);
    return JSON.parse(new TextDecoder().decode(stdout)).modules;
  }));
  return graphs.flat();
}

Deno.test("every import in src/ follows the dependency order", async () => {
  assertEquals(wrongImports(await moduleGraph()), []);
});

Deno.test("the lamp and send load nothing of the stand's connection layer (their PEM checks live in net/)", async () => {
  for (const root of ["src/cli/run_lamp.ts", "src/cli/run_send.ts"]) {
    // What runs: modules reached through code imports (type-only imports load nothing).
    const graph = new Map((await graphOf([root])).map((module) => [module.specifier, module]));
    const loaded = new Set([`file://${REPO_ROOT}${root}`]);
    for (const specifier of loaded) {
      for (const dependency of graph.get(specifier)?.dependencies ?? []) {
        if (dependency.code) loaded.add(dependency.code.specifier);
      }
    }
    assertEquals([...loaded].filter((path) => path.includes("/src/stand/server/")), [], root);
  }
});

Deno.test("the order check fails on a reversed import or a sub-folder importing its parent or a sibling, naming the file and line", () => {
  const file = (path: string) => `file://${REPO_ROOT}${path}`;
  const graph = [{
    specifier: file("src/protocol/frame.ts"),
    dependencies: [{
      specifier: "../cli/main.ts",
      code: { specifier: file("src/cli/main.ts"), span: { start: { line: 4 } } },
    }, {
      specifier: "../log/level.ts",
      type: { specifier: file("src/log/level.ts"), span: { start: { line: 6 } } },
    }],
  }, {
    specifier: file("src/stand/server/websocket.ts"),
    dependencies: [{
      specifier: "../stand_core.ts",
      code: { specifier: file("src/stand/stand_core.ts"), span: { start: { line: 8 } } },
    }, {
      specifier: "../broker/broker.ts",
      type: { specifier: file("src/stand/broker/broker.ts"), span: { start: { line: 9 } } },
    }, {
      specifier: "./http_error.ts",
      code: { specifier: file("src/stand/server/http_error.ts"), span: { start: { line: 10 } } },
    }],
  }, {
    specifier: file("src/client/lamp_client.ts"),
    dependencies: [{
      specifier: "../log/level.ts",
      code: { specifier: file("src/log/level.ts"), span: { start: { line: 2 } } },
    }],
  }];
  assertEquals(wrongImports(graph), [
    "src/protocol/frame.ts:5 imports src/cli/main.ts (protocol → cli)",
    "src/protocol/frame.ts:7 imports src/log/level.ts (protocol → log)",
    "src/stand/server/websocket.ts:9 imports src/stand/stand_core.ts (stand/server → stand)",
    "src/stand/server/websocket.ts:10 imports src/stand/broker/broker.ts (stand/server → stand/broker)",
    "src/client/lamp_client.ts:3 imports src/log/level.ts (client → log)",
  ]);
});

Deno.test("every module in src/ is reachable from main.ts or a worker it starts (no module only a test uses)", async () => {
  const reached = new Set((await moduleGraph()).map((module) => module.specifier));
  const unreached: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${REPO_ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && path !== "src/std") await walk(path);
      else if (entry.name.endsWith(".ts") && !reached.has(`file://${REPO_ROOT}${path}`)) {
        unreached.push(path);
      }
    }
  };
  await walk("src");
  assertEquals(unreached, []);
});

/**
 * The imports of `scripts/` and `src/` that reach into a folder above them: `tests/` for both,
 * `scripts/` for `src/` (tests import scripts and src, scripts import src, never the other way).
 * @param files Each file's path from the repository root and its source.
 * @returns One line per wrong import, `file imports target`.
 */
function upwardImports(files: readonly { path: string; source: string }[]): string[] {
  const wrong: string[] = [];
  for (const { path, source } of files) {
    const above = path.startsWith("src/") ? ["tests/", "scripts/"] : ["tests/"];
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) {
      const target = new URL(specifier, `file:///${path}`).pathname.slice(1);
      if (above.some((folder) => target.startsWith(folder))) {
        wrong.push(`${path} imports ${target}`);
      }
    }
  }
  return wrong;
}

/** Every `.ts` file under a folder, with its source. */
async function sources(dir: string): Promise<{ path: string; source: string }[]> {
  const found: { path: string; source: string }[] = [];
  for await (const entry of Deno.readDir(`${REPO_ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await sources(path));
    else if (entry.name.endsWith(".ts")) {
      found.push({ path, source: await Deno.readTextFile(`${REPO_ROOT}${path}`) });
    }
  }
  return found;
}

Deno.test("scripts never import tests, src imports neither (the harnesses both use live in scripts/support/)", async () => {
  assertEquals(upwardImports([...await sources("scripts"), ...await sources("src")]), []);
  assertEquals(
    upwardImports([
      { path: "scripts/bench/a.ts", source: 'import { x } from "../../tests/support/b.ts";' },
      { path: "src/stand/c.ts", source: 'const m = await import("../../scripts/d.ts");' },
      { path: "scripts/e.ts", source: 'import { y } from "./support/f.ts";' },
    ]),
    ["scripts/bench/a.ts imports tests/support/b.ts", "src/stand/c.ts imports scripts/d.ts"],
  );
});

Deno.test("no module outside src/commands names a command, by name or frame type: every surface reads the table", async () => {
  const named: string[] = [];
  for (const { path, source } of await sources("src")) {
    if (path.startsWith("src/commands/") || path.startsWith("src/std/")) continue;
    source.split("\n").forEach((line, index) => {
      const code = line.replace(/\/\/.*$/, "");
      if (/^\s*\*/.test(code)) return; // documentation examples may name them
      if (/["'`](ON|OFF|COLOR)["'`]|\b0x(12|13|20)\b/.test(code)) {
        named.push(`${path}:${index + 1}: ${line.trim()}`);
      }
    });
  }
  assertEquals(named, []);
});

/**
 * The top-level functions of a source longer than `max` lines, as `path:line name (N lines)`.
 * @param path The file's path.
 * @param source Its text.
 * @param max The most lines a function may take.
 * @returns One line per function over it.
 */
function longFunctions(path: string, source: string, max: number): string[] {
  const lines = source.split("\n");
  const long: string[] = [];
  lines.forEach((line, start) => {
    const name = /^(?:export )?(?:async )?function\*? (\w+)/.exec(line)?.[1];
    if (!name) return;
    const end = lines.findIndex((text, index) => index > start && text === "}");
    const length = end - start + 1;
    if (length > max) long.push(`${path}:${start + 1} ${name} (${length} lines)`);
  });
  return long;
}

Deno.test("no top-level function in src/ is longer than 100 lines (the page's served script aside)", async () => {
  const long = (await sources("src")).flatMap(({ path, source }) =>
    path === "src/stand/page/page_script.ts" ? [] : longFunctions(path, source, 100)
  );
  assertEquals(long, []);
  assertEquals(
    longFunctions("a.ts", `export async function big() {\n${"  x;\n".repeat(101)}}\n`, 100),
    ["a.ts:1 big (103 lines)"],
  );
});
