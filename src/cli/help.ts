/**
 * Usage texts for `--help`, rendered from the flag tables and the exit codes.
 *
 * @module
 */
import { DEFAULT_ADDRESS, DEFAULT_PORT } from "../net/address.ts";
import { exitCodeHelp } from "./exit_codes.ts";
import { renderFlagHelp } from "./flags.ts";
import { LAMP_FLAGS } from "./lamp_args.ts";
import { SEND_FLAGS } from "./send_args.ts";
import { SERVE_FLAGS } from "./serve_args.ts";

/** `flashlight --help`: the lamp, plus the list of commands. */
export const LAMP_USAGE: string = `flashlight — a lamp driven over TCP by a tiny TLV protocol

Usage:
  flashlight [ADDRESS] [flags]      run the lamp (default command)
  flashlight serve [flags]          run the test stand (see: flashlight serve --help)
  flashlight send COMMAND [VALUE]   send a command through the stand's API (see: flashlight send --help)

ADDRESS: host:port, host (port ${DEFAULT_PORT}), :port (host 127.0.0.1) or [ipv6]:port, each with
  tls:// in front for TLS; several, comma-separated, are tried in turn (failover). Without one,
  FLASHLIGHT_ADDRESS; without that, a terminal is asked (Enter takes ${DEFAULT_ADDRESS}); without
  a terminal, ${DEFAULT_ADDRESS} is used.

Flags:
${renderFlagHelp(LAMP_FLAGS)}

Environment:
  FLASHLIGHT_ADDRESS   the address(es) when no ADDRESS argument is given
  NO_COLOR             no colors in the terminal view
  FORCE_COLOR          0 none, 1 16 colors, 2 256 colors, 3 24-bit; true: colors on, detected depth
  COLORTERM, TERM      color detection (truecolor/24bit; *256color*); TERM=dumb: plain lines

${exitCodeHelp("lamp")}`;

/** `flashlight serve --help`. */
export const SERVE_USAGE: string = `flashlight serve — the test stand

Usage:
  flashlight serve [flags]

Listens for lamps (TCP), for commands (JSON API over HTTP) and for browsers (web page and
WebSocket). Every command goes to every connected lamp.

Flags:
${renderFlagHelp(SERVE_FLAGS)}

${exitCodeHelp("serve")}`;

/** `flashlight send --help`. */
export const SEND_USAGE: string = `flashlight send — send one command through the stand's JSON API

Usage:
  flashlight send ON
  flashlight send OFF
  flashlight send COLOR rrggbb
  flashlight send FRAME TYPE HEX      any frame: TYPE 0-255 in decimal, e.g. FRAME 33 0a0b

Flags:
${renderFlagHelp(SEND_FLAGS)}

${exitCodeHelp("send")}`;
