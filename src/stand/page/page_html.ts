/**
 * The stand's web page: markup and style. Self-contained (no CDN); the script is `/app.js`.
 *
 * @module
 */

/** The page served at `/` on the web port. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flashlight stand</title>
<style>
  :root { color-scheme: dark; --lamp: #ffffff; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; font: 15px/1.4 system-ui, sans-serif;
    background: #101216; color: #d8dde6; display: grid; grid-template-columns: minmax(280px, 1fr) minmax(320px, 1.2fr); }
  main, aside { padding: 32px; }
  h1 { font-size: 18px; font-weight: 600; margin: 0 0 24px; letter-spacing: .02em; }
  h1 small { color: #7d8593; font-weight: 400; }
  .stage { display: grid; place-items: center; padding: 40px 0; }
  #lamp { width: 220px; height: 220px; border-radius: 50%; background: #22262e;
    border: 2px solid #333a45; transition: background .15s, box-shadow .15s; }
  #lamp[data-on="true"] { background: var(--lamp); border-color: transparent;
    box-shadow: 0 0 60px 18px var(--lamp), 0 0 160px 40px color-mix(in srgb, var(--lamp) 45%, transparent); }
  #state { text-align: center; margin-top: 28px; font-variant-numeric: tabular-nums; }
  .controls { display: flex; gap: 10px; justify-content: center; margin-top: 24px; flex-wrap: wrap; }
  button, input[type=color] { font: inherit; border-radius: 8px; border: 1px solid #3a4250;
    background: #1b1f26; color: inherit; padding: 8px 18px; cursor: pointer; }
  button:hover { background: #262c36; }
  input[type=color] { padding: 2px; width: 52px; height: 40px; }
  .meta { display: flex; gap: 18px; justify-content: center; margin-top: 20px; color: #8b93a1; }
  #link[data-live="true"]::before { content: "● "; color: #46c46e; }
  #link[data-live="false"]::before { content: "○ "; color: #e0625a; }
  #error { color: #e0625a; min-height: 1.4em; text-align: center; margin-top: 12px; }
  table { width: 100%; border-collapse: collapse; font: 13px/1.5 ui-monospace, monospace; }
  th { text-align: left; color: #7d8593; font-weight: 500; border-bottom: 1px solid #2a303a; padding: 4px 8px; }
  td { padding: 4px 8px; border-bottom: 1px solid #1c2028; white-space: nowrap; }
  td.hex { color: #9aa3b2; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
  @media (max-width: 760px) { body { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<main>
  <h1>flashlight <small>test stand</small></h1>
  <div class="stage"><div id="lamp" data-on="false" data-color="#ffffff" aria-label="lamp"></div></div>
  <div id="state">OFF</div>
  <div class="controls">
    <button id="on" type="button">ON</button>
    <button id="off" type="button">OFF</button>
    <input id="picker" type="color" value="#ff0000" aria-label="color">
    <button id="color" type="button">COLOR</button>
  </div>
  <div class="meta">
    <span id="link" data-live="false">connecting…</span>
    <span>lamps: <b id="lamps">0</b></span>
    <span>browsers: <b id="browsers">0</b></span>
  </div>
  <div id="error" role="status"></div>
</main>
<aside>
  <h1>Last frames</h1>
  <table>
    <thead><tr><th>time</th><th>command</th><th>value</th><th>frame</th><th>lamps</th></tr></thead>
    <tbody id="frames"></tbody>
  </table>
</aside>
<script src="/app.js"></script>
</body>
</html>
`;
