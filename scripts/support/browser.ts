/**
 * Headless Chromium (Debian's package) driven by playwright-core; no browser download.
 *
 * @module
 */
import { chromium } from "npm:playwright-core@1.65.1";
import type { BrowserContext } from "npm:playwright-core@1.65.1";
import { requireProgram } from "./flashlight_process.ts";

/** The Chromium to drive: `CHROMIUM_PATH`, else where Debian installs it. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/**
 * Launches headless Chromium in a fresh profile, or returns `null` (after a loud skip line)
 * when it is not installed outside CI.
 * @param options `enforceCsp`: keep the page's Content-Security-Policy in force (by default it is
 *   bypassed, since it also refuses the string expressions `page.waitForFunction` evaluates).
 * @returns The browser context, or `null`.
 */
export async function launchChromium(
  options: { readonly enforceCsp?: boolean } = {},
): Promise<BrowserContext | null> {
  if (!requireProgram(CHROMIUM, "chromium")) return null;
  return await chromium.launchPersistentContext(
    await Deno.makeTempDir({ prefix: "flashlight-chromium-" }),
    {
      executablePath: CHROMIUM,
      headless: true,
      bypassCSP: !options.enforceCsp,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  );
}
