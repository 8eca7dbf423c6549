/**
 * Shell completion for bash, zsh and fish, generated from the commands' flag tables: a flag added
 * to a table completes in every shell. Pure.
 *
 * @module
 */
import { createCommandTable } from "../commands/command_table.ts";
import type { FlagSpec } from "./flags.ts";
import { LAMP_FLAGS } from "./lamp_args.ts";
import { SEND_FLAGS } from "./send_args.ts";
import { SERVE_FLAGS } from "./serve_args.ts";

/** The shells completion is written for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** One of {@linkcode SHELLS}. */
export type Shell = typeof SHELLS[number];

/** A command as completion sees it: its flags and the words it takes as arguments. */
interface CompletedCommand {
  /** `lamp` for the default command, else the word typed after `flashlight`. */
  readonly name: string;
  readonly flags: readonly FlagSpec[];
  readonly words: readonly string[];
}

/** Every command, the lamp first. */
function commands(): readonly CompletedCommand[] {
  const protocol = createCommandTable().commands.map((command) => command.name);
  return [
    { name: "lamp", flags: LAMP_FLAGS, words: ["serve", "send", "completions", "manpage"] },
    { name: "serve", flags: SERVE_FLAGS, words: [] },
    { name: "send", flags: SEND_FLAGS, words: [...protocol, "FRAME"] },
    { name: "completions", flags: [], words: [...SHELLS] },
    { name: "manpage", flags: [], words: [] },
  ];
}

/** The values a flag takes when its placeholder lists them (`text|json`). */
function choices(spec: FlagSpec): readonly string[] {
  return spec.value?.includes("|") ? spec.value.split("|") : [];
}

/** Whether a flag's value is a file name (`FILE`, `[PORT=]FILE`). */
function takesFile(spec: FlagSpec): boolean {
  return spec.value?.endsWith("FILE") ?? false;
}

/** Every spelling of a flag: `-q`, `--quiet`, and `--no-sync` for a negatable one. */
function spellings(spec: FlagSpec): string[] {
  return [
    ...(spec.short ? [`-${spec.short}`] : []),
    `--${spec.name}`,
    ...(spec.negatable ? [`--no-${spec.name}`] : []),
  ];
}

/**
 * The completion script for one shell.
 *
 * @param shell `bash`, `zsh` or `fish`.
 * @returns The script, ending with a newline.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { completionScript } from "./completions.ts";
 * assertStringIncludes(completionScript("bash"), "complete -F _flashlight flashlight");
 * ```
 */
export function completionScript(shell: Shell): string {
  const all = commands();
  const header =
    `# ${shell} completion for flashlight (generated: flashlight completions ${shell})\n`;
  if (shell === "bash") return header + bashScript(all);
  if (shell === "zsh") return `#compdef flashlight\n${header}${zshScript(all)}`;
  return header + fishScript(all);
}

/** Bash 3.2 too (macOS): `COMPREPLY=($(compgen …))`, no `mapfile`. */
function bashScript(all: readonly CompletedCommand[]): string {
  const values = all.flatMap(({ name, flags }) =>
    flags.filter((spec) => spec.kind !== "boolean").map((spec) => {
      const pattern = spellings(spec).map((flag) => `${name}:${flag}`).join("|");
      const reply = takesFile(spec)
        ? `compgen -f -- "$cur"`
        : `compgen -W "${choices(spec).join(" ")}" -- "$cur"`;
      return `    ${pattern}) COMPREPLY=($(${reply})); return ;;`;
    })
  );
  const lists = all.map(({ name, flags, words }) =>
    `    ${name}) flags="${flags.flatMap(spellings).join(" ")}"; words="${words.join(" ")}" ;;`
  );
  return `_flashlight() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command=lamp flags words
  case "\${COMP_WORDS[1]}" in
    serve|send|completions|manpage) command="\${COMP_WORDS[1]}" ;;
  esac
  case "$command:$prev" in
${values.join("\n")}
  esac
  case "$command" in
${lists.join("\n")}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ "$command" == lamp && COMP_CWORD -eq 1 ]] || [[ "$command" != lamp && COMP_CWORD -eq 2 ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _flashlight flashlight
`;
}

/** Text inside a zsh `_arguments` spec's `[…]`, in single quotes. */
function zshText(text: string): string {
  return text.replaceAll("'", "'\\''").replaceAll("[", "(").replaceAll("]", ")")
    .replaceAll(":", "\\:");
}

function zshSpecs(command: CompletedCommand): string[] {
  const specs = command.flags.flatMap((spec) => {
    const help = `[${zshText(spec.help)}]`;
    const value = spec.kind === "boolean"
      ? ""
      : `:${zshText(spec.value ?? "VALUE")}:${
        takesFile(spec) ? "_files" : choices(spec).length ? `(${choices(spec).join(" ")})` : ""
      }`;
    const long = `--${spec.name}${spec.kind === "boolean" ? "" : "="}`;
    const short = spec.short ? `-${spec.short}${spec.kind === "boolean" ? "" : "+"}` : undefined;
    const main = short
      ? `'(-${spec.short} --${spec.name})'{${short},${long}}'${help}${value}'`
      : `'${long}${help}${value}'`;
    return spec.negatable ? [main, `'--no-${spec.name}[${zshText(spec.help)}]'`] : [main];
  });
  const what = command.name === "lamp" ? "ADDRESS or command" : "argument";
  return command.words.length ? [...specs, `'1:${what}:(${command.words.join(" ")})'`] : specs;
}

function zshScript(all: readonly CompletedCommand[]): string {
  const [lamp, ...others] = all;
  const cases = others.map((command) =>
    `    ${command.name})
      shift words; (( CURRENT-- ))
      _arguments -s ${zshSpecs(command).join(" \\\n        ")} ;;`
  );
  return `_flashlight() {
  case $words[2] in
${cases.join("\n")}
    *)
      _arguments -s ${zshSpecs(lamp).join(" \\\n        ")} ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _flashlight "$@"
else
  compdef _flashlight flashlight
fi
`;
}

/** A word in fish, single-quoted. */
function fishWord(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function fishScript(all: readonly CompletedCommand[]): string {
  const names = all.slice(1).map((command) => command.name).join(" ");
  const lines = ["complete -c flashlight -f"];
  for (const command of all) {
    const when = command.name === "lamp"
      ? `not __fish_seen_subcommand_from ${names}`
      : `__fish_seen_subcommand_from ${command.name}`;
    for (const spec of command.flags) {
      const options = [
        spec.short ? `-s ${spec.short}` : "",
        `-l ${spec.name}`,
        spec.kind === "boolean" ? "" : takesFile(spec) ? "-r -F" : "-x",
        choices(spec).length ? `-a ${fishWord(choices(spec).join(" "))}` : "",
        `-d ${fishWord(spec.help)}`,
      ].filter(Boolean).join(" ");
      lines.push(`complete -c flashlight -n ${fishWord(when)} ${options}`);
      if (spec.negatable) {
        lines.push(
          `complete -c flashlight -n ${fishWord(when)} -l no-${spec.name} -d ${
            fishWord(spec.help)
          }`,
        );
      }
    }
    if (command.words.length > 0) {
      const first = command.name === "lamp" ? "__fish_use_subcommand" : when;
      lines.push(
        `complete -c flashlight -n ${fishWord(first)} -a ${fishWord(command.words.join(" "))}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
