/**
 * Shell completion and the man page, generated from the flag tables: each shell parses its script
 * and completes the tables' flags, `man` renders the page without a warning, and the release
 * writes the same files.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { completionScript, SHELLS } from "../src/cli/completions.ts";
import { LAMP_FLAGS } from "../src/cli/lamp_args.ts";
import { manPage } from "../src/cli/manpage.ts";
import { SEND_FLAGS } from "../src/cli/send_args.ts";
import { SERVE_FLAGS } from "../src/cli/serve_args.ts";
import { DOC_FILES, writeDocFiles } from "../scripts/compile.ts";
import { requireProgram, runFlashlight } from "../scripts/support/flashlight_process.ts";
import { tempDir } from "./support/temp_dir.ts";

const TABLES = { lamp: LAMP_FLAGS, serve: SERVE_FLAGS, send: SEND_FLAGS };

/** man's bold and underline as a terminal shows them: `X` backspace `X` is one `X`. */
function withoutOverstrike(text: string): string {
  const kept: string[] = [];
  for (const char of text) {
    if (char === "\b") kept.pop();
    else kept.push(char);
  }
  return kept.join("");
}

/** Runs `program args…` with `script` in a file; its exit code and output. */
async function withScript(script: string, program: string, args: (file: string) => string[]) {
  await using dir = await tempDir();
  const file = `${dir.path}/script`;
  await Deno.writeTextFile(file, script);
  const output = await new Deno.Command(program, { args: args(file), stdin: "null" }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("flashlight completions SHELL prints the generated script; a missing or unknown shell exits 2", async () => {
  for (const shell of SHELLS) {
    const result = await runFlashlight(["completions", shell]);
    assertEquals([result.code, result.stdout], [0, completionScript(shell)], shell);
  }
  for (const args of [["completions"], ["completions", "tcsh"], ["manpage", "x"]]) {
    const result = await runFlashlight(args);
    assertEquals(result.code, 2, args.join(" "));
    assert(result.stderr.startsWith("flashlight: "), result.stderr);
  }
  const man = await runFlashlight(["manpage"]);
  assertEquals([man.code, man.stdout], [0, manPage()]);
});

Deno.test("bash: the script parses (bash -n) and completes flags, commands and values from the tables", async () => {
  const script = completionScript("bash");
  assertEquals((await withScript(script, "bash", (file) => ["-n", file])).code, 0);
  const complete = async (line: string[]) => {
    const words = line.map((word) => `'${word}'`).join(" ");
    const run = await withScript(
      `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _flashlight; ` +
        `printf '%s\\n' "\${COMPREPLY[@]}"`,
      "bash",
      (file) => [file],
    );
    assertEquals(run.stderr, "");
    return run.stdout.trim().split("\n").filter(Boolean);
  };
  assertEquals(await complete(["flashlight", "se"]), ["serve", "send"]);
  assertEquals(await complete(["flashlight", "send", "O"]), ["ON", "OFF"]);
  assertEquals(await complete(["flashlight", "serve", "--log", ""]), ["text", "json"]);
  assertEquals(await complete(["flashlight", "completions", "z"]), ["zsh"]);
  for (const [command, specs] of Object.entries(TABLES)) {
    const prefix = command === "lamp" ? ["flashlight"] : ["flashlight", command];
    const offered = await complete([...prefix, "--"]);
    for (const spec of specs) {
      assert(offered.includes(`--${spec.name}`), `${command} --${spec.name}`);
    }
  }
});

Deno.test("zsh: the script parses (zsh -n) and names every flag", async () => {
  const script = completionScript("zsh");
  for (const specs of Object.values(TABLES)) {
    for (const spec of specs) assertStringIncludes(script, `--${spec.name}`);
  }
  if (!requireProgram("zsh", "zsh")) return;
  const run = await withScript(script, "zsh", (file) => ["-n", file]);
  assertEquals([run.code, run.stderr], [0, ""]);
});

Deno.test("fish: the script parses (fish --no-execute) and completes from the tables", async () => {
  const script = completionScript("fish");
  if (!requireProgram("fish", "fish")) return;
  assertEquals((await withScript(script, "fish", (file) => ["--no-execute", file])).code, 0);
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/completions.fish`, script);
  const fishComplete = async (line: string) => {
    const output = await new Deno.Command("fish", {
      args: ["-c", `source ${dir.path}/completions.fish; complete -C ${JSON.stringify(line)}`],
    }).output();
    return new TextDecoder().decode(output.stdout).trim().split("\n").map((entry) =>
      entry.split("\t")[0]
    );
  };
  assertEquals((await fishComplete("flashlight send ")).sort(), ["COLOR", "FRAME", "OFF", "ON"]);
  assertEquals(await fishComplete("flashlight serve --tls-k"), ["--tls-key"]);
  assertEquals(await fishComplete("flashlight --cou"), ["--count"]);
});

Deno.test("man -l renders flashlight.1 without a warning, with every flag and exit code", async () => {
  const page = manPage();
  if (!requireProgram("man", "man-db")) return;
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/flashlight.1`, page);
  const output = await new Deno.Command("man", {
    args: ["--warnings", "-l", `${dir.path}/flashlight.1`],
    env: { MANWIDTH: "100", MAN_KEEP_FORMATTING: "0", PAGER: "cat" },
    stdin: "null",
  }).output();
  const text = withoutOverstrike(new TextDecoder().decode(output.stdout)).replace(/\s+/g, " ");
  assertEquals([output.code, new TextDecoder().decode(output.stderr)], [0, ""]);
  for (const [command, specs] of Object.entries(TABLES)) {
    for (const spec of specs) {
      assertStringIncludes(text, `--${spec.negatable ? "[no-]" : ""}${spec.name}`, command);
    }
  }
  assertStringIncludes(text, "EXIT STATUS");
  assertStringIncludes(text, "-W/--timeout: no command arrived");
});

Deno.test("the release writes the completions and the man page beside the binaries", async () => {
  await using dir = await tempDir();
  const written = await writeDocFiles(`${dir.path}/`);
  assertEquals(written, [...DOC_FILES.keys()]);
  assertEquals(await Deno.readTextFile(`${dir.path}/flashlight.1`), manPage());
  for (const shell of SHELLS) {
    assertEquals(
      await Deno.readTextFile(`${dir.path}/flashlight.${shell}`),
      completionScript(shell),
    );
  }
});
