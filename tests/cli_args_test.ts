/**
 * The command lines, parsed as pure functions: every value reaches its command as typed, every
 * bad input is a usage error that names it, help comes from the same tables.
 */
import { assertEquals, assertFalse, assertStringIncludes, assertThrows } from "@std/assert";
import { exitCodeHelp } from "../src/cli/exit_codes.ts";
import { parseFlags } from "../src/cli/flags.ts";
import { LAMP_USAGE, parseLampArgs } from "../src/cli/lamp_args.ts";
import { ADDRESS_QUESTION, promptAddress } from "../src/cli/prompt_address.ts";
import { parseSendArgs, SEND_USAGE } from "../src/cli/send_args.ts";
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
    caFile: undefined,
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

Deno.test("#11.9: a bare `help` is --help, for every command", () => {
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
    [["http://127.0.0.1:9999"], "not http; write host:port or tls://host:port"],
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

Deno.test("#11.1: send keeps every value exactly as typed", () => {
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
  assertEquals(body(["--", "COLOR", "-00000"]).params, { command: "COLOR", value: "-00000" });
  assertThrows(() => parseSendArgs(["FRAME", "0x21", "00"]), UsageError, "decimal");
  assertThrows(() => parseSendArgs(["FRAME", "256"]), UsageError, "0-255");
});

Deno.test("#11.1: numbers on every command line are plain decimal: no hex, no exponent, no sign", () => {
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

Deno.test("#14.4: serve --workers takes 1 to 64 lamp threads; without it, serve starts one per core", () => {
  assertEquals(parseServeArgs([]).workers, undefined);
  assertEquals(parseServeArgs(["--workers", "3"]).workers, 3);
  for (const value of ["0", "65", "two"]) {
    assertThrows(() => parseServeArgs(["--workers", value]), UsageError, "--workers");
  }
  assertStringIncludes(SERVE_USAGE, "--workers N");
  assertStringIncludes(SERVE_USAGE, "(default one per core)");
});

Deno.test("#11.9: errors point at the right command's help", () => {
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

Deno.test("#11.9: each command's help lists only the exit codes it can end with", () => {
  assertStringIncludes(SEND_USAGE, "4    the stand answered with an error");
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
  assertStringIncludes(SEND_USAGE, "(default http://127.0.0.1:9000)");
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
