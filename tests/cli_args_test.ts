/**
 * The command lines, parsed as pure functions: every value reaches its command as typed, every
 * bad input is a usage error that names it, help comes from the same tables.
 */
import { assertEquals, assertFalse, assertStringIncludes, assertThrows } from "@std/assert";
import { exitCodeHelp } from "../src/cli/exit_codes.ts";
import { closestName } from "../src/cli/closest_name.ts";
import { parseFlags } from "../src/cli/flags.ts";
import { LAMP_USAGE, parseLampArgs } from "../src/cli/lamp_args.ts";
import { ADDRESS_QUESTION, promptAddress } from "../src/cli/prompt_address.ts";
import { parseSendArgs, SEND_USAGE } from "../src/cli/send_args.ts";
import { sendSummary } from "../src/cli/send_summary.ts";
import { parseServeArgs, SERVE_USAGE } from "../src/cli/serve_args.ts";
import { UsageError } from "../src/cli/usage_error.ts";

const noEnv = () => undefined;

Deno.test("lamp args: defaults", () => {
  assertEquals(parseLampArgs([], noEnv), {
    help: false,
    version: false,
    addresses: undefined,
    log: undefined,
    level: "info",
    retryMaxMs: 5000,
    idleTimeoutMs: "auto",
    tlsFiles: { ca: undefined, cert: undefined, key: undefined },
  });
});

Deno.test("lamp args: address from the argument beats FLASHLIGHT_ADDRESS", () => {
  const env = (name: string) => name === "FLASHLIGHT_ADDRESS" ? "envhost:1" : undefined;
  assertEquals(parseLampArgs([":7000"], env).addresses, [{ hostname: "127.0.0.1", port: 7000 }]);
  assertEquals(parseLampArgs([], env).addresses, [{ hostname: "envhost", port: 1 }]);
  assertEquals(parseLampArgs(["9999"], noEnv).addresses, [{ hostname: "9999", port: 9999 }]);
  assertEquals(parseLampArgs(["tls://a:1"], noEnv).addresses, [{
    hostname: "a",
    port: 1,
    tls: true,
  }]);
});

Deno.test("lamp args: flags", () => {
  const config = parseLampArgs(
    ["--log", "json", "-v", "--retry-max", "2.5", "--idle-timeout=40"],
    noEnv,
  );
  assertEquals([config.log, config.level, config.retryMaxMs, config.idleTimeoutMs], [
    "json",
    "debug",
    2500,
    40000,
  ]);
  assertEquals(parseLampArgs(["-q"], noEnv).level, "error");
  assertEquals(parseLampArgs(["-h"], noEnv).help, true);
  assertEquals(parseLampArgs(["--version"], noEnv).version, true);
  assertEquals(parseLampArgs(["--idle-timeout", "0"], noEnv).idleTimeoutMs, 0);
});

Deno.test("a bare `help` is --help, for every command", () => {
  assertEquals(parseLampArgs(["help"], noEnv).help, true);
  assertEquals(parseServeArgs(["help"]).help, true);
  assertEquals(parseSendArgs(["help"]).help, true);
});

Deno.test("lamp args: every bad input is a UsageError naming the value", () => {
  const cases: [string[], string][] = [
    [["--bogus"], '"--bogus"'],
    [["-x"], '"-x"'],
    [["--log", "xml"], '--log must be one of text, json, got "xml"'],
    [["--retry-max", "0"], "--retry-max must be a number from 0.1 to 3600"],
    [["--retry-max", "soon"], '"soon"'],
    [["--retry-max", "-1"], '--retry-max must be a number from 0.1 to 3600, got "-1"'],
    [["--retry-max", "1e3"], '"1e3"'],
    [["--retry-max"], "--retry-max needs a value"],
    [["a:1", "b:2"], "at most one ADDRESS"],
    [["host:99999"], '"99999"'],
    [["-q", "-v"], "exclude each other"],
    [["--quiet=yes"], "takes no value"],
    [["http://127.0.0.1:9999"], "not http; write host:port, tls://host:port or ws://host/lamp"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseLampArgs(args, noEnv), UsageError, message, args.join(" "));
  }
  assertThrows(
    () => parseLampArgs([], (name) => name === "FLASHLIGHT_ADDRESS" ? "x:y" : undefined),
    UsageError,
    "FLASHLIGHT_ADDRESS",
  );
});

