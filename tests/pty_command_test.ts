import { assertEquals } from "@std/assert";
import { scriptArgs } from "../scripts/pty_command.ts";

Deno.test("scriptArgs execs the command with every argument quoted for the shell", async () => {
  assertEquals(scriptArgs(["deno", "run", ":9999"]), ["-qec", "exec deno run :9999", "/dev/null"]);
  const tricky = ["printf", "%s|", "two words", "it's", "$HOME", ""];
  assertEquals(scriptArgs(tricky)[1], `exec printf '%s|' 'two words' 'it'\\''s' '$HOME' ''`);
  const sh = await new Deno.Command("sh", { args: ["-c", scriptArgs(tricky)[1]] }).output();
  assertEquals(new TextDecoder().decode(sh.stdout), "two words|it's|$HOME||");
});
