import { assertEquals, assertThrows } from "@std/assert";
import { parseLampArgs } from "../src/cli/lamp_args.ts";
import { ADDRESS_QUESTION, promptAddress } from "../src/cli/prompt_address.ts";
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
  });
});

Deno.test("lamp args: address from the argument beats FLASHLIGHT_ADDRESS", () => {
  const env = (name: string) => name === "FLASHLIGHT_ADDRESS" ? "envhost:1" : undefined;
  assertEquals(parseLampArgs([":7000"], env).addresses, [{ hostname: "127.0.0.1", port: 7000 }]);
  assertEquals(parseLampArgs([], env).addresses, [{ hostname: "envhost", port: 1 }]);
  assertEquals(parseLampArgs(["9999"], noEnv).addresses, [{ hostname: "9999", port: 9999 }]);
});

Deno.test("lamp args: flags", () => {
  const config = parseLampArgs(["--log", "json", "-v", "--retry-max", "2.5"], noEnv);
  assertEquals([config.log, config.level, config.retryMaxMs], ["json", "debug", 2500]);
  assertEquals(parseLampArgs(["-q"], noEnv).level, "error");
  assertEquals(parseLampArgs(["-h"], noEnv).help, true);
  assertEquals(parseLampArgs(["--version"], noEnv).version, true);
});

Deno.test("lamp args: every bad input is a UsageError naming the value", () => {
  const cases: [string[], string][] = [
    [["--bogus"], '"--bogus"'],
    [["-x"], '"-x"'],
    [["--log", "xml"], '--log must be one of text, json, got "xml"'],
    [["--retry-max", "0"], "--retry-max must be a number from 0.1 to 3600"],
    [["--retry-max", "soon"], '"soon"'],
    [["a:1", "b:2"], "at most one ADDRESS"],
    [["host:99999"], '"99999"'],
    [["-q", "-v"], "exclude each other"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseLampArgs(args, noEnv), UsageError, message);
  }
  assertThrows(
    () => parseLampArgs([], (name) => name === "FLASHLIGHT_ADDRESS" ? "x:y" : undefined),
    UsageError,
    "FLASHLIGHT_ADDRESS",
  );
});

Deno.test("address prompt: Enter takes the default, junk asks again, EOF gives null", () => {
  const script = (answers: (string | null)[]) => {
    const asked: string[] = [];
    const told: string[] = [];
    const result = promptAddress((question) => {
      asked.push(question);
      return answers.shift() ?? null;
    }, (line) => told.push(line));
    return { result, asked, told };
  };
  assertEquals(script([""]).result, [{ hostname: "127.0.0.1", port: 9999 }]);
  const retried = script(["nope:x", "[::1]:5"]);
  assertEquals(retried.result, [{ hostname: "::1", port: 5 }]);
  assertEquals(retried.asked, [ADDRESS_QUESTION, ADDRESS_QUESTION]);
  assertEquals(retried.told.length, 1);
  assertEquals(retried.told[0].includes('"x"'), true);
  assertEquals(script([null]).result, null);
  assertEquals(ADDRESS_QUESTION, "Server address [127.0.0.1:9999]:");
});