Deno.test("send keeps every value exactly as typed", () => {
  const body = (args: string[]) => parseSendArgs(args).body;
  assertEquals(body(["COLOR", "000000"]), {
    method: "message",
    params: { command: "COLOR", value: "000000" },
  });
  assertEquals(body(["COLOR", "001122"]).params, { command: "COLOR", value: "001122" });
  assertEquals(body(["COLOR", "1e3456"]).params, { command: "COLOR", value: "1e3456" });
  assertEquals(body(["FRAME", "33", "0011"]), {
    method: "frame",
    params: { type: 33, value: "0011" },
  });
  assertEquals(body(["FRAME", "33", "0011", "--api", "http://127.0.0.1:1"]).params, {
    type: 33,
    value: "0011",
  });
  // After `--` a value that starts with a dash reaches the check as typed (and is refused there).
  assertThrows(() => parseSendArgs(["--", "COLOR", "-00000"]), UsageError, '"-00000"');
  assertThrows(() => parseSendArgs(["FRAME", "0x21", "00"]), UsageError, "decimal");
  assertThrows(() => parseSendArgs(["FRAME", "256"]), UsageError, "0-255");
});

Deno.test("numbers on every command line are plain decimal: no hex, no exponent, no sign", () => {
  assertEquals(parseServeArgs(["--lamp-port", "0010"]).lampPort, 10);
  for (
    const [flag, value] of [
      ["--lamp-port", "0x10"],
      ["--queue-limit", "1e3"],
      ["--api-port", "-1"],
      ["--web-port", " 80"],
    ]
  ) {
    assertThrows(
      () => parseServeArgs([flag, value]),
      UsageError,
      JSON.stringify(value),
      `${flag} ${value}`,
    );
  }
  assertEquals(
    parseFlags(["--n", "007"], [{ name: "n", kind: "value", help: "" }], "x").values.get("n"),
    "007",
  );
});

Deno.test("serve --workers takes 1 to 64 lamp threads; without it, serve starts one per core", () => {
  assertEquals(parseServeArgs([]).workers, undefined);
  assertEquals(parseServeArgs(["--workers", "3"]).workers, 3);
  for (const value of ["0", "65", "two"]) {
    assertThrows(() => parseServeArgs(["--workers", value]), UsageError, "--workers");
  }
  assertStringIncludes(SERVE_USAGE, "--workers N");
  assertStringIncludes(SERVE_USAGE, "(default one per core)");
});

Deno.test("errors point at the right command's help", () => {
  const serve = assertThrows(() => parseServeArgs(["--bogus"]), UsageError);
  assertEquals(serve.command, "serve");
  const send = assertThrows(() => parseSendArgs(["--bogus"]), UsageError);
  assertEquals(send.command, "send");
  assertThrows(
    () => parseServeArgs(["--host", "a b"]),
    UsageError,
    "--host must be a host name or IP address",
  );
});

Deno.test("each command's help lists only the exit codes it can end with", () => {
  assertStringIncludes(SEND_USAGE, "4    the stand refused the command");
  assertStringIncludes(
    SEND_USAGE,
    "3    the stand is unreachable, is not a flashlight stand, or cannot take commands now (503)",
  );
  assertFalse(SEND_USAGE.includes("130"));
  assertFalse(LAMP_USAGE.includes("the stand answered"));
  assertFalse(LAMP_USAGE.includes("port cannot be bound"));
  assertStringIncludes(SERVE_USAGE, "3    a port cannot be bound");
  assertStringIncludes(exitCodeHelp("lamp"), "5    the log or terminal output failed");
  for (const usage of [LAMP_USAGE, SERVE_USAGE, SEND_USAGE]) {
    assertStringIncludes(usage, "Exit codes:");
  }
});

Deno.test("help texts show the flags' defaults from the one table", () => {
  assertStringIncludes(SERVE_USAGE, "--lamp-port N");
  assertStringIncludes(SERVE_USAGE, "(default 9999)");
  assertStringIncludes(SERVE_USAGE, "env FLASHLIGHT_BROKER");
  assertStringIncludes(LAMP_USAGE, "--retry-max SEC");
  assertStringIncludes(LAMP_USAGE, "(default 5)");
  assertStringIncludes(SEND_USAGE, "(default http://127.0.0.1:9000; env FLASHLIGHT_API)");
});

