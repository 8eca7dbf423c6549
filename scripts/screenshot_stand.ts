/**
 * Refreshes `.github/stand.png`, the README's picture of the stand's page: a stand on free
 * ports, one lamp, a few commands and two raw frames the lamps do not apply (an unknown type, a
 * malformed COLOR), then a headless Chromium screenshot at a desktop's width.
 *
 * Usage: deno task screenshot
 *
 * @module
 */
import { LampClient } from "../src/client/lamp_client.ts";
import { createCommandTable } from "../src/commands/command_table.ts";
import { parseApiRequest } from "../src/stand/api_request.ts";
import { launchChromium } from "./support/browser.ts";
import { startStand } from "../src/stand/stand.ts";
import { standOptions } from "../src/stand/stand_options.ts";

const OUTPUT = new URL("../.github/stand.png", import.meta.url);
const table = createCommandTable();
const stand = await startStand(
  standOptions({ lampPort: 0, apiPort: 0, webPort: 0, log: () => {} }),
);
const lamp = new LampClient({ addresses: [{ hostname: "127.0.0.1", port: stand.ports.lamp }] });
const context = await launchChromium();
if (!context) Deno.exit(1);
try {
  const page = context.pages()[0] ?? await context.newPage();
  await page.setViewportSize({ width: 1280, height: 640 });
  await page.goto(`http://127.0.0.1:${stand.ports.web}/`);
  await page.waitForFunction(`document.getElementById("lamps").textContent === "1"`);
  for (
    const [command, value] of [["COLOR", "ff3b30"], ["ON"], ["COLOR", "ffb000"], ["OFF"], ["ON"]]
  ) {
    await stand.send(parseApiRequest({ method: "message", params: { command, value } }, table));
  }
  for (const type of [33, 32]) {
    await stand.send(parseApiRequest({ method: "frame", params: { type, value: "0a0b" } }, table));
  }
  await page.waitForFunction(`document.querySelectorAll("#frames tr").length === 7`);
  await page.waitForFunction(
    `getComputedStyle(document.getElementById("lamp")).backgroundColor === "rgb(255, 176, 0)"`,
  );
  await page.waitForFunction(`document.getAnimations().length === 0`);
  await page.screenshot({ path: OUTPUT.pathname });
  console.log(`wrote ${OUTPUT.pathname}`);
} finally {
  await context.close();
  await lamp.close();
  await stand.close();
}
