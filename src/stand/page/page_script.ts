/**
 * The stand page's script (served as `/app.js`): a WebSocket that reconnects by itself, the
 * lamp redrawn from every frame, buttons that send commands. Every value is shown as text.
 *
 * @module
 */

/** The browser script, plain JavaScript. */
export const PAGE_SCRIPT = `"use strict";
const $ = (id) => document.getElementById(id);
const COLOR = /^#[0-9a-f]{6}$/;
const MAX_ROWS = 20;
let socket = null;
let attempt = 0;

function showState(state) {
  const lamp = $("lamp");
  const color = COLOR.test(state.color) ? state.color : "#ffffff";
  lamp.dataset.on = String(state.on === true);
  lamp.dataset.color = color;
  lamp.style.setProperty("--lamp", color);
  $("picker").value = color;
  $("state").textContent = state.on ? "ON " + color : "OFF (" + color + " when on)";
}

function addFrame(frame) {
  const row = document.createElement("tr");
  const cells = [
    new Date(frame.time).toLocaleTimeString(),
    String(frame.command),
    String(frame.value),
    String(frame.frame),
    String(frame.lamps),
  ];
  cells.forEach((text, index) => {
    const cell = document.createElement("td");
    if (index === 2 && COLOR.test(text)) {
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = text;
      cell.append(swatch);
    }
    if (index === 3) cell.className = "hex";
    cell.append(document.createTextNode(text));
    row.append(cell);
  });
  const body = $("frames");
  body.prepend(row);
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
}

function setLink(live) {
  const link = $("link");
  link.dataset.live = String(live);
  link.textContent = live ? "live" : "disconnected, reconnecting…";
}

function handle(message) {
  switch (message.type) {
    case "hello":
      showState(message.state);
      $("lamps").textContent = String(message.lamps);
      $("browsers").textContent = String(message.browsers);
      $("frames").replaceChildren();
      message.recent.forEach(addFrame);
      break;
    case "frame":
      showState(message);
      addFrame(message);
      break;
    case "count":
      $("lamps").textContent = String(message.lamps);
      $("browsers").textContent = String(message.browsers);
      break;
    case "error":
      $("error").textContent = String(message.error);
      break;
    case "result":
      $("error").textContent = "";
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(scheme + "://" + location.host + "/ws");
  socket.onopen = () => {
    attempt = 0;
    setLink(true);
  };
  socket.onmessage = (event) => handle(JSON.parse(event.data));
  socket.onclose = () => {
    setLink(false);
    const delay = Math.min(5000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    setTimeout(connect, delay);
  };
}

function send(command, value) {
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    $("error").textContent = "not connected to the stand";
    return;
  }
  socket.send(JSON.stringify({ method: "message", params: { command, value } }));
}

$("on").addEventListener("click", () => send("ON"));
$("off").addEventListener("click", () => send("OFF"));
$("color").addEventListener("click", () => send("COLOR", $("picker").value));
connect();
`;
