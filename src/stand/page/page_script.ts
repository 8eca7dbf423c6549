/**
 * The stand page's script, served as `/app.js`: a WebSocket that reconnects by itself, the lamp
 * redrawn from every message, controls that send commands, the last frames with what the lamps did
 * with each. Every value is shown as text, never parsed as HTML.
 *
 * The page knows no command by name: the stand's `hello` lists the commands (a button each; a
 * value field for a command with a value, the color picker for the one that sets the block's
 * color) and the pieces of state (the block shows the `light` and `color` pieces; every other
 * piece is a labelled value beside it).
 *
 * The page is live from the stand's `hello` until its socket closes. Only then does it show the
 * counts, a lamp in color and usable controls: before the first `hello` there are none; while
 * disconnected the counts are unknown (`–`), the last lamp seen is greyed and every control is
 * disabled.
 *
 * It is written here as one typed function, `pageMain`, checked by `deno check` against the
 * messages the stand sends ({@linkcode BrowserMessage}): a field renamed on the server side fails
 * the check here. Deno strips the types when it loads this module (under `deno run` and in the
 * compiled binary alike, V8 only ever sees JavaScript), so `pageMain.toString()` is the plain
 * JavaScript the browser runs. The function therefore uses nothing from outside its own body but
 * the browser's globals: this module's imports are types only.
 *
 * @module
 */
import type { BrowserMessage, CommandView, PageCommand, PieceView } from "./messages.ts";
import type { SendResult } from "../../commands/send_result.ts";

// The few DOM parts the page uses. Deno's libraries have no DOM, and `/// <reference lib="dom" />`
// would put `document` into the types of every module of the program, server code included.
interface PageElement {
  textContent: string | null;
  className: string;
  id: string;
  hidden: boolean;
  disabled: boolean;
  readonly dataset: Record<string, string | undefined>;
  readonly style: { setProperty(name: string, value: string): void };
  append(...nodes: (PageElement | string)[]): void;
  replaceChildren(...nodes: PageElement[]): void;
  querySelectorAll(selectors: string): Iterable<PageElement>;
  setAttribute(name: string, value: string): void;
  addEventListener(type: "click" | "input", listener: () => void): void;
  addEventListener(type: "submit", listener: (event: { preventDefault(): void }) => void): void;
  focus(): void;
}

interface PageInput extends PageElement {
  value: string;
}

interface PageTableBody extends PageElement {
  readonly rows: { readonly length: number };
  prepend(...nodes: PageElement[]): void;
  deleteRow(index: number): void;
}

interface PageGlobals {
  readonly document: {
    readonly documentElement: PageElement;
    getElementById(id: string): PageElement | null;
    createElement(tag: string): PageElement;
  };
  readonly sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
}

