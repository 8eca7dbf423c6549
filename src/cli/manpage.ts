/**
 * The man page, `flashlight.1`, generated from the flag tables, the lamp's environment and the
 * exit codes: what `--help` says, in roff. Pure.
 *
 * @module
 */
import { VERSION } from "../version.ts";
import { DEFAULT_ADDRESS, DEFAULT_PORT } from "../net/address.ts";
import { EXIT_CODES } from "./exit_codes.ts";
import type { FlagSpec } from "./flags.ts";
import { LAMP_ENVIRONMENT, LAMP_FLAGS } from "./lamp_args.ts";
import { SEND_FLAGS } from "./send_args.ts";
import { SERVE_FLAGS } from "./serve_args.ts";
import { SHELLS } from "./completions.ts";

/** Text for roff: backslashes escaped, and a line never starts as a request (`.` or `'`). */
function roff(text: string): string {
  return text.replaceAll("\\", "\\e").replaceAll("-", "\\-").replace(/^([.'])/gm, "\\&$1");
}

function flagItems(specs: readonly FlagSpec[]): string {
  return specs.map((spec) => {
    const names = [
      ...(spec.short ? [`\\fB\\-${spec.short}\\fR`] : []),
      `\\fB\\-\\-${spec.negatable ? "[no\\-]" : ""}${roff(spec.name)}\\fR`,
    ].join(", ");
    const value = spec.value ? ` \\fI${roff(spec.value)}\\fR` : "";
    const extras = [
      spec.default !== undefined ? `default ${spec.default}` : "",
      spec.env ? `env ${spec.env}` : "",
      spec.kind === "list" ? "repeatable" : "",
    ].filter(Boolean);
    const help = extras.length ? `${spec.help} (${extras.join("; ")})` : spec.help;
    return `.TP\n${names}${value}\n${roff(help)}`;
  }).join("\n");
}

function environmentItems(): string {
  const fromFlags = [LAMP_FLAGS, SERVE_FLAGS, SEND_FLAGS].flat().flatMap((spec) =>
    spec.env ? [{ name: spec.env, help: `as --${spec.name}` }] : []
  );
  const unique = [...LAMP_ENVIRONMENT, ...fromFlags].filter((entry, index, all) =>
    all.findIndex((other) => other.name === entry.name) === index
  );
  return unique.map(({ name, help }) => `.TP\n\\fB${roff(name)}\\fR\n${roff(help)}`).join("\n");
}

/**
 * The man page.
 *
 * @returns `flashlight.1` in roff (man macros), ending with a newline.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { manPage } from "./manpage.ts";
 * assertStringIncludes(manPage(), ".SH EXIT STATUS");
 * ```
 */
export function manPage(): string {
  const exits = EXIT_CODES.map((row) =>
    `.TP\n\\fB${row.code}\\fR\n${roff(`${row.meaning} (${row.commands.join(", ")})`)}`
  ).join("\n");
  return `.TH FLASHLIGHT 1 "" "flashlight ${VERSION}" "User Commands"
.nh
.ad l
.SH NAME
flashlight \\- a lamp driven over TCP by a tiny TLV protocol, and its test stand
.SH SYNOPSIS
.B flashlight
[\\fIADDRESS\\fR] [\\fIflags\\fR]
.br
.B flashlight serve
[\\fIflags\\fR]
.br
.B flashlight send
\\fICOMMAND\\fR [\\fIVALUE\\fR] [\\fIflags\\fR]
.br
.B flashlight completions
${SHELLS.join("|")}
.br
.B flashlight manpage
.SH DESCRIPTION
The lamp (the default command) connects to a server, applies the commands it reads and shows
itself in the terminal, or writes log lines when its output is not a terminal.
.B flashlight serve
is the stand lamps connect to: every command goes to every lamp.
.B flashlight send
posts one command to the stand's JSON API.
.B flashlight completions
prints shell completion;
.B flashlight manpage
prints this page.
.PP
\\fIADDRESS\\fR is host:port, host (port ${DEFAULT_PORT}), :port (host 127.0.0.1) or [ipv6]:port,
each with tls:// in front for TLS; several, comma\\-separated, are tried in turn (failover).
Without one the lamp uses FLASHLIGHT_ADDRESS, asks on a terminal, or uses ${roff(DEFAULT_ADDRESS)}.
.SH LAMP OPTIONS
${flagItems(LAMP_FLAGS)}
.SH SERVE OPTIONS
${flagItems(SERVE_FLAGS)}
.SH SEND OPTIONS
${flagItems(SEND_FLAGS)}
.SH ENVIRONMENT
${environmentItems()}
.SH EXIT STATUS
${exits}
.SH EXAMPLES
.nf
flashlight serve
flashlight 127.0.0.1:9999
flashlight send COLOR ff0000
flashlight :9999 \\-\\-log json \\-C 1
.fi
`;
}
