/**
 * The stand's page in a real headless Chromium, at a phone's width (390 px) and a desktop's
 * (1280 px): buttons drive a real lamp client, the page follows the stand through restarts, and
 * what it shows is checked in the DOM, in computed styles and in the screenshot's pixels.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { BrowserContext, Page } from "npm:playwright-core@1.65.1";
import { launchChromium } from "../scripts/support/browser.ts";
import { REPO_ROOT } from "../scripts/support/flashlight_process.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand, type TestStand } from "./support/test_stand.ts";
import { startServeProcess } from "../scripts/support/serve_process.ts";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** Chromium with the stand's page open; errors the page throws and CSP refusals are collected. */
interface StandPage extends AsyncDisposable {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

/**
 * Opens `url` in a fresh headless Chromium and waits until the page is live, or returns `null`
 * when Chromium is missing. With `enforceCsp`, wait only through locators (the policy refuses the
 * string expressions `waitForFunction` evaluates). `initScript` runs before the page's own.
 */
async function openPage(
  url: string,
  viewport = DESKTOP,
  enforceCsp = false,
  initScript = "",
): Promise<StandPage | null> {
  const context = await launchChromium({ enforceCsp });
  if (!context) return null;
  const page = context.pages()[0] ?? await context.newPage();
  if (initScript) await page.addInitScript({ content: initScript });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) errors.push(message.text());
  });
  await page.setViewportSize(viewport);
  await page.goto(url);
  await waitLive(page);
  return {
    context,
    page,
    errors,
    [Symbol.asyncDispose]: async () => {
      await context.close();
      assertEquals(errors, [], "the page threw or was refused by its CSP");
    },
  };
}

function waitLive(page: Page, live = true): Promise<void> {
  return page.locator(`#link[data-live="${live}"]`).waitFor({ timeout: 15_000 });
}

function waitRows(page: Page, rows: number): Promise<unknown> {
  return page.waitForFunction(`document.querySelectorAll("#frames tr").length === ${rows}`);
}

function message(command: string, value?: string) {
  return { method: "message", params: { command, value } };
}

/** Sends a few frames of every kind through the API: what a stand shows after some use. */
async function sendSomeFrames(stand: TestStand): Promise<void> {
  for (
    const body of [
      message("COLOR", "ff3b30"),
      message("ON"),
      { method: "frame", params: { type: 32, value: "0a0b" } },
      { method: "frame", params: { type: 33, value: "00112233445566778899aabbccddeeff" } },
      message("COLOR", "ffb000"),
    ]
  ) assertEquals((await postApi(stand.api, body)).status, 200);
}

/** The frames table as text: one array of cell texts per row, newest first. */
function tableText(page: Page): Promise<string[][]> {
  return page.evaluate(
    `[...document.querySelectorAll("#frames tr")].map((row) =>
      [...row.cells].map((cell) => cell.textContent.trim()))`,
  ) as Promise<string[][]>;
}

/** Chromium's own rendering of one row of the page: the screenshot's pixels decoded in a canvas. */
async function screenshotRow(page: Page, y: number): Promise<number[][]> {
  const png = await page.screenshot();
  let binary = "";
  for (const byte of png) binary += String.fromCharCode(byte);
  const probe = await page.context().newPage();
  try {
    return await probe.evaluate(`(async () => {
      const image = new Image();
      image.src = "data:image/png;base64,${btoa(binary)}";
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, ${Math.round(y)}, image.width, 1).data;
      return Array.from({ length: image.width }, (_, x) => [...data.slice(4 * x, 4 * x + 3)]);
    })()`) as number[][];
  } finally {
    await probe.close();
  }
}