Deno.test("address prompt: Enter takes the default, junk asks again, EOF gives null", async () => {
  const script = async (answers: (string | null)[]) => {
    const asked: string[] = [];
    const told: string[] = [];
    const result = await promptAddress((question) => {
      asked.push(question);
      return Promise.resolve(answers.shift() ?? null);
    }, (line) => told.push(line));
    return { result, asked, told };
  };
  assertEquals((await script([""])).result, [{ hostname: "127.0.0.1", port: 9999 }]);
  const retried = await script(["nope:x", "[::1]:5"]);
  assertEquals(retried.result, [{ hostname: "::1", port: 5 }]);
  assertEquals(retried.asked, [ADDRESS_QUESTION, ADDRESS_QUESTION]);
  assertEquals(retried.told.length, 1);
  assertEquals(retried.told[0].includes('"x"'), true);
  assertEquals((await script([null])).result, null);
  assertEquals(ADDRESS_QUESTION, "Server address [127.0.0.1:9999]: ");
});

Deno.test("closestName suggests the one name within two edits, none when unsure", () => {
  const names = ["log", "quiet", "verbose", "retry-max", "idle-timeout", "ca", "cert", "key"];
  assertEquals(closestName("lgo", names), "log"); // a swap is one edit
  assertEquals(closestName("qiuet", names), "quiet");
  assertEquals(closestName("retry-mx", names), "retry-max");
  assertEquals(closestName("verbos", names), "verbose");
  assertEquals(closestName("idle-tmeout", names), "idle-timeout");
  assertEquals(closestName("bogus", names), undefined); // nothing close
  assertEquals(closestName("cat", ["cart", "cast"]), undefined); // two equally close: no guess
  assertEquals(closestName("x", names), undefined); // as many edits as letters: not a typo
  assertEquals(closestName("", names), undefined);
  assertEquals(closestName("LOG", names), "log");
});

Deno.test("an unknown flag close to a declared one says 'did you mean'", () => {
  assertThrows(
    () => parseLampArgs(["--lgo", "json"], noEnv),
    UsageError,
    'unknown flag "--lgo": did you mean --log?',
  );
  assertThrows(
    () => parseServeArgs(["--no-snyc"]),
    UsageError,
    'unknown flag "--no-snyc": did you mean --no-sync?',
  );
  assertThrows(() => parseSendArgs(["--tokn", "x"]), UsageError, "did you mean --token?");
  const far = assertThrows(() => parseLampArgs(["--bogus"], noEnv), UsageError);
  assertEquals(far.message, 'unknown flag "--bogus"');
});

Deno.test("--tls-cert/--tls-key PORT=FILE with an unknown port names the port, unless the whole text is a file", () => {
  for (const flag of ["--tls-cert", "--tls-key"]) {
    const other = flag === "--tls-cert" ? "--tls-key" : "--tls-cert";
    assertThrows(
      () => parseServeArgs([flag, "foo=x.pem", other, "y.pem"], noEnv, () => false),
      UsageError,
      `unknown port "foo" in ${flag} (lamp, api, web)`,
    );
  }
  const asFile = parseServeArgs(
    ["--tls-cert", "foo=x.pem", "--tls-key", "k.pem"],
    noEnv,
    (path) => path === "foo=x.pem",
  );
  assertEquals(asFile.tlsFiles.api, { cert: "foo=x.pem", key: "k.pem" });
  // A path with a folder is a path, whatever its name holds.
  const path = parseServeArgs(
    ["--tls-cert", "./a=b.pem", "--tls-key", "k.pem"],
    noEnv,
    () => false,
  );
  assertEquals(path.tlsFiles.web, { cert: "./a=b.pem", key: "k.pem" });
});

Deno.test("send checks every command's value locally, with the stand's own check (usage error)", () => {
  const cases: [string[], string][] = [
    [["ON", "extra"], 'ON takes no value, got "extra"'],
    [["OFF", "1"], 'OFF takes no value, got "1"'],
    [["COLOR"], "COLOR needs a value"],
    [["COLOR", "red"], 'Invalid color "red"'],
    [["BLINK"], 'unknown command "BLINK" (known: ON, OFF, COLOR rrggbb, FRAME TYPE HEX)'],
    [["FRAME", "33", "0a0"], "0a0"],
    [["FRAME", "256", "00"], "0-255"],
    [["COLOR", "ff0000", "00ff00"], "at most one value"],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parseSendArgs(args), UsageError, message, args.join(" "));
    assertEquals(error.command, "send");
  }
  assertEquals(parseSendArgs(["on"]).body, { method: "message", params: { command: "on" } });
  assertEquals(parseSendArgs(["COLOR", "#FF0000"]).body.params, {
    command: "COLOR",
    value: "#FF0000",
  });
});

