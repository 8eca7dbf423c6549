/**
 * The stand's web page: markup and style. Self-contained (no CDN); the script is `/app.js`.
 *
 * One column on a phone (each frame on three short lines), the lamp beside the frames from 760 px
 * up; nothing is wider than the window (a long raw frame wraps at its byte boundaries). The lamp's glow is its own element, a
 * radial gradient that reaches transparent inside its box (a large `box-shadow` blur is cut off
 * by Chromium's rasterizer, a visible straight seam); the lamp is sized to its column so the
 * glow stays inside the window, and nothing around it clips.
 *
 * @module
 */

/**
 * The page served at `/` on the web port.
 *
 * @param needsToken Whether the stand requires a token (the page then asks for it).
 * @returns The HTML.
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { pageHtml } from "./page_html.ts";
 * assertStringIncludes(pageHtml(true), '<html lang="en" data-auth="token">');
 * ```
 */
export function pageHtml(needsToken: boolean): string {
  return PAGE_HTML.replace(
    '<html lang="en">',
    `<html lang="en"${needsToken ? ' data-auth="token"' : ""}>`,
  );
}

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flashlight stand</title>
<style>
  :root { color-scheme: dark; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; font: 15px/1.4 system-ui, sans-serif;
    background: #101216; color: #d8dde6;
    display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); align-items: start; }
  main, aside { padding: 32px; min-width: 0; }
  h1 { font-size: 18px; font-weight: 600; margin: 0 0 24px; letter-spacing: .02em; }
  h1 small { color: #7d8593; font-weight: 400; }
  .stage { --lamp: #ffffff; --size: min(220px, 46cqi); container-type: inline-size;
    position: relative; display: grid; place-items: center; padding: 48px 0; }
  #lamp { position: relative; z-index: 1; width: var(--size); height: var(--size); border-radius: 50%;
    background: color-mix(in srgb, var(--lamp) 12%, #1b1f26);
    border: 2px solid color-mix(in srgb, var(--lamp) 30%, #333a45);
    transition: background-color .15s, border-color .15s; }
  #lamp[data-on="true"] { background: var(--lamp); border-color: transparent; }
  #lamp[data-on="true"][data-dark="true"] {
    border-color: color-mix(in srgb, var(--lamp) 30%, #333a45); }
  html:not([data-live="true"]) .stage { filter: grayscale(1); opacity: .45; }
  html:not([data-live="true"]) :is(#state, #pieces, .meta b) { color: #7d8593; }
  .glow { position: absolute; z-index: 0; left: 50%; top: 50%; width: calc(2 * var(--size));
    height: calc(2 * var(--size)); margin: calc(-1 * var(--size)) 0 0 calc(-1 * var(--size));
    border-radius: 50%; pointer-events: none; opacity: 0; transition: opacity .15s;
    background: radial-gradient(closest-side,
      color-mix(in srgb, var(--lamp) 80%, transparent) 48%,
      color-mix(in srgb, var(--lamp) 50%, transparent) 54%,
      color-mix(in srgb, var(--lamp) 28%, transparent) 62%,
      color-mix(in srgb, var(--lamp) 13%, transparent) 72%,
      color-mix(in srgb, var(--lamp) 5%, transparent) 84%,
      transparent 100%); }
  #lamp[data-on="true"] + .glow { opacity: 1; }
  #state { text-align: center; margin-top: 12px; font-variant-numeric: tabular-nums; }
  .controls { display: flex; gap: 10px; justify-content: center; margin-top: 20px; flex-wrap: wrap; }
  .pick { display: inline-flex; gap: 4px; }
  #pieces { display: flex; gap: 6px 18px; justify-content: center; flex-wrap: wrap; margin: 8px 0 0; }
  #pieces div { display: flex; gap: 6px; }
  #pieces dt { color: #8b93a1; }
  #pieces dd { margin: 0; font-variant-numeric: tabular-nums; }
  .pick input[type=text] { font: inherit; border-radius: 8px; border: 1px solid #3a4250;
    background: #1b1f26; color: inherit; padding: 8px 10px; width: 7em; }
  button, input[type=color] { font: inherit; border-radius: 8px; border: 1px solid #3a4250;
    background: #1b1f26; color: inherit; padding: 8px 18px; cursor: pointer; }
  button:hover:enabled { background: #262c36; }
  :is(button, input):disabled { opacity: .45; cursor: not-allowed; }
  button[hidden] { display: none; }
  #reset { padding: 8px 10px; }
  input[type=color] { padding: 2px; width: 52px; height: 40px; }
  input[data-pending="true"] { border-color: #e0a040; box-shadow: 0 0 0 1px #e0a040; }
  .meta { display: flex; gap: 6px 18px; justify-content: center; flex-wrap: wrap; margin-top: 20px;
    color: #8b93a1; }
  #link[data-live="true"]::before { content: "● "; color: #46c46e; }
  #link[data-live="false"]::before { content: "○ "; color: #e0625a; }
  .token { display: flex; gap: 8px; justify-content: center; flex-wrap: wrap; margin-top: 12px; }
  .token[hidden] { display: none; }
  .token input { font: inherit; border-radius: 8px; border: 1px solid #3a4250; background: #1b1f26;
    color: inherit; padding: 8px 10px; min-width: 0; }
  #error { color: #e0625a; min-height: 1.4em; text-align: center; margin-top: 12px;
    overflow-wrap: anywhere; }
  table { width: 100%; border-collapse: collapse; font: 13px/1.5 ui-monospace, monospace; }
  th { text-align: left; color: #7d8593; font-weight: 500; border-bottom: 1px solid #2a303a; }
  th, td { padding: 4px 8px; vertical-align: top; }
  td { border-bottom: 1px solid #1c2028; white-space: nowrap; }
  td.command, td.frame { white-space: normal; overflow-wrap: anywhere; }
  td.frame { color: #9aa3b2; }
  td.effect { color: #46c46e; }
  tr[data-effect="unknown"] td, tr[data-effect="malformed"] td { color: #7d8593; font-style: italic; }
  tr[data-effect="unknown"] td.effect, tr[data-effect="malformed"] td.effect { color: #e0a040; }
  #no-frames td { color: #7d8593; text-align: center; padding: 16px 8px; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px;
    vertical-align: middle; }
  @media (max-width: 760px) {
    body { grid-template-columns: minmax(0, 1fr); }
    main, aside { padding: 20px 16px; }
    aside { padding-top: 0; }
  }
  @media (max-width: 560px) {
    /* Each frame on three short lines instead of one wide row. */
    thead { display: none; }
    #frames tr { display: grid; grid-template-columns: auto minmax(0, 1fr) auto;
      grid-template-areas: "time command lamps" ". effect effect" ". frame frame";
      column-gap: 10px; padding: 6px 0; border-bottom: 1px solid #1c2028; }
    #frames td { padding: 0; border: 0; }
    td.time { grid-area: time; } td.command { grid-area: command; } td.lamps { grid-area: lamps; }
    td.effect { grid-area: effect; white-space: normal; } td.frame { grid-area: frame; }
    td.lamps::before { content: "lamps: "; color: #7d8593; }
  }
</style>
</head>
<body>
<main>
  <h1>flashlight <small>test stand</small></h1>
  <div class="stage" id="stage">
    <div id="lamp" data-on="false" data-color="#ffffff" role="img" aria-label="lamp"></div>
    <div id="glow" class="glow" aria-hidden="true"></div>
  </div>
  <div id="state">–</div>
  <dl id="pieces"></dl>
  <div class="controls" id="controls"></div>
  <div class="meta">
    <span id="link" data-live="false">connecting…</span>
    <span>lamps: <b id="lamps">–</b></span>
    <span>browsers: <b id="browsers">–</b></span>
  </div>
  <div id="error" role="status"></div>
  <form id="token-form" class="token" hidden>
    <input type="text" autocomplete="username" value="flashlight stand" hidden>
    <label for="token">This stand needs its token:</label>
    <input id="token" type="password" autocomplete="current-password" spellcheck="false">
    <button id="token-send" type="submit">Connect</button>
  </form>
</main>
<aside>
  <h1>Last frames</h1>
  <table>
    <thead><tr><th>time</th><th>command</th><th>effect</th><th>frame</th><th>lamps</th></tr></thead>
    <tbody id="frames"></tbody>
    <tbody id="no-frames"><tr><td colspan="5">no frames yet</td></tr></tbody>
  </table>
</aside>
<script src="/app.js"></script>
</body>
</html>
`;
