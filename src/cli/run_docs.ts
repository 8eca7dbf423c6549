/**
 * `flashlight completions SHELL` and `flashlight manpage`: print what the release also ships as
 * files (flashlight.bash, flashlight.zsh, flashlight.fish, flashlight.1).
 *
 * @module
 */
import { completionScript, type Shell, SHELLS } from "./completions.ts";
import { EXIT } from "./exit_codes.ts";
import { manPage } from "./manpage.ts";
import { UsageError } from "./usage_error.ts";

/** Where to put each shell's completion, said in `flashlight completions --help`. */
const COMPLETIONS_USAGE = `flashlight completions — shell completion, generated from the flags

Usage:
  flashlight completions bash > ~/.local/share/bash-completion/completions/flashlight
  flashlight completions zsh > ~/.zfunc/_flashlight     (with fpath+=~/.zfunc before compinit)
  flashlight completions fish > ~/.config/fish/completions/flashlight.fish

flashlight manpage > ~/.local/share/man/man1/flashlight.1 installs the man page.`;

/**
 * Prints a completion script or the man page.
 *
 * @param command `completions` or `manpage`.
 * @param args The arguments after it.
 * @returns 0.
 * @throws {UsageError} On a missing or unknown shell, or stray arguments.
 * @example
 * ```ts ignore
 * import { runDocs } from "./run_docs.ts";
 * Deno.exit(await runDocs("completions", ["bash"]));
 * ```
 */
export function runDocs(command: "completions" | "manpage", args: readonly string[]): number {
  if (args.length === 1 && ["--help", "-h", "help"].includes(args[0])) {
    console.log(COMPLETIONS_USAGE);
    return EXIT.ok;
  }
  if (command === "manpage") {
    if (args.length > 0) {
      throw new UsageError(`manpage takes no arguments, got ${JSON.stringify(args[0])}`);
    }
    Deno.stdout.writeSync(new TextEncoder().encode(manPage()));
    return EXIT.ok;
  }
  const [shell, ...rest] = args;
  if (!(SHELLS as readonly string[]).includes(shell) || rest.length > 0) {
    throw new UsageError(
      `completions needs one shell: ${SHELLS.join(", ")}; got ${
        args.map((arg) => JSON.stringify(arg)).join(" ") || "nothing"
      }`,
    );
  }
  Deno.stdout.writeSync(new TextEncoder().encode(completionScript(shell as Shell)));
  return EXIT.ok;
}
