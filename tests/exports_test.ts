/**
 * No dead exports: everything `src/` exports is imported by the program or its scripts (not only by
 * tests), or is part of the signature of something that is.
 */
import { assertEquals } from "@std/assert";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

const EXPORT =
  /^export\s+(?:async\s+)?(?:function\*?|class|const|let|interface|type|enum|abstract\s+class)\s+(\w+)/gm;
const IMPORT = /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${REPO_ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await files(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

Deno.test("every export in src/ is used outside the tests", async () => {
  const program = [...await files("src"), ...await files("scripts"), "main.ts"].filter((path) =>
    !path.startsWith("src/std/")
  );
  const sources = new Map(
    await Promise.all(
      program.map(async (path) => [path, await Deno.readTextFile(`${REPO_ROOT}${path}`)] as const),
    ),
  );
  const used = new Set<string>();
  for (const [path, text] of sources) {
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(path, match[2] ?? match[3]);
      if (match[3]) used.add(`${target}#*`); // a dynamic import uses the whole module
      for (const name of (match[1] ?? "").split(",")) {
        const bare = name.replace(/\btype\b/, "").split(/\s+as\s+/)[0].trim();
        if (bare) used.add(`${target}#${bare}`);
      }
    }
  }
  const dead: string[] = [];
  for (const [path, text] of sources) {
    if (!path.startsWith("src/")) continue;
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const [, name] of text.matchAll(EXPORT)) {
      const usedHere = (code.match(new RegExp(`\\b${name}\\b`, "g")) ?? []).length > 1;
      if (!used.has(`${path}#${name}`) && !used.has(`${path}#*`) && !usedHere) {
        dead.push(`${path}: ${name}`);
      }
    }
  }
  assertEquals(dead, []);
});
