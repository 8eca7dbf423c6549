import { renderFlagTable } from "../src/cli/flags.ts";
import { LAMP_FLAGS } from "../src/cli/lamp_args.ts";
import { SERVE_FLAGS } from "../src/cli/serve_args.ts";
import { SEND_FLAGS } from "../src/cli/send_args.ts";
import { exitCodeTable } from "../src/cli/exit_codes.ts";
for (
  const t of [
    renderFlagTable(LAMP_FLAGS),
    renderFlagTable(SERVE_FLAGS),
    renderFlagTable(SEND_FLAGS),
    exitCodeTable(),
  ]
) console.log(t + "\n");
