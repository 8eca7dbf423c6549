/**
 * The options of a lamp and of a stand document their defaults as std does (`@default {60000}`):
 * every field has the tag, and where the defaults object holds the value, the tag shows that value.
 */
import { assertEquals } from "@std/assert";
import { DEFAULT_LAMP_OPTIONS } from "../src/client/lamp_options.ts";
import { DEFAULT_STAND_OPTIONS } from "../src/stand/stand_options.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";

interface DocProperty {
  readonly name: string;
  readonly jsDoc?: {
    readonly tags?: readonly { readonly kind: string; readonly value?: string }[];
  };
}

/** The `@default` tag of each field of an interface, as `deno doc` reads them (none: `null`). */
async function defaultTags(file: string, name: string): Promise<Map<string, string | null>> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", file],
    cwd: REPO_ROOT,
    stderr: "inherit",
  }).output();
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  const symbols = Object.values(doc.nodes as Record<string, { symbols: unknown[] }>)
    .flatMap((node) => node.symbols) as {
      name: string;
      declarations: { kind: string; def: { properties: DocProperty[] } }[];
    }[];
  const declaration = symbols.find((symbol) => symbol.name === name)?.declarations
    .find((declaration) => declaration.kind === "interface");
  if (!declaration) throw new Error(`${file}: no interface ${name}`);
  return new Map(declaration.def.properties.map((property) => [
    property.name,
    property.jsDoc?.tags?.find((tag) => tag.kind === "default")?.value ?? null,
  ]));
}

/**
 * The fields whose tag is missing, or shows another value than the defaults object holds; a
 * `required` field (the caller always gives it) has neither tag nor default.
 */
function wrongTags(
  tags: Map<string, string | null>,
  defaults: object,
  required: readonly string[] = [],
): string[] {
  const wrong: string[] = [];
  for (const [field, tag] of tags) {
    if (required.includes(field)) {
      if (tag !== null || Object.hasOwn(defaults, field)) wrong.push(`${field}: required`);
    } else if (tag === null) wrong.push(`${field}: no @default tag`);
    else if (Object.hasOwn(defaults, field)) {
      const value = Deno.inspect((defaults as Record<string, unknown>)[field]);
      if (tag !== value) wrong.push(`${field}: @default {${tag}}, but the default is ${value}`);
    }
  }
  for (const field of Object.keys(defaults)) {
    if (!tags.has(field)) wrong.push(`${field}: a default for no field`);
  }
  return wrong;
}

Deno.test("every lamp option shows its default with @default, the value LampClient uses", async () => {
  const tags = await defaultTags("src/client/lamp_options.ts", "LampOptions");
  assertEquals(wrongTags(tags, DEFAULT_LAMP_OPTIONS, ["addresses"]), []);
});

Deno.test("every stand option shows its default with @default, the value the stand uses", async () => {
  const tags = await defaultTags("src/stand/stand_options.ts", "StandOptions");
  assertEquals(wrongTags(tags, DEFAULT_STAND_OPTIONS), []);
});