for (const workers of [1, 2]) {
  Deno.test({
    name: `page: press ON and pick a color; the page's lamp and a real lamp client both change (${
      workers === 1 ? "one thread" : "the web port in two lamp workers"
    })`,
    fn: async () => {
      await using test = await startTestStand({ workers });
      await using lamp = startTestLamp(test.stand.ports.lamp);
      await lamp.events.next(isCommand(), 0);
      await using opened = await openPage(test.web);
      if (!opened) return;
      const { page } = opened;
      await page.waitForFunction(`document.getElementById("lamps").textContent === "1"`);

      await page.click("#on");
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
      await page.locator("#picker").fill("#3366ff");
      await page.click("#color");
      await page.waitForFunction(`document.getElementById("lamp").dataset.color === "#3366ff"`);
      await lamp.events.next(isCommand("COLOR", "#3366ff"), 0);
      assertEquals(lamp.client.state, { on: true, color: 0x3366ff });
      await page.waitForFunction(
        `getComputedStyle(document.getElementById("glow")).opacity === "1"`,
      );

      const rows = await tableText(page);
      assertEquals(rows.length, 2);
      assertEquals(
        await page.locator("#frames tr td.frame").first().textContent(),
        "20 00 03 33 66 ff",
      );

      await postApi(test.api, message("OFF"));
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "false"`);
      await page.waitForFunction(
        `getComputedStyle(document.getElementById("glow")).opacity === "0"`,
      );
      // Off, the lamp still shows the color it will have when on.
      assertStringIncludes(await page.locator("#state").textContent() ?? "", "#3366ff");
      assertEquals(await page.locator("#lamp").getAttribute("data-color"), "#3366ff");
    },
  });
}

/**
 * Records what the page shows each time its link or its lamp count changes, from before its
 * script runs: `globalThis.shown`, one entry per change, read after the fact.
 */
const RECORD_SHOWN = `(() => {
  const shown = globalThis.shown = [];
  new MutationObserver(() => {
    const text = (id) => document.getElementById(id)?.textContent ?? null;
    const now = {
      live: document.getElementById("link")?.dataset.live ?? null,
      lamps: text("lamps"),
      browsers: text("browsers"),
      state: text("state"),
    };
    const last = shown.at(-1);
    if (!last || last.live !== now.live || last.lamps !== now.lamps) shown.push(now);
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

interface Shown {
  readonly live: string | null;
  readonly lamps: string | null;
  readonly browsers: string | null;
  readonly state: string | null;
}

/** Whether every control of the page is disabled (`true`) or every one enabled (`false`). */
function controlsDisabled(page: Page): Promise<boolean | "mixed"> {
  return page.evaluate(`(() => {
    const states = [...document.querySelectorAll("#controls button, #controls input")]
      .map((control) => control.disabled);
    return states.every((state) => state) ? true : states.every((state) => !state) ? false : "mixed";
  })()`) as Promise<boolean | "mixed">;
}

Deno.test({
  name:
    "the page shows the lamp and the counts only while live: live once the stand's hello came, unknown before it and while disconnected",
  fn: async () => {
    const first = await startTestStand();
    const webPort = first.stand.ports.web;
    await using lamp = startTestLamp(first.stand.ports.lamp);
    await lamp.events.next(isCommand(), 0);
    await postApi(first.api, message("COLOR", "3366ff"));
    await postApi(first.api, message("ON"));
    await using opened = await openPage(first.web, DESKTOP, false, RECORD_SHOWN);
    if (!opened) return await first.stand.close();
    const { page } = opened;
    const live = (await page.evaluate("globalThis.shown") as Shown[])
      .find((shown) => shown.live === "true");
    assertEquals(
      live,
      { live: "true", lamps: "1", browsers: "1", state: "ON #3366ff" },
      "the first moment the page says live, it shows the stand's lamp and counts",
    );
    assertEquals(await controlsDisabled(page), false);

    await first.stand.close();
    await waitLive(page, false);
    assertEquals(await page.locator("#lamps").textContent(), "–", "a count not known is not 1");
    assertEquals(await page.locator("#browsers").textContent(), "–");
    assertEquals(await controlsDisabled(page), true, "no control looks usable while down");
    const stage = await page.evaluate(`getComputedStyle(document.getElementById("stage")).filter`);
    assertStringIncludes(String(stage), "grayscale", "the last lamp seen is greyed");
    for (const shown of await page.evaluate("globalThis.shown") as Shown[]) {
      assertEquals(
        shown.live === "true",
        /^\d+$/.test(shown.lamps ?? ""),
        `counts are shown only while live: ${JSON.stringify(shown)}`,
      );
    }

    await using _second = await startTestStand({ webPort });
    await waitLive(page);
    assertEquals(await page.locator("#error").textContent(), "", "no stale error");
    assertEquals(await page.locator("#lamps").textContent(), "0");
    assertEquals(await controlsDisabled(page), false);
    assertEquals(
      await page.evaluate(`getComputedStyle(document.getElementById("stage")).filter`),
      "none",
    );
  },
});

Deno.test({
  name: "a lamp lit in a color too dark to see on the page keeps an outline",
  fn: async () => {
    await using test = await startTestStand();
    await postApi(test.api, message("COLOR", "000000"));
    await postApi(test.api, message("ON"));
    await using opened = await openPage(test.web);
    if (!opened) return;
    const { page } = opened;
    await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
    await page.waitForFunction(`document.getAnimations().length === 0`);
    const border = await page.evaluate(
      `getComputedStyle(document.getElementById("lamp")).borderTopColor`,
    );
    assert(border !== "rgba(0, 0, 0, 0)", `the black lamp has no visible edge: ${border}`);
    await postApi(test.api, message("COLOR", "ffb000"));
    await page.waitForFunction(`document.getElementById("lamp").dataset.color === "#ffb000"`);
    await page.waitForFunction(`document.getAnimations().length === 0`);
    assertEquals(
      await page.evaluate(`getComputedStyle(document.getElementById("lamp")).borderTopColor`),
      "rgba(0, 0, 0, 0)",
      "a bright lamp needs none",
    );
  },
});

Deno.test({
  name: "no sideways scrolling at 390 px; lamp beside the frames at 1280 px",
  fn: async () => {
    await using test = await startTestStand();
    await sendSomeFrames(test);
    for (const viewport of [PHONE, DESKTOP]) {
      await using opened = await openPage(test.web, viewport);
      if (!opened) return;
      const { page } = opened;
      await waitRows(page, 5);
      const layout = await page.evaluate(`(() => {
        const box = (element) => element.getBoundingClientRect().toJSON();
        const boxes = (selector) => [...document.querySelectorAll(selector)].map(box);
        return {
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth,
          lamp: box(document.getElementById("lamp")),
          table: box(document.querySelector("table")),
          cells: boxes("th, td"),
          controls: boxes("button:not([hidden]), input"),
        };
      })()`) as {
        scrollWidth: number;
        innerWidth: number;
        lamp: DOMRectLike;
        table: DOMRectLike;
        cells: DOMRectLike[];
        controls: DOMRectLike[];
      };
      const where = `at ${viewport.width} px`;
      assert(
        layout.scrollWidth <= layout.innerWidth,
        `${where} the page scrolls sideways: ${layout.scrollWidth} > ${layout.innerWidth}`,
      );
      for (
        const [name, boxes] of Object.entries({ cell: layout.cells, control: layout.controls })
      ) {
        for (const box of boxes) {
          assert(
            box.left >= 0 && box.right <= layout.innerWidth,
            `${where} a ${name} is outside the window: ${JSON.stringify(box)}`,
          );
        }
      }
      if (viewport === PHONE) {
        assert(layout.table.top >= layout.lamp.bottom, `${where} the frames are below the lamp`);
      } else {
        assert(layout.table.left >= layout.lamp.right, `${where} the frames are beside the lamp`);
        assert(layout.table.top < layout.lamp.bottom, `${where} the frames are beside the lamp`);
      }
    }
  },
});

/** The parts of a DOMRect the layout checks read. */
interface DOMRectLike {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

Deno.test({
  name: "the lamp's glow fades out smoothly, with no clipped edge, at 390 and 1280 px",
  fn: async () => {
    await using test = await startTestStand();
    await postApi(test.api, message("COLOR", "ffb000"));
    await postApi(test.api, message("ON"));
    for (const viewport of [PHONE, DESKTOP]) {
      await using opened = await openPage(test.web, viewport);
      if (!opened) return;
      const { page } = opened;
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
      await page.waitForFunction(`document.getAnimations().length === 0`);
      const where = `at ${viewport.width} px`;

      // What a person sees: along the row through the lamp's centre, from the lamp's edge to the
      // window's, the glow must fall off to the background without a step (a seam) and be gone
      // before the window's edge (else the edge cuts it).
      const lamp = await page.locator("#lamp").boundingBox();
      assert(lamp);
      const background = [16, 18, 22]; // #101216, the page's background
      const row = await screenshotRow(page, lamp.y + lamp.height / 2);
      const glowAt = (x: number) => Math.max(...row[x].map((c, i) => Math.abs(c - background[i])));
      const sides = {
        right: { from: Math.ceil(lamp.x + lamp.width) + 2, to: row.length - 1, step: 1 },
        left: { from: Math.floor(lamp.x) - 3, to: 0, step: -1 },
      };
      for (const [side, { from, to, step }] of Object.entries(sides)) {
        for (let x = from; x !== to; x += step) {
          const [here, next] = [glowAt(x), glowAt(x + step)];
          assert(
            here > 24 || Math.abs(here - next) <= 3,
            `${where} the glow has a seam on the ${side} at x=${x}: ${row[x]} then ${
              row[x + step]
            }`,
          );
        }
        assert(
          glowAt(to) <= 2,
          `${where} the glow is cut by the window's ${side} edge: ${row[to]} there`,
        );
      }

      // Why: the glow is an element whose box lies inside the window, and no ancestor clips it.
      const clipping = await page.evaluate(`(() => {
        const glow = document.getElementById("glow");
        const box = glow.getBoundingClientRect();
        const found = [];
        if (box.left < 0 || box.right > innerWidth || box.top < 0) found.push("the window");
        for (let node = glow.parentElement; node; node = node.parentElement) {
          const style = getComputedStyle(node);
          if (style.overflowX !== "visible" || style.overflowY !== "visible" ||
            style.clipPath !== "none" || /paint|strict|content/.test(style.contain)) {
            found.push(node.tagName + "." + node.className);
          }
        }
        return found;
      })()`);
      assertEquals(clipping, [], `${where} the glow is clipped by`);
    }
  },
});

Deno.test({
  name: "the empty frames table says so until the first frame",
  fn: async () => {
    await using test = await startTestStand();
    await using opened = await openPage(test.web);
    if (!opened) return;
    const { page } = opened;
    const placeholder = page.getByText("no frames yet");
    assert(await placeholder.isVisible(), "no placeholder in the empty table");
    await postApi(test.api, message("ON"));
    await waitRows(page, 1);
    assertEquals(await placeholder.isVisible(), false);
    await page.reload();
    await waitLive(page);
    await waitRows(page, 1);
    assertEquals(await placeholder.isVisible(), false);
  },
});

Deno.test({
  name: "a color picked but not sent survives the stand's updates until sent or reset",
  fn: async () => {
    await using test = await startTestStand();
    await using opened = await openPage(test.web, PHONE);
    if (!opened) return;
    const { page } = opened;
    const picker = page.locator("#picker");
    await picker.fill("#3366ff");
    // Another user changes the color and the lamps: the page follows, the pick stays.
    await postApi(test.api, message("COLOR", "ff0000"));
    await postApi(test.api, message("ON"));
    await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
    assertEquals(await page.locator("#lamp").getAttribute("data-color"), "#ff0000");
    assertEquals(await picker.inputValue(), "#3366ff");

    await page.click("#reset");
    assertEquals(await picker.inputValue(), "#ff0000");
    await postApi(test.api, message("COLOR", "00ff00"));
    await page.waitForFunction(`document.getElementById("picker").value === "#00ff00"`);

    await picker.fill("#123456");
    await page.click("#color");
    await page.waitForFunction(`document.getElementById("lamp").dataset.color === "#123456"`);
    // Sent: the picker follows the stand again.
    await postApi(test.api, message("COLOR", "abcdef"));
    await page.waitForFunction(`document.getElementById("picker").value === "#abcdef"`);
  },
});

Deno.test({
  name: "the frames table says what the lamps do with each frame",
  fn: async () => {
    await using test = await startTestStand();
    await sendSomeFrames(test);
    await using opened = await openPage(test.web, PHONE);
    if (!opened) return;
    const { page } = opened;
    await waitRows(page, 5);
    const effects = await page.evaluate(
      `[...document.querySelectorAll("#frames tr")].map((row) =>
        [row.dataset.effect, row.querySelector("td.command").textContent,
          row.querySelector("td.effect").textContent])`,
    );
    assertEquals(effects, [
      ["applied", "COLOR #ffb000", "applied"],
      ["unknown", "FRAME 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", "skipped: unknown type"],
      ["malformed", "FRAME 0a 0b", "ignored: malformed"],
      ["applied", "ON", "applied"],
      ["applied", "COLOR #ff3b30", "applied"],
    ]);
    // A frame the lamps ignore shows no color swatch and is set apart.
    assertEquals(await page.locator("#frames tr[data-effect=applied] .swatch").count(), 2);
    const [applied, ignored] = await page.evaluate(`["applied", "malformed"].map((effect) =>
      getComputedStyle(document.querySelector("#frames tr[data-effect=" + effect + "] td.command")).color)`) as string[];
    assert(applied !== ignored, `an ignored frame looks like an applied one (${applied})`);
  },
});

Deno.test({
  name:
    "under `flashlight serve` (the binary's permission flags) the page script is plain JavaScript and runs under the page's CSP",
  fn: async () => {
    const { stand, ports } = await startServeProcess();
    try {
      const script = await (await fetch(`http://127.0.0.1:${ports.web}/app.js`)).text();
      new Function(script); // a SyntaxError if any TypeScript were left in it
      await using opened = await openPage(`http://127.0.0.1:${ports.web}/`, PHONE, true);
      if (!opened) return;
      const { page } = opened;
      await page.click("#on");
      await page.locator('#lamp[data-on="true"]').waitFor();
      await page.locator("#frames tr").first().waitFor();
    } finally {
      await stand.stop("SIGTERM");
    }
  },
});

Deno.test({
  name: "a field renamed in BrowserMessage fails `deno check` of the page script",
  fn: async () => {
    const copy = await Deno.makeTempDir({ prefix: "flashlight-page-check-" });
    try {
      for (const path of ["deno.json", "deno.lock"]) {
        await Deno.copyFile(`${REPO_ROOT}${path}`, `${copy}/${path}`);
      }
      await new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}src`, `${copy}/src`] }).output();
      const messages = `${copy}/src/stand/page/messages.ts`;
      const source = await Deno.readTextFile(messages);
      const renamed = source.replace("readonly browsers: number;", "readonly viewers: number;");
      assert(renamed !== source, "Counts.browsers not found in messages.ts");
      await Deno.writeTextFile(messages, renamed);
      const check = await new Deno.Command(Deno.execPath(), {
        args: ["check", "-q", "src/stand/page/page_script.ts"],
        cwd: copy,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const output = new TextDecoder().decode(check.stderr) +
        new TextDecoder().decode(check.stdout);
      assert(!check.success, `deno check passed with the renamed field:\n${output}`);
      assertStringIncludes(output, "browsers");
      assertStringIncludes(output, "page_script.ts");
    } finally {
      await Deno.remove(copy, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "with a token the page asks for it once (in a form), refuses a wrong one, keeps it for the session, never in the URL, warns of nothing",
  fn: async () => {
    const token = "page-token-0123456789";
    await using stand = await startTestStand({ token });
    const context = await launchChromium();
    if (!context) return;
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const warnings: string[] = [];
      page.on("console", (message) => {
        if (message.type() !== "error" || !/status of 401/.test(message.text())) {
          warnings.push(`${message.type()}: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => warnings.push(error.message));
      await page.goto(stand.web);
      await page.locator("#token-form:not([hidden])").waitFor();
      assertEquals(
        (await page.locator("body").innerText()).split("needs its token").length - 1,
        1,
        "the page asks once (the form's label), not twice",
      );
      assertEquals(await page.locator("#error").textContent(), "");
      assertEquals(
        await page.locator("#controls button").count(),
        0,
        "no control before the token",
      );
      assertEquals(await page.locator("#lamps").textContent(), "–");
      await page.locator("#token").fill("not-the-token-at-all");
      await page.locator("#token").press("Enter");
      await page.waitForFunction(
        `document.getElementById("error").textContent.includes("refused")`,
      );
      await page.locator("#token").fill(token);
      await page.click("#token-send");
      await waitLive(page);
      assertEquals(await page.locator("#token-form").isHidden(), true);
      assert(!page.url().includes(token), "the token is not in the URL");
      await page.reload();
      await waitLive(page); // kept for the session: not asked again
      assertEquals(await page.locator("#token-form").isHidden(), true);
      await page.click("#on");
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
      assert(!JSON.stringify(stand.log.events).includes(token), "the token is never logged");
      // the password field is in a form, and nothing else is said on the console (the
      // refused token's 401 is the only message, and an expected one).
      assertEquals(await page.locator("form#token-form input#token").count(), 1);
      assertEquals(warnings, [], "the page said nothing on its console");
    } finally {
      await context.close();
    }
    // Under the page's own policy (form-action 'none') the form's submit works and is never
    // refused: it does not navigate.
    const strict = await launchChromium({ enforceCsp: true });
    if (!strict) return;
    try {
      const page = strict.pages()[0] ?? await strict.newPage();
      const said: string[] = [];
      page.on("console", (message) => said.push(`${message.type()}: ${message.text()}`));
      page.on("pageerror", (error) => said.push(error.message));
      await page.goto(stand.web);
      await page.locator("#token").fill(token);
      await page.locator("#token").press("Enter");
      await waitLive(page);
      assertEquals(page.url(), `${stand.web}/`);
      assertEquals(said, []);
    } finally {
      await strict.close();
    }
  },
});
