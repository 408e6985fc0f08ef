// Type-checked (JSDoc types, strict) by `deno task check:web` and by
// tests/web_assets_test.ts, with the DOM's types from
// src/web/browser_check.json: apart from the rest of the program, whose
// Deno types clash with the DOM's.
/**
 * The browser client's driver: owns the page and the WebSocket, turns what
 * happens into events for {@linkcode WebClientState}, and carries out the
 * effects it returns. User text only ever reaches the page through
 * `textContent` and DOM properties, never as HTML.
 *
 * @module
 */

/** @import { Lang } from "../protocol/messages.ts" */
/** @import { PageText } from "./web_assets.ts" */
/** @import { WebEffect, WebEntry } from "./web_client_state.js" */
import { fill, langFromNavigator, WebClientState } from "./web_client_state.js";

/** Most entries kept in the message list; older ones are removed. */
const MAX_ENTRIES = 2000;

/** The tab's title, without the count of mentions. */
const TITLE = "chat";

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new TypeError(`Cannot start the page: no #${id}`);
  }
  return element;
}

const ui = {
  status: byId("status", HTMLElement),
  retry: byId("retry", HTMLButtonElement),
  joinView: byId("join-view", HTMLElement),
  nameForm: byId("name-form", HTMLFormElement),
  joinHeading: byId("join-heading", HTMLElement),
  nameLabel: byId("name-label", HTMLLabelElement),
  nameInput: byId("name-input", HTMLInputElement),
  nameHint: byId("name-hint", HTMLElement),
  nameError: byId("name-error", HTMLElement),
  joinButton: byId("join-button", HTMLButtonElement),
  chatView: byId("chat-view", HTMLElement),
  messages: byId("messages", HTMLOListElement),
  lineForm: byId("line-form", HTMLFormElement),
  lineLabel: byId("line-label", HTMLLabelElement),
  lineInput: byId("line-input", HTMLInputElement),
  sendButton: byId("send-button", HTMLButtonElement),
  membersHeading: byId("members-heading", HTMLElement),
  members: byId("members", HTMLUListElement),
};

const lang = langFromNavigator(navigator.language);
const allText = /** @type {Record<Lang, PageText>} */ (
  JSON.parse(byId("page-text", HTMLScriptElement).text)
);
const text = allText[lang];
const web = text.web;
const state = new WebClientState({ text, lang });

/** @type {WebSocket | null} */
let socket = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let unread = 0;
let shownMembers = -1;
let shownView = "";
let shownError = "";
/** @type {string[]} */
const sentLines = [];
let recall = 0;

function setUpText() {
  document.documentElement.lang = lang === "pt" ? "pt-BR" : "en";
  ui.retry.textContent = web.retryNow;
  ui.joinHeading.textContent = web.joinHeading;
  ui.nameLabel.textContent = web.nameLabel;
  ui.nameHint.textContent = web.nameHint;
  ui.joinButton.textContent = web.joinButton;
  ui.messages.setAttribute("aria-label", web.messagesLabel);
  ui.lineLabel.textContent = web.messageLabel;
  ui.lineInput.placeholder = web.messagePlaceholder;
  ui.sendButton.textContent = web.sendButton;
}

/** @param {WebEffect[]} effects */
function run(effects) {
  for (const effect of effects) {
    switch (effect.kind) {
      case "connect":
        connect();
        break;
      case "send":
        if (socket?.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify(effect.message));
        }
        break;
      case "disconnect":
        drop();
        break;
      case "show":
        show(effect.entry);
        break;
      case "timer":
        clearTimeout(timer);
        timer = effect.ms === null
          ? undefined
          : setTimeout(() => run(state.timer()), effect.ms);
        break;
      case "alert":
        if (document.hidden) {
          unread++;
          updateTitle();
        }
        break;
      case "clear_input":
        ui.lineInput.value = "";
        break;
    }
  }
  render();
}

function connect() {
  drop();
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    if (socket === ws) run(state.opened(Date.now()));
  };
  ws.onmessage = (event) => {
    if (socket !== ws || typeof event.data !== "string") return;
    for (const line of event.data.split("\n")) {
      if (line !== "") run(state.received(line, Date.now()));
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    run(state.closed(Date.now()));
  };
}

/** Closes the socket without reporting it to the state. */
function drop() {
  const ws = socket;
  socket = null;
  if (ws === null) return;
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.close();
}

/**
 * @param {number} time
 * @returns {string}
 */