/** The page's program; runs once in the browser (see the module's note). */
function pageMain(): void {
  const { document, sessionStorage } = globalThis as unknown as PageGlobals;
  const TOKEN_KEY = "flashlight-token";
  const COLOR = /^#[0-9a-f]{6}$/;
  const MAX_ROWS = 20;
  const EFFECT_TEXT: Readonly<Record<SendResult["effect"], string>> = {
    applied: "applied",
    unknown: "skipped: unknown type",
    malformed: "ignored: malformed",
  };

  const byId = <T extends PageElement>(id: string): T => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`the page has no #${id}`);
    return element as T;
  };
  const stage = byId("stage");
  const lamp = byId("lamp");
  const stateText = byId("state");
  const controls = byId("controls");
  const piecesList = byId("pieces");
  const link = byId("link");
  const lamps = byId("lamps");
  const browsers = byId("browsers");
  const error = byId("error");
  const frames = byId<PageTableBody>("frames");
  const noFrames = byId("no-frames");
  const tokenForm = byId("token-form");
  const tokenInput = byId<PageInput>("token");
  const needsToken = document.documentElement.dataset.auth === "token";
  /** The stand's token, asked once and kept for this browser session only (never in the URL). */
  let token = needsToken ? sessionStorage.getItem(TOKEN_KEY) : null;

  let socket: WebSocket | null = null;
  let attempt = 0;
  /** The pieces of state, as the stand's last hello listed them. */
  let pieces: readonly PieceView[] = [];
  /** The stand's color, which the picker shows unless the user picked another one. */
  let standColor = "#ffffff";
  /** The color picker and its reset button, when a command sets the block's color. */
  let picker: { input: PageInput; reset: PageElement } | null = null;
  /** The user picked a color and has neither sent it nor reset the picker. */
  let pending = false;

  function setPending(now: boolean): void {
    pending = now;
    if (!picker) return;
    picker.input.dataset.pending = String(pending);
    picker.reset.hidden = !pending;
  }

  function element<T extends PageElement>(tag: string, id: string, text = ""): T {
    const made = document.createElement(tag) as T;
    if (id) made.id = id;
    if (text) made.textContent = text;
    return made;
  }

  /** A button per command; before it, a value field (the picker for the color's command). */
  function showControls(commands: readonly CommandView[]): void {
    const colorPiece = pieces.find((piece) => piece.shows === "color")?.name;
    picker = null;
    controls.replaceChildren(...commands.flatMap((command) => {
      const id = command.name.toLowerCase();
      const button = element("button", id, command.name);
      button.setAttribute("type", "button");
      if (command.valueHint === "") {
        button.addEventListener("click", () => send(command.name));
        return [button];
      }
      const field = element<PageInput>(
        "input",
        command.state === colorPiece ? "picker" : `${id}-value`,
      );
      const box = element("span", "");
      box.className = "pick";
      box.append(field);
      if (command.state === colorPiece) {
        const reset = element("button", "reset", "↺");
        reset.setAttribute("type", "button");
        reset.setAttribute("title", "back to the stand's color");
        reset.setAttribute("aria-label", "back to the stand's color");
        reset.hidden = true;
        reset.addEventListener("click", () => {
          field.value = standColor;
          setPending(false);
        });
        field.setAttribute("type", "color");
        field.setAttribute("aria-label", command.name.toLowerCase());
        field.value = standColor;
        field.dataset.pending = "false";
        field.addEventListener("input", () => setPending(field.value !== standColor));
        picker = { input: field, reset };
        box.append(reset);
        // The stand's answer sets the picker.
        button.addEventListener("click", () => {
          if (send(command.name, field.value)) setPending(false);
        });
      } else {
        field.setAttribute("type", "text");
        field.setAttribute("placeholder", command.valueHint);
        field.setAttribute("aria-label", `${command.name} value`);
        button.addEventListener("click", () => send(command.name, field.value));
      }
      return [box, button];
    }));
    pending = false;
  }

  /**
   * Whether a `#rrggbb` color is too dark to see on the page's dark background: less than 3:1
   * contrast with black (WCAG's least for a graphical object), as the terminal view decides.
   */
  function tooDarkToSee(color: string): boolean {
    const linear = (at: number) => {
      const c = parseInt(color.slice(at, at + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5) < 0.1;
  }

  function showState(state: { readonly [piece: string]: unknown }): void {
    const piece = (shows: "light" | "color") =>
      state[pieces.find((candidate) => candidate.shows === shows)?.name ?? ""];
    const on = piece("light") === true;
    const color = piece("color");
    standColor = typeof color === "string" && COLOR.test(color) ? color : "#ffffff";
    lamp.dataset.on = String(on);
    lamp.dataset.color = standColor;
    lamp.dataset.dark = String(tooDarkToSee(standColor));
    stage.style.setProperty("--lamp", standColor);
    stateText.textContent = on ? `ON ${standColor}` : `OFF (${standColor} when on)`;
    if (picker && !pending) picker.input.value = standColor;
    piecesList.replaceChildren(
      ...pieces.filter((piece) => !piece.shows).map((piece) => {
        const row = element("div", "");
        row.dataset.piece = piece.name;
        row.append(element("dt", "", piece.name), element("dd", "", String(state[piece.name])));
        return row;
      }),
    );
  }

  function cell(className: string, ...content: (PageElement | string)[]): PageElement {
    const td = document.createElement("td");
    td.className = className;
    td.append(...content);
    return td;
  }

  function addFrame(frame: SendResult): void {
    const row = document.createElement("tr");
    row.dataset.effect = frame.effect;
    const command: (PageElement | string)[] = [String(frame.command)];
    if (frame.value !== "") {
      command.push(" ");
      if (frame.effect === "applied" && COLOR.test(frame.value)) {
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.setProperty("background", frame.value);
        command.push(swatch);
      }
      command.push(String(frame.value));
    }
    const time = new Date(frame.time);
    row.append(
      cell("time", Number.isNaN(time.getTime()) ? "" : time.toTimeString().slice(0, 8)),
      cell("command", ...command),
      cell("effect", EFFECT_TEXT[frame.effect] ?? String(frame.effect)),
      cell("frame", String(frame.frame)),
      cell("lamps", String(frame.lamps)),
    );
    frames.prepend(row);
    while (frames.rows.length > MAX_ROWS) frames.deleteRow(-1);
    noFrames.hidden = true;
  }

  function showCounts(counts: { readonly lamps: number; readonly browsers: number }): void {
    lamps.textContent = String(counts.lamps);
    browsers.textContent = String(counts.browsers);
  }

  /**
   * Live (the stand's hello came) or not: while not, what the page shows is the past: the counts
   * unknown, the lamp greyed (the page's style), no control usable.
   */
  function setLink(live: boolean, text = live ? "live" : "disconnected, reconnecting…"): void {
    // What went wrong on the last link (or while there was none) is no longer the news once the
    // link changes; a failed retry changes nothing, so a refused token stays said.
    if (link.dataset.live !== String(live)) error.textContent = "";
    link.dataset.live = String(live);
    document.documentElement.dataset.live = String(live);
    link.textContent = text;
    if (live) return;
    lamps.textContent = "–";
    browsers.textContent = "–";
    for (const control of controls.querySelectorAll("button, input")) control.disabled = true;
  }

  function handle(message: BrowserMessage): void {
    switch (message.type) {
      case "hello":
        pieces = message.pieces;
        showControls(message.commands);
        showState(message.state);
        showCounts(message);
        frames.replaceChildren();
        noFrames.hidden = message.recent.length > 0;
        message.recent.forEach(addFrame);
        setLink(true);
        break;
      case "frame":
        showState(message);
        addFrame(message);
        break;
      case "count":
        showCounts(message);
        break;
      case "error":
        error.textContent = String(message.error);
        break;
      case "result":
        error.textContent = "";
        break;
      default:
        message satisfies never; // a message type the stand added: handled here, or ignored
    }
  }

  /** Shows the token form (its label says the stand needs one), with why the last one failed. */
  function askForToken(why = ""): void {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    setLink(false, "waiting for the token");
    tokenForm.hidden = false;
    error.textContent = why;
    tokenInput.focus();
  }

  /** Whether the stand takes the token: `true`, `false` (refused), or `null` (not reachable). */
  async function tokenTaken(candidate: string): Promise<boolean | null> {
    try {
      const answer = await fetch("/auth", { headers: { authorization: `Bearer ${candidate}` } });
      return answer.ok;
    } catch {
      return null;
    }
  }

  function retryLater(): void {
    const delay = Math.min(5000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    setTimeout(connect, delay);
  }

  async function connect(): Promise<void> {
    if (needsToken && token === null) return askForToken();
    if (token !== null) {
      const taken = await tokenTaken(token);
      if (taken === false) return askForToken("the stand refused that token");
      if (taken === null) {
        setLink(false);
        return retryLater();
      }
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // A browser cannot put a header on a WebSocket: the token goes as a second subprotocol.
    const protocols = token === null ? ["flashlight"] : [
      "flashlight",
      `flashlight.token.${
        btoa(token).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")
      }`,
    ];
    const next = new WebSocket(`${scheme}://${location.host}/ws`, protocols);
    socket = next;
    next.onopen = () => {
      attempt = 0;
      tokenForm.hidden = true;
    };
    next.onmessage = (event) => handle(JSON.parse(event.data));
    next.onclose = () => {
      setLink(false);
      retryLater();
    };
  }

  function useToken(): void {
    const typed = tokenInput.value.trim();
    if (typed === "") return;
    token = typed;
    sessionStorage.setItem(TOKEN_KEY, typed);
    tokenInput.value = "";
    tokenForm.hidden = true;
    error.textContent = "";
    connect();
  }

  function send(command: string, value?: string): boolean {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      error.textContent = "not connected to the stand";
      return false;
    }
    const request: PageCommand = {
      method: "message",
      params: value === undefined ? { command } : { command, value },
    };
    socket.send(JSON.stringify(request));
    return true;
  }

  // The field is in a form (as browsers want a password field), submitted by Enter or the
  // button; the submit never navigates, so the token never reaches a URL.
  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    useToken();
  });
  setLink(false, "connecting…");
  connect();
}

/**
 * The browser script: `pageMain` as plain JavaScript, called once.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { PAGE_SCRIPT } from "./page_script.ts";
 * new Function(PAGE_SCRIPT); // parses: no TypeScript is left in it
 * assert(PAGE_SCRIPT.startsWith('"use strict";'));
 * ```
 */
export const PAGE_SCRIPT: string = `"use strict";\n(${pageMain.toString()})();\n`;
