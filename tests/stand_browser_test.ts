/**
 * The stand's page in a real headless Chromium: buttons drive a real lamp client.
 */
import { assertEquals } from "@std/assert";
import { launchChromium } from "./support/browser.ts";
import { isCommand, startTestLamp } from "./support/test_lamp.ts";
import { postApi, startTestStand } from "./support/test_stand.ts";

Deno.test({
  name: "page: press ON and pick a color; the page's lamp and a real lamp client both change",
  fn: async () => {
    const context = await launchChromium();
    if (!context) return;
    const { stand, web } = await startTestStand();
    const lamp = startTestLamp(stand.ports.lamp);
    const { events } = lamp;
    try {
      await events.next(isCommand(), 0);
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(web);
      await page.waitForFunction(`document.getElementById("link").dataset.live === "true"`);
      await page.waitForFunction(`document.getElementById("lamps").textContent === "1"`);

      await page.click("#on");
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "true"`);
      await page.locator("#picker").fill("#3366ff");
      await page.click("#color");
      await page.waitForFunction(`document.getElementById("lamp").dataset.color === "#3366ff"`);
      await events.next(isCommand("COLOR", "#3366ff"), 0);
      assertEquals(lamp.client.state, { on: true, color: 0x3366ff });

      const rows = await page.locator("#frames tr").count();
      assertEquals(rows, 2);
      assertEquals(
        await page.locator("#frames tr").first().locator("td").nth(3).textContent(),
        "20 00 03 33 66 ff",
      );

      await postApi(`http://127.0.0.1:${stand.ports.api}`, {
        method: "message",
        params: { command: "OFF" },
      });
      await page.waitForFunction(`document.getElementById("lamp").dataset.on === "false"`);
      await page.waitForFunction(
        `getComputedStyle(document.getElementById("lamp")).boxShadow === "none"`,
      );
    } finally {
      await context.close();
      await lamp.client.close();
      await stand.close();
    }
  },
});

Deno.test({
  name: "page: shows disconnected when the stand goes away and reconnects by itself",
  fn: async () => {
    const context = await launchChromium();
    if (!context) return;
    const first = await startTestStand();
    let second: Awaited<ReturnType<typeof startTestStand>> | undefined;
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(first.web);
      await page.waitForFunction(`document.getElementById("link").dataset.live === "true"`);
      const webPort = first.stand.ports.web;
      await first.stand.close();
      await page.waitForFunction(`document.getElementById("link").dataset.live === "false"`);
      second = await startTestStand({ webPort });
      await page.waitForFunction(`document.getElementById("link").dataset.live === "true"`, null, {
        timeout: 15_000,
      });
    } finally {
      await context.close();
      await second?.stand.close();
    }
  },
});
