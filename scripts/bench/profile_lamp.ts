/**
 * Where flashlight's lamp spends its time on one frame kind: runs it with `deno run --cpu-prof`
 * (`--log text --quiet`), feeds it one stream as `bench:e2e` does, and prints the functions with
 * the most self time (V8's sampling profiler; idle time left out), and the same by file.
 *
 * Usage: deno run -A scripts/bench/profile_lamp.ts [KIND] [FRAMES] [--ws=BYTES] [--keep]
 *   KIND: on-off, color, unknown, malformed, mixed, 64k (default unknown); FRAMES default 5000000;
 *   --ws=BYTES: the lamp connects over ws:// and is fed messages of BYTES payload;
 *   --keep leaves the .cpuprofile (for Chrome DevTools) and prints its path.
 *
 * @module
 */
import { frameStream, STREAM_KINDS } from "./frame_streams.ts";
import { flashlightLamp, flashlightWebSocketLamp } from "./lamp_contenders.ts";
import { feedLamp } from "./lamp_feed.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = Deno.args.filter((arg) => arg !== "--keep" && !arg.startsWith("--ws="));
const messageBytes = Number(Deno.args.find((arg) => arg.startsWith("--ws="))?.slice(5) ?? 0);
const name = args[0] ?? "unknown";
if (!Object.hasOwn(STREAM_KINDS, name)) {
  throw new RangeError(`unknown kind ${JSON.stringify(name)} (${Object.keys(STREAM_KINDS)})`);
}
const kind = STREAM_KINDS[name as keyof typeof STREAM_KINDS];
const frames = Number(args[1] ?? 5_000_000);
const dir = await Deno.makeTempDir({ prefix: "flashlight-profile-" });
const flags = ["--log", "text", "--quiet"];
const profiling = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
const lamp = messageBytes > 0
  ? flashlightWebSocketLamp(flags, messageBytes, profiling)
  : flashlightLamp(flags, profiling);
const stream = frameStream(kind, frames);
const { ms } = await feedLamp(lamp, stream);
const [file] = [...Deno.readDirSync(dir)].map((entry) => `${dir}/${entry.name}`);
const profile: Profile = JSON.parse(await Deno.readTextFile(file));

const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
const perFile = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
  if (functionName === "(idle)") return;
  const micros = profile.timeDeltas[i] ?? 0;
  const where = url.replace(/^file:\/\/.*?\/(src|scripts)\//, "$1/").replace(/^ext:/, "ext:");
  const name = `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`;
  self.set(name, (self.get(name) ?? 0) + micros);
  perFile.set(where || functionName, (perFile.get(where || functionName) ?? 0) + micros);
  busy += micros;
});

const top = (table: Map<string, number>, count: number) =>
  [...table].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) =>
    `| ${name.trim()} | ${(micros / 1000).toFixed(0)} ms | ${(100 * micros / busy).toFixed(1)}% |`
  ).join("\n");

console.log(
  `${lamp.name}, ${kind}: ${stream.description}, ${
    (stream.frames / ms / 1e3).toFixed(1)
  } M frames/s; ${(busy / 1000).toFixed(0)} ms busy in the profile (start-up included)\n`,
);
console.log(`| function (self time) | ms | share |\n| --- | --- | --- |\n${top(self, 15)}\n`);
console.log(`| file (self time) | ms | share |\n| --- | --- | --- |\n${top(perFile, 10)}`);
if (Deno.args.includes("--keep")) console.log(`\nprofile: ${file}`);
else await Deno.remove(dir, { recursive: true });
