/**
 * Usage texts for `--help`.
 *
 * @module
 */

const EXIT_CODES = `Exit codes:
  0    done, or stopped cleanly (Ctrl-C, SIGTERM, SIGHUP)
  1    internal error (a bug)
  2    bad command line (unknown flag, bad value, bad address)
  3    unavailable: stand unreachable (send) or port taken (serve)
  4    send: the stand answered with an error
  130  second Ctrl-C during shutdown`;

/** `flashlight --help`: the lamp, plus the list of commands. */
export const LAMP_USAGE: string = `flashlight — a lamp driven over TCP by a tiny TLV protocol

Usage:
  flashlight [ADDRESS] [flags]      run the lamp (default command)
  flashlight serve [flags]          run the test stand (see: flashlight serve --help)
  flashlight send COMMAND [VALUE]   send a command through the stand's API (see: send --help)

ADDRESS: host:port, host (port 9999), :port (host 127.0.0.1) or [ipv6]:port;
  several, comma-separated, are tried in turn (failover). Without one, a terminal is asked
  (Enter takes 127.0.0.1:9999); without a terminal, 127.0.0.1:9999 is used.

Flags:
  --log text|json    write log lines (text or JSON Lines) instead of the terminal view;
                     without a terminal on stdout, text lines are the default
  -q, --quiet        log errors only
  -v, --verbose      also log ignored frames (unknown type or malformed value, as hex)
  --retry-max SEC    cap on the reconnect delay in seconds (default 5)
  -h, --help         show this help
  -V, --version      show the version

Environment:
  FLASHLIGHT_ADDRESS   the address(es) when no ADDRESS argument is given
  NO_COLOR             no colors in the terminal view
  FORCE_COLOR          0 none, 1 16 colors, 2 256 colors, 3 24-bit (overrides detection)
  COLORTERM, TERM      color detection (truecolor/24bit; *256color*)

${EXIT_CODES}`;

/** `flashlight serve --help`. */
export const SERVE_USAGE: string = `flashlight serve — the test stand

Usage:
  flashlight serve [flags]

Listens for lamps (TCP), for commands (JSON API over HTTP) and for browsers (web page and
WebSocket). Every command goes to every connected lamp.

Flags:
  --host HOST        interface to listen on (default 127.0.0.1)
  --lamp-port N      lamp TCP port (default 9999; 0 = any free port)
  --api-port N       JSON API port (default 9000; 0 = any free port)
  --web-port N       web page port (default 8888; 0 = any free port)
  --broker URL       share commands and state with other instances through Redis:
                     redis://HOST:PORT[/DB] (also FLASHLIGHT_BROKER); in process by default
  --no-sync          do not send the current state to a lamp when it connects
  --queue-limit N    bytes a slow lamp may have queued before it is dropped (default 1048576)
  --log text|json    log format (default text)
  -q, --quiet        log errors only
  -h, --help         show this help

${EXIT_CODES}`;

/** `flashlight send --help`. */
export const SEND_USAGE: string = `flashlight send — send one command through the stand's JSON API

Usage:
  flashlight send ON
  flashlight send OFF
  flashlight send COLOR rrggbb
  flashlight send FRAME TYPE HEX      any frame, e.g. FRAME 33 0a0b

Flags:
  --api URL          the stand's API (default http://127.0.0.1:9000)
  -h, --help         show this help

${EXIT_CODES}`;