Deno.test("sendSummary says in one short line what was sent and to how many lamps", () => {
  const answer = { ok: true, frame: "20 00 03 ff 00 00", on: false, color: "#ff0000" };
  const cases: [Record<string, unknown>, string][] = [
    [
      { ...answer, command: "COLOR", value: "#ff0000", effect: "applied", lamps: 3 },
      "COLOR #ff0000 → 3 lamps",
    ],
    [{ command: "ON", value: "", effect: "applied", lamps: 1 }, "ON → 1 lamp"],
    [{ command: "OFF", value: "", effect: "applied", lamps: 0 }, "OFF → 0 lamps (none connected)"],
    [
      { command: "FRAME", value: "0a 0b", effect: "unknown", lamps: 2 },
      "FRAME 0a 0b → 2 lamps (skipped: unknown type)",
    ],
    [
      { command: "FRAME", value: "0a", effect: "malformed", lamps: 2 },
      "FRAME 0a → 2 lamps (ignored: malformed)",
    ],
  ];
  for (const [sent, said] of cases) assertEquals(sendSummary(sent), said);
  // The stand's words are network text: escaped, never raw.
  assertEquals(sendSummary({ command: "\x1b[2J", lamps: "x" }), "\\u001b[2J → ? lamps");
  assertEquals(sendSummary({ command: "ON", effect: "constructor", lamps: 2 }), "ON → 2 lamps");
});

Deno.test("--tls-client-ca [PORT=]FILE goes to every TLS port or one, and needs --tls-cert there", () => {
  const tls = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
  const every = parseServeArgs([...tls, "--tls-client-ca", "ca.pem"]).tlsFiles;
  assertEquals(every.lamp, { cert: "c.pem", key: "k.pem", clientCa: "ca.pem" });
  assertEquals(every.api?.clientCa, "ca.pem");
  const lampOnly = parseServeArgs([...tls, "--tls-client-ca", "lamp=ca.pem"]).tlsFiles;
  assertEquals([lampOnly.lamp?.clientCa, lampOnly.api, lampOnly.web?.clientCa], [
    "ca.pem",
    { cert: "c.pem", key: "k.pem" },
    undefined,
  ]);
  // For every port: the ports with a certificate get it.
  const apiTls = parseServeArgs([
    ...["--tls-cert", "api=c.pem", "--tls-key", "api=k.pem", "--tls-client-ca", "ca.pem"],
  ]).tlsFiles;
  assertEquals(apiTls, { api: { cert: "c.pem", key: "k.pem", clientCa: "ca.pem" } });
  const cases: [string[], string][] = [
    [["--tls-client-ca", "ca.pem"], "--tls-client-ca needs --tls-cert"],
    [["--tls-client-ca", "lamp=ca.pem"], "the lamp port has a --tls-client-ca but no --tls-cert"],
    [
      ["--tls-cert", "api=c.pem", "--tls-key", "api=k.pem", "--tls-client-ca", "web=ca.pem"],
      "the web port has a --tls-client-ca but no --tls-cert",
    ],
    [[...tls, "--tls-client-ca", "foo=ca.pem"], 'unknown port "foo" in --tls-client-ca'],
    [
      [...tls, "--tls-client-ca", "lamp=a.pem", "--tls-client-ca", "lamp=b.pem"],
      "--tls-client-ca for the lamp port given twice",
    ],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseServeArgs(args, noEnv, () => false), UsageError, message);
  }
});

Deno.test("sendSummary of a FRAME names its type as typed (decimal): two frames that differ only in type read differently", () => {
  assertEquals(
    sendSummary({
      command: "FRAME",
      value: "0a 0b",
      frame: "21 00 02 0a 0b",
      effect: "unknown",
      lamps: 1,
    }),
    "FRAME 33 0a 0b → 1 lamp (skipped: unknown type)",
  );
  assertEquals(
    sendSummary({
      command: "FRAME",
      value: "0a 0b",
      frame: "20 00 02 0a 0b",
      effect: "malformed",
      lamps: 1,
    }),
    "FRAME 32 0a 0b → 1 lamp (ignored: malformed)",
  );
  assertEquals(
    sendSummary({ command: "FRAME", value: "", frame: "21 00 00", effect: "unknown", lamps: 1 }),
    "FRAME 33 → 1 lamp (skipped: unknown type)",
  );
});