function clock(time) {
  const date = new Date(time);
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${p(date.getHours())}:${p(date.getMinutes())}`;
}

/**
 * A name, in its colour; clicking it starts a private message.
 *
 * @param {string} name
 * @param {number} color
 * @param {string} [shown]
 * @returns {HTMLSpanElement}
 */
function nameSpan(name, color, shown = name) {
  const span = document.createElement("span");
  span.className = `name c${color}`;
  span.dataset.name = name;
  span.textContent = shown;
  return span;
}

/** @param {WebEntry} entry */
function show(entry) {
  const list = ui.messages;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  const item = document.createElement("li");
  const classes = ["entry", `entry-${entry.kind}`];
  const time = document.createElement("time");
  time.dateTime = new Date(entry.time).toISOString();
  time.textContent = clock(entry.time);
  item.append(time, " ");
  const body = document.createElement("span");
  body.className = "text";
  switch (entry.kind) {
    case "chat":
      if (entry.own) classes.push("own");
      if (entry.mention) classes.push("mention");
      if (entry.history) classes.push("history");
      if (entry.action) {
        classes.push("action");
        item.append("* ", nameSpan(entry.from, entry.color), " ");
      } else item.append(nameSpan(entry.from, entry.color), ": ");
      body.textContent = entry.text;
      break;
    case "private":
      if (entry.own) classes.push("own");
      item.append(nameSpan(entry.who, entry.color, entry.label), ": ");
      body.textContent = entry.text;
      break;
    default:
      body.textContent = entry.text;
  }
  item.className = classes.join(" ");
  item.append(body);
  list.append(item);
  while (list.childElementCount > MAX_ENTRIES) list.firstElementChild?.remove();
  if (atBottom || (entry.kind === "chat" && entry.own)) {
    list.scrollTop = list.scrollHeight;
  }
}

function render() {
  const status = state.status(Date.now());
  if (ui.status.textContent !== status.text) {
    ui.status.textContent = status.text;
  }
  ui.status.dataset.kind = status.kind;
  ui.retry.hidden = state.phase !== "waiting";
  const view = state.view;
  ui.joinView.hidden = view !== "join";
  ui.chatView.hidden = view !== "chat";
  const busy = state.phase === "connecting" || state.phase === "joining";
  ui.joinButton.disabled = view === "join" && busy;
  ui.nameError.textContent = state.nameError;
  if (state.nameError) ui.nameInput.setAttribute("aria-invalid", "true");
  else ui.nameInput.removeAttribute("aria-invalid");
  if (view !== shownView) {
    shownView = view;
    if (view === "chat") ui.lineInput.focus();
    else {
      if (ui.nameInput.value === "") ui.nameInput.value = state.pendingName;
      ui.nameInput.focus();
    }
  }
  if (state.nameError !== shownError) {
    shownError = state.nameError;
    if (shownError !== "") {
      ui.nameInput.focus();
      ui.nameInput.select();
    }
  }
  if (state.membersVersion !== shownMembers) {
    shownMembers = state.membersVersion;
    renderMembers();
  }
}

function renderMembers() {
  const names = state.members;
  ui.membersHeading.textContent = fill(web.membersHeading, {
    count: String(names.length),
  });
  const items = names.map((name) => {
    const item = document.createElement("li");
    if (name === state.me) {
      const me = document.createElement("span");
      me.className = "member me";
      me.textContent = `${name} ${web.you}`;
      item.append(me);
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "member";
      button.dataset.name = name;
      button.textContent = name;
      button.setAttribute("aria-label", fill(web.messageMember, { name }));
      item.append(button);
    }
    return item;
  });
  ui.members.replaceChildren(...items);
}

/** @param {string} name */
function startPrivate(name) {
  if (name === "" || name === state.me) return;
  ui.lineInput.value = `/msg ${name} `;
  ui.lineInput.focus();
  const end = ui.lineInput.value.length;
  ui.lineInput.setSelectionRange(end, end);
}

function updateTitle() {
  document.title = unread > 0
    ? fill(web.mentionTitle, { count: String(unread), title: TITLE })
    : TITLE;
}

setUpText();

ui.nameForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(state.submitName(ui.nameInput.value));
});

ui.lineForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const line = ui.lineInput.value;
  if (line.trim() !== "" && state.phase === "chat") {
    sentLines.push(line);
    if (sentLines.length > 100) sentLines.shift();
  }
  recall = sentLines.length;
  run(state.submitLine(line, Date.now()));
});

// Up and Down recall the lines you sent, as in the terminal.
ui.lineInput.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  if (sentLines.length === 0) return;
  event.preventDefault();
  recall = Math.max(
    0,
    Math.min(sentLines.length, recall + (event.key === "ArrowUp" ? -1 : 1)),
  );
  ui.lineInput.value = sentLines[recall] ?? "";
});

ui.members.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.dataset.name !== undefined) {
    startPrivate(target.dataset.name);
  }
});

ui.messages.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.classList.contains("name")) {
    startPrivate(target.dataset.name ?? "");
  }
});

ui.retry.addEventListener("click", () => run(state.retryNow()));

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unread = 0;
    updateTitle();
    run(state.tick(Date.now()));
  }
});

// One clock for pings, the dead-connection check and the countdown.
setInterval(() => run(state.tick(Date.now())), 1000);

render();
