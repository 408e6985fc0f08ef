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

/** @import { PageData } from "./web_assets.ts" */
/** @import { HelpItem, TabCompletion, TextPart, WebEffect, WebEntry } from "./web_client_state.js" */
/** @import { PageSearch } from "./page_history.js" */
import { markWords } from "./page_history.js";
import {
  dayKey,
  fill,
  fillParts,
  langFromNavigator,
  linkify,
  nameHue,
  PAGE_SHORTCUTS,
  tabComplete,
  WebClientState,
} from "./web_client_state.js";

/** Most entries kept in the message list; older ones are removed. */
const MAX_ENTRIES = 2000;

/** The tab's title, without the count of mentions. */
const TITLE = "chat";

/** Where the page keeps the name you joined with, across reloads. */
const NAME_KEY = "chat.name";

/** The IndexedDB database and store the page keeps its key in. */
const KEY_DB = "chat";
const KEY_STORE = "keys";

/** Pixels from the bottom within which the list counts as at the bottom. */
const BOTTOM_SLACK = 48;

/** Pixels from the top within which the page asks for older lines. */
const TOP_SLACK = 64;

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
  passwordLabel: byId("password-label", HTMLLabelElement),
  passwordInput: byId("password-input", HTMLInputElement),
  joinButton: byId("join-button", HTMLButtonElement),
  chatView: byId("chat-view", HTMLElement),
  messages: byId("messages", HTMLOListElement),
  lineForm: byId("line-form", HTMLFormElement),
  lineLabel: byId("line-label", HTMLLabelElement),
  lineInput: byId("line-input", HTMLInputElement),
  sendButton: byId("send-button", HTMLButtonElement),
  memberPanel: byId("member-panel", HTMLElement),
  membersHeading: byId("members-heading", HTMLElement),
  members: byId("members", HTMLUListElement),
  roomsToggle: byId("rooms-toggle", HTMLButtonElement),
  roomsToggleLabel: byId("rooms-toggle-label", HTMLElement),
  roomsToggleBadge: byId("rooms-toggle-badge", HTMLElement),
  roomPanel: byId("room-panel", HTMLElement),
  roomsHeading: byId("rooms-heading", HTMLElement),
  rooms: byId("rooms", HTMLUListElement),
  roomForm: byId("room-form", HTMLFormElement),
  roomLabel: byId("room-label", HTMLLabelElement),
  roomInput: byId("room-input", HTMLInputElement),
  roomKeyLabel: byId("room-key-label", HTMLLabelElement),
  roomKey: byId("room-key", HTMLInputElement),
  roomButton: byId("room-button", HTMLButtonElement),
  shortcutsHeading: byId("shortcuts-heading", HTMLElement),
  shortcuts: byId("shortcuts", HTMLElement),
  topic: byId("topic", HTMLElement),
  searchForm: byId("search-form", HTMLFormElement),
  searchLabel: byId("search-label", HTMLLabelElement),
  searchInput: byId("search-input", HTMLInputElement),
  searchButton: byId("search-button", HTMLButtonElement),
  searchView: byId("search-view", HTMLElement),
  searchHeading: byId("search-heading", HTMLElement),
  searchBack: byId("search-back", HTMLButtonElement),
  searchStatus: byId("search-status", HTMLElement),
  searchResults: byId("search-results", HTMLOListElement),
  searchMore: byId("search-more", HTMLButtonElement),
};

const lang = langFromNavigator(navigator.language);
const data = /** @type {PageData} */ (
  JSON.parse(byId("page-data", HTMLScriptElement).text)
);
const text = data.text[lang];
const web = text.web;
const state = new WebClientState({
  text,
  lang,
  maxLineBytes: data.maxLineBytes,
});
const locale = lang === "pt" ? "pt-BR" : "en";
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "full" });
/** A line's date, before its time on search results not from today. */
const shortDate = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
/** A line's date and time, in its title. */
const whenFormat = new Intl.DateTimeFormat(locale, {
  dateStyle: "full",
  timeStyle: "short",
});

/** @type {WebSocket | null} */
let socket = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let paceTimer;
/** Whether the list follows new lines: the reader is at the bottom. */
let atBottom = true;
/** @type {TabCompletion | null} */
let completion = null;
/** The name kept for the next visit. */
let savedName = "";
let unread = 0;
let shownMembers = -1;
let shownView = "";
let shownError = "";
/** The room whose lines the message list holds (`""`: none). */
let shownRoom = "";
/** What the room list and topic show, to redraw them only on a change. */
let shownRooms = "";
/** What the scrollback and the search show, to redraw them on a change. */
let shownHistory = "";
/** The search drawn: its results are added to, not drawn anew. */
/** @type {Readonly<PageSearch> | null} */
let shownSearch = null;
/** Where the conversation was scrolled to when the search opened. */
let chatScroll = { top: 0, atBottom: true };
/**
 * The lines of the rooms not in view, each in a list of its own, kept out
 * of the page until their room is shown again.
 *
 * @type {Map<string, HTMLOListElement>}
 */
const roomLists = new Map();
/** @type {string[]} */
const sentLines = [];
let recall = 0;

function setUpText() {
  document.documentElement.lang = lang === "pt" ? "pt-BR" : "en";
  ui.retry.textContent = web.retryNow;
  ui.joinHeading.textContent = web.joinHeading;
  ui.nameLabel.textContent = web.nameLabel;
  ui.nameHint.textContent = web.nameHint;
  ui.passwordLabel.textContent = web.passwordLabel;
  ui.passwordLabel.hidden = !data.password;
  ui.passwordInput.hidden = !data.password;
  ui.joinButton.textContent = web.joinButton;
  ui.messages.setAttribute("aria-label", web.messagesLabel);
  ui.lineLabel.textContent = web.messageLabel;
  ui.lineInput.placeholder = web.messagePlaceholder;
  ui.sendButton.textContent = web.sendButton;
  ui.roomsToggleLabel.textContent = web.roomsHeading;
  ui.roomsHeading.textContent = web.roomsHeading;
  ui.roomLabel.textContent = web.joinRoomLabel;
  ui.roomInput.placeholder = web.joinRoomPlaceholder;
  ui.roomKeyLabel.textContent = web.roomKeyLabel;
  ui.roomButton.textContent = web.joinRoomButton;
  ui.searchLabel.textContent = web.searchLabel;
  ui.searchInput.placeholder = web.searchPlaceholder;
  ui.searchButton.textContent = web.searchButton;
  ui.searchBack.textContent = web.searchBack;
  ui.searchMore.textContent = web.searchMore;
  ui.shortcutsHeading.textContent = web.shortcutsHeading;
  ui.shortcuts.replaceChildren(
    ...PAGE_SHORTCUTS.flatMap((key) => {
      const keys = document.createElement("dt");
      const kbd = document.createElement("kbd");
      kbd.textContent = key.keys;
      keys.append(kbd);
      const what = document.createElement("dd");
      what.textContent = web[key.text];
      return [keys, what];
    }),
  );
}

/** @param {WebEffect[]} effects */
function run(effects) {
  // The state may have changed rooms before these effects: file them in
  // the room now in view.
  showRoom();
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
        show(effect.entry, effect.room);
        break;
      case "older":
        showOlder(effect.room, effect.entries);
        break;
      case "timer":
        clearTimeout(timer);
        timer = effect.ms === null
          ? undefined
          : setTimeout(() => run(state.timer()), effect.ms);
        break;
      case "pace":
        clearTimeout(paceTimer);
        paceTimer = effect.ms === null
          ? undefined
          : setTimeout(() => run(state.drain(Date.now())), effect.ms);
        break;
      case "sent":
        settle(effect.id, effect.time);
        break;
      case "unsent":
        settle(effect.id, null);
        break;
      case "alert":
        if (document.hidden) {
          unread++;
          updateTitle();
        }
        break;
      case "clear_input":
        ui.lineInput.value = "";
        ui.lineInput.removeAttribute("aria-invalid");
        completion = null;
        break;
      case "reject_input":
        ui.lineInput.setAttribute("aria-invalid", "true");
        break;
      case "prove":
        prove(effect.nonce);
        break;
    }
  }
  render();
  if (atBottom) scrollToBottom();
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
 * A name, in its colour, isolated in its own direction (a right-to-left
 * name cannot reorder the line); clicking it starts a private message.
 *
 * @param {string} name
 * @param {number} color
 * @param {readonly TextPart[]} [shown] What to show, if not the name.
 * @returns {HTMLElement}
 */
function nameElement(name, color, shown) {
  const element = document.createElement("bdi");
  element.className = "name";
  // The style sheet gives every name the same lightness and chroma; the
  // hue is the name's. (Set through the CSSOM, which the CSP allows.)
  element.style.setProperty("--name-hue", String(nameHue(color)));
  element.dataset.name = name;
  if (shown === undefined) element.textContent = name;
  else element.append(...partNodes(shown));
  return element;
}

/**
 * Text made from a template: each filled-in value in a `<bdi>` of its own.
 *
 * @param {readonly TextPart[]} parts
 * @returns {(Node | string)[]}
 */
function partNodes(parts) {
  return parts.map((part) => {
    if (!part.isolate) return part.text;
    const element = document.createElement("bdi");
    element.textContent = part.text;
    return element;
  });
}

/**
 * Someone's words, in their own direction, with web addresses as links
 * that open in a new tab and tell the site nothing (no previews: nothing
 * is fetched). In a search result, the words searched for are marked.
 *
 * @param {string} words
 * @param {string} [searched] The words of a search, to mark.
 * @returns {HTMLElement}
 */
function wordsElement(words, searched) {
  const body = document.createElement("span");
  body.className = "text";
  body.dir = "auto";
  /** @param {string} text */
  const marked = (text) =>
    searched === undefined ? [text] : markWords(text, searched).map((part) => {
      if (!part.mark) return part.text;
      const mark = document.createElement("mark");
      mark.textContent = part.text;
      return mark;
    });
  for (const part of linkify(words)) {
    if (!("href" in part)) {
      body.append(...marked(part.text));
      continue;
    }
    const link = document.createElement("a");
    link.href = part.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(...marked(part.text));
    body.append(link);
  }
  return body;
}

/**
 * The `/help` list: one item per command, usage above what it does.
 *
 * @param {readonly HelpItem[]} items
 * @returns {HTMLElement}
 */
function helpList(items) {
  const list = document.createElement("ul");
  list.className = "help-list";
  for (const command of items) {
    const item = document.createElement("li");
    const usage = document.createElement("code");
    usage.textContent = command.usage;
    const what = document.createElement("span");
    what.textContent = command.text;
    item.append(usage, " ", what);
    list.append(item);
  }
  return list;
}

/**
 * @param {WebEntry} entry
 * @param {string} [room] The room whose list it goes to, if not the one in
 *   view.
 */
function show(entry, room) {
  const inView = room === undefined || room === shownRoom;
  insert(entryItem(entry), inView ? ui.messages : roomList(room), room);
  if (entry.kind === "chat" && entry.own) atBottom = true;
}

/**
 * The time of a line: the clock, with its whole date as its title (and
 * shown, with `dated`, when not from today).
 *
 * @param {number} time
 * @param {boolean} [dated]
 * @returns {HTMLTimeElement}
 */
function timeElement(time, dated = false) {
  const element = document.createElement("time");
  const date = new Date(time);
  element.dateTime = Number.isFinite(time) ? date.toISOString() : "";
  element.title = Number.isFinite(time) ? whenFormat.format(date) : "";
  element.textContent = dated && dayKey(time) !== dayKey(Date.now())
    ? `${shortDate.format(date)} ${clock(time)}`
    : clock(time);
  return element;
}

/**
 * An entry of the message list, as an item.
 *
 * @param {WebEntry} entry
 * @returns {HTMLLIElement}
 */
function entryItem(entry) {
  if (entry.kind === "divider") return divider(entry.text);
  const item = document.createElement("li");
  const classes = ["entry", `entry-${entry.kind}`];
  item.append(timeElement(entry.time), " ");
  item.dataset.day = dayKey(entry.time);
  switch (entry.kind) {
    case "chat":
      if (entry.own) classes.push("own");
      if (entry.mention) classes.push("mention");
      if (entry.history) classes.push("history");
      if (entry.pending) {
        classes.push("pending");
        item.title = web.pending;
      }
      if (entry.id !== 0) item.dataset.id = String(entry.id);
      if (entry.line !== 0) item.dataset.line = String(entry.line);
      if (entry.room !== undefined) {
        // A line of another of your rooms says which.
        const room = document.createElement("bdi");
        room.className = "room-tag";
        room.textContent = entry.room;
        item.append("[", room, "] ");
      }
      item.append(...lineParts(entry));
      break;
    case "private":
      if (entry.own) classes.push("own");
      item.append(
        nameElement(entry.who, entry.color, entry.labelParts),
        ": ",
        wordsElement(entry.text),
      );
      break;
    case "help": {
      // Shown as the info it is, laid out as a list.
      classes.push("entry-info");
      const heading = document.createElement("span");
      heading.className = "text";
      heading.textContent = entry.text;
      // Then the page's own keys.
      const keys = document.createElement("span");
      keys.className = "text";
      keys.textContent = entry.keysHeading;
      item.append(heading, helpList(entry.items), keys, helpList(entry.keys));
      break;
    }
    default: {
      const body = document.createElement("span");
      body.className = "text";
      if (entry.parts === undefined) body.textContent = entry.text;
      else body.append(...partNodes(entry.parts));
      item.append(body);
    }
  }
  item.className = classes.join(" ");
  return item;
}

/**
 * Who said a line and what: `name: words`, or `* name words` for `/me`.
 *
 * @param {{ from: string; color: number; text: string; action: boolean }} entry
 *   A line shown, or a search result.
 * @param {string} [searched] The words of a search, to mark.
 * @returns {(Node | string)[]}
 */
function lineParts(entry, searched) {
  const name = nameElement(entry.from, entry.color);
  const words = wordsElement(entry.text, searched);
  if (entry.action) {
    return ["* ", name, " ", words];
  }
  return [name, ": ", words];
}

/**
 * The divider between the lines a room replayed when you joined it and
 * those said since.
 *
 * @param {string} label What screen readers say of it.
 * @returns {HTMLLIElement}
 */
function divider(label) {
  const item = document.createElement("li");
  item.className = "divider";
  item.setAttribute("role", "separator");
  item.setAttribute("aria-label", label);
  const earlier = document.createElement("span");
  earlier.textContent = `↑ ${web.earlierMessages}`;
  const since = document.createElement("span");
  since.textContent = `${web.sinceYouJoined} ↓`;
  item.append(earlier, since);
  return item;
}

/**
 * The day of the entry above `item` in its list (skipping separators and
 * the scrollback item), or today's at the top: an entry of another day
 * gets its date above it.
 *
 * @param {Element | null} above
 * @returns {string}
 */
function dayAbove(above) {
  while (above instanceof HTMLElement && above.dataset.day === undefined) {
    above = above.previousElementSibling;
  }
  return above instanceof HTMLElement
    ? above.dataset.day ?? ""
    : dayKey(Date.now());
}

/**
 * Puts an entry in the list: at the end, but above your lines that still
 * wait to be sent (they go out after it). A date goes before it when its
 * day is not the day of the line above (or, at the top, today).
 *
 * The list keeps at most {@linkcode MAX_ENTRIES} entries, dropping the
 * oldest, but not while the reader is scrolled up in it (reading older
 * lines), up to twice as many.
 *
 * @param {HTMLLIElement} item
 * @param {HTMLOListElement} list The list in view, or a room's kept apart.
 * @param {string} [room] The room of a list kept apart.
 */
function insert(item, list, room) {
  const waiting = item.classList.contains("pending")
    ? null
    : list.querySelector(":scope > li.pending");
  const above = waiting === null
    ? list.lastElementChild
    : waiting.previousElementSibling;
  const day = item.dataset.day;
  /** @type {HTMLElement[]} */
  const items = [item];
  if (day !== undefined && dayAbove(above) !== day) {
    items.unshift(daySeparator(day));
  }
  if (waiting === null) list.append(...items);
  else waiting.before(...items);
  const reading = list === ui.messages && !atBottom;
  const most = reading ? 2 * MAX_ENTRIES : MAX_ENTRIES;
  const control = scrollbackItem(list);
  let dropped = false;
  while (list.childElementCount > most + 1) {
    const oldest = control.nextElementSibling;
    if (!(oldest instanceof HTMLElement)) break;
    dropped ||= oldest.dataset.line !== undefined;
    oldest.remove();
  }
  if (dropped) state.trimmed(room ?? shownRoom);
}

/**
 * Older lines of a room, put above its oldest: the reader's place stays
 * where it was (scrolling back), or, when they asked with the button, the
 * list shows the top of what came.
 *
 * @param {string} room
 * @param {readonly WebEntry[]} entries Oldest first.
 */
function showOlder(room, entries) {
  const inView = room === shownRoom;
  const list = inView ? ui.messages : roomList(room);
  const control = scrollbackItem(list);
  const anchor = control.nextElementSibling;
  const before = anchor === null ? 0 : anchor.getBoundingClientRect().top;
  control.after(...entries.map(entryItem));
  fixDays(list);
  if (!inView) return;
  renderScrollback();
  // Nothing came (the start was shown already): nothing to keep in place.
  if (entries.length === 0) return;
  const button = control.querySelector("button");
  if (
    document.activeElement === button || document.activeElement === control
  ) {
    list.scrollTop = 0;
  } else if (anchor !== null) {
    list.scrollTop += anchor.getBoundingClientRect().top - before;
  }
  followBottom();
}

/**
 * Puts the dates where they belong in a whole list (after older lines
 * came above): before each entry whose day is not the day of the entry
 * above it (at the top: today), and nowhere else.
 *
 * @param {HTMLOListElement} list
 */
function fixDays(list) {
  let day = dayKey(Date.now());
  /** @type {HTMLElement | null} */
  let separator = null;
  for (const item of [...list.children]) {
    if (!(item instanceof HTMLElement)) continue;
    if (item.classList.contains("day")) {
      separator?.remove();
      separator = item;
      continue;
    }
    const own = item.dataset.day;
    if (own === undefined) continue;
    if (own === day) separator?.remove();
    else if (separator?.querySelector("time")?.dateTime !== own) {
      separator?.remove();
      item.before(daySeparator(own));
    }
    separator = null;
    day = own;
  }
  separator?.remove();
}

/**
 * The date between two lines of different days.
 *
 * @param {string} day `YYYY-MM-DD`.
 * @returns {HTMLLIElement}
 */
function daySeparator(day) {
  const item = document.createElement("li");
  item.className = "day";
  item.setAttribute("role", "separator");
  const time = document.createElement("time");
  time.dateTime = day;
  const [year, month, date] = day.split("-").map(Number);
  time.textContent = dateFormat.format(
    new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1),
  );
  item.append(time);
  return item;
}

/**
 * Your waiting line went out (at `time`) or never will (`null`).
 *
 * @param {number} id
 * @param {number | null} time
 */
function settle(id, time) {
  const selector = `li[data-id="${id}"]`;
  let item = ui.messages.querySelector(selector);
  for (const list of roomLists.values()) item ??= list.querySelector(selector);
  if (!(item instanceof HTMLLIElement)) return;
  item.classList.remove("pending");
  if (time === null) {
    item.classList.add("unsent");
    item.title = web.unsent;
    return;
  }
  item.removeAttribute("title");
  const stamp = item.querySelector("time");
  if (stamp !== null) {
    stamp.dateTime = new Date(time).toISOString();
    stamp.textContent = clock(time);
  }
}

/**
 * @param {string} room
 * @returns {HTMLOListElement} The list that keeps a room's lines while
 *   another room is in view.
 */
function roomList(room) {
  let list = roomLists.get(room);
  if (list === undefined) {
    list = document.createElement("ol");
    scrollbackItem(list);
    roomLists.set(room, list);
  }
  return list;
}

/**
 * The first item of a room's list: a button that asks for earlier lines,
 * or says that all are shown (made when missing).
 *
 * @param {HTMLOListElement} list
 * @returns {HTMLLIElement}
 */
function scrollbackItem(list) {
  const first = list.firstElementChild;
  if (
    first instanceof HTMLLIElement && first.classList.contains("scrollback")
  ) {
    return first;
  }
  const item = document.createElement("li");
  item.className = "scrollback";
  item.tabIndex = -1;
  item.hidden = true;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "older";
  const note = document.createElement("span");
  note.className = "scrollback-note";
  item.append(button, note);
  list.prepend(item);
  return item;
}

/**
 * Draws the scrollback item of the list in view: the button while older
 * lines can be asked for ("loading" while they are), else where the
 * room's history starts. The focus, on the button when it goes, stays on
 * the item.
 */
function renderScrollback() {
  const item = scrollbackItem(ui.messages);
  const where = state.scrollback(state.room);
  const button = item.querySelector("button");
  const note = item.querySelector(".scrollback-note");
  if (button === null || note === null) return;
  const focused = document.activeElement === button;
  item.hidden = where === "none";
  button.hidden = where === "start";
  button.setAttribute("aria-disabled", String(where === "loading"));
  button.textContent = where === "loading"
    ? web.loadingEarlier
    : web.loadEarlier;
  note.replaceChildren(
    ...(where === "start"
      ? partNodes(fillParts(web.historyStart, { room: state.room ?? "" }))
      : []),
  );
  if (where === "loading") ui.messages.setAttribute("aria-busy", "true");
  else ui.messages.removeAttribute("aria-busy");
  if (focused && button.hidden) item.focus();
}

/**
 * Asks for the lines before the oldest stored one in view, when there
 * are any and none are being asked for.
 */
function requestOlder() {
  const room = state.room;
  if (room === null || room !== shownRoom) return;
  if (state.scrollback(room) !== "more") return;
  const oldest = ui.messages.querySelector(":scope > li[data-line]");
  if (!(oldest instanceof HTMLElement)) return;
  // The wheel may have moved the list before its scroll event came: the
  // reader is where the list is now, not at the bottom run() would keep.
  followBottom();
  run(state.loadOlder(room, Number(oldest.dataset.line), Date.now()));
}

/** Notes whether the reader is at the bottom of the list (it follows). */
function followBottom() {
  const list = ui.messages;
  if (list.clientHeight === 0) return; // hidden: no layout to judge by
  atBottom =
    list.scrollHeight - list.scrollTop - list.clientHeight < BOTTOM_SLACK;
}

/**
 * Puts the lines of the current room in the message list, keeping the
 * other room's apart. Screen readers are not read the whole room anew.
 */
function showRoom() {
  const room = state.room ?? "";
  if (room === shownRoom) return;
  const list = ui.messages;
  list.setAttribute("aria-live", "off");
  roomList(shownRoom).replaceChildren(...list.childNodes);
  list.replaceChildren(...roomList(room).childNodes);
  scrollbackItem(list);
  roomLists.delete(room);
  shownRoom = room;
  atBottom = true;
  scrollToBottom();
  setTimeout(() => list.setAttribute("aria-live", "polite"));
}

/**
 * Draws the search of the room in view, in place of the conversation:
 * what was searched for, how many were found, the results newest first
 * (with their dates), a button for older ones, and the way back. A new
 * search starts the results anew; more of the same search are added
 * below, the focus going to the first of them.
 */
function renderSearch() {
  const search = state.search;
  if (search === null) {
    if (!ui.searchView.hidden) showSearch(false);
    shownSearch = null;
    return;
  }
  if (ui.searchView.hidden) showSearch(true);
  if (search !== shownSearch) ui.searchResults.replaceChildren();
  shownSearch = search;
  ui.searchHeading.replaceChildren(
    ...partNodes(
      fillParts(web.searchHeading, { words: search.words, room: search.room }),
    ),
  );
  const shown = ui.searchResults.childElementCount;
  const added = search.lines.slice(shown).map((result) => {
    const item = document.createElement("li");
    item.className = "entry entry-chat result";
    item.tabIndex = -1;
    item.dataset.line = String(result.line);
    item.append(timeElement(result.time, true), " ");
    item.append(...lineParts(result, search.words));
    return item;
  });
  ui.searchResults.append(...added);
  const count = String(search.lines.length);
  ui.searchStatus.dataset.kind = search.error === "" ? "" : "error";
  ui.searchStatus.textContent = search.error !== ""
    ? fill(web.searchFailed, { text: search.error })
    : search.loading
    ? web.searching
    : search.lines.length === 0
    ? fill(web.searchNone, { words: search.words, room: search.room })
    : fill(search.more ? web.searchFoundMore : web.searchFound, { count });
  const moreFocused = document.activeElement === ui.searchMore;
  ui.searchMore.hidden = !search.more && !search.loading ||
    search.lines.length === 0;
  ui.searchMore.setAttribute("aria-disabled", String(search.loading));
  ui.searchMore.textContent = search.loading && shown > 0
    ? web.searching
    : web.searchMore;
  // More results came after the button was pressed: the first of them.
  if (shown > 0 && added.length > 0 && moreFocused) added[0]?.focus();
  else if (moreFocused && ui.searchMore.hidden) ui.searchHeading.focus();
}

/**
 * Shows the search in place of the conversation, or the conversation
 * again, where the reader left it.
 *
 * @param {boolean} open
 */
function showSearch(open) {
  const list = ui.messages;
  if (open) {
    chatScroll = { top: list.scrollTop, atBottom };
  }
  ui.searchView.hidden = !open;
  list.hidden = open;
  ui.lineForm.hidden = open;
  if (open) return;
  ui.searchResults.replaceChildren();
  atBottom = chatScroll.atBottom;
  if (atBottom) scrollToBottom();
  else list.scrollTop = chatScroll.top;
}

/** Back from the search to the conversation, the focus on the line. */
function closeSearch() {
  state.closeSearch();
  render();
  ui.lineInput.focus();
}

/** Draws the room list, the drawer's button and the topic, when changed. */
function renderRooms() {
  const rooms = state.roomList;
  const topic = state.topic;
  const drawn = JSON.stringify([rooms, topic, state.room]);
  if (drawn === shownRooms) return;
  shownRooms = drawn;
  const items = rooms.map((room, i) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "room";
    button.dataset.room = room.room;
    if (room.current) button.setAttribute("aria-current", "true");
    if (i < 9) button.setAttribute("aria-keyshortcuts", `Alt+${i + 1}`);
    const name = document.createElement("bdi");
    name.textContent = room.room;
    button.append(name);
    if (room.unread > 0) {
      button.append(badge(room.unread, room.mentions));
    }
    item.append(button);
    return item;
  });
  ui.rooms.replaceChildren(...items);
  const away = rooms.filter((room) => !room.current);
  const unread = away.reduce((sum, room) => sum + room.unread, 0);
  const mentions = away.reduce((sum, room) => sum + room.mentions, 0);
  ui.roomsToggleBadge.hidden = unread === 0;
  ui.roomsToggleBadge.textContent = String(unread);
  ui.roomsToggleBadge.classList.toggle("mention", mentions > 0);
  ui.topic.replaceChildren();
  if (state.room !== null) {
    const room = document.createElement("bdi");
    room.className = "topic-room";
    room.textContent = state.room;
    ui.topic.append(room, " ");
  }
  const words = document.createElement("span");
  words.className = "topic-text";
  words.textContent = topic === "" ? web.noTopic : topic;
  ui.topic.append(words);
  ui.topic.classList.toggle("empty", topic === "");
}

/**
 * A room's count of unread lines, marked when some mention you; screen
 * readers say what it counts.
 *
 * @param {number} unread
 * @param {number} mentions
 * @returns {HTMLElement}
 */
function badge(unread, mentions) {
  const element = document.createElement("span");
  element.className = mentions > 0 ? "badge mention" : "badge";
  const shown = document.createElement("span");
  shown.setAttribute("aria-hidden", "true");
  shown.textContent = mentions > 0 ? `${unread} @${mentions}` : String(unread);
  const said = document.createElement("span");
  said.className = "visually-hidden";
  const count = fill(web.unreadLabel, { count: String(unread) });
  said.textContent = mentions > 0
    ? `${count}, ${fill(web.mentionsLabel, { count: String(mentions) })}`
    : count;
  element.append(shown, said);
  return element;
}

/** @param {boolean} open Whether the room drawer (on a phone) is open. */
function setDrawer(open) {
  ui.roomPanel.classList.toggle("open", open);
  ui.roomsToggle.setAttribute("aria-expanded", String(open));
}

/** @param {string | null} room A room to show, if any. */
function goTo(room) {
  if (room === null) return;
  // The search is of the room in view: another room shows its lines.
  if (room !== state.room) state.closeSearch();
  run(state.switchRoom(room, Date.now()));
}

function scrollToBottom() {
  const list = ui.messages;
  list.scrollTop = list.scrollHeight - list.clientHeight;
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
    if (view === "chat") {
      ui.lineInput.focus();
      atBottom = true;
    } else {
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
  ui.roomsToggle.hidden = view !== "chat";
  renderRooms();
  const drawn = JSON.stringify([state.historyVersion, state.room]);
  if (drawn !== shownHistory) {
    shownHistory = drawn;
    renderScrollback();
    renderSearch();
  }
  ui.searchForm.hidden = state.room === null;
  if (state.membersVersion !== shownMembers) {
    shownMembers = state.membersVersion;
    renderMembers();
  }
  // While disconnected the list shows who was there, greyed out.
  const offline = state.phase !== "chat";
  if (ui.memberPanel.classList.contains("offline") !== offline) {
    ui.memberPanel.classList.toggle("offline", offline);
    for (const button of ui.members.querySelectorAll("button")) {
      button.disabled = offline;
    }
  }
  if (state.me !== "" && state.me !== savedName) rememberName(state.me);
}

/** @param {string} name */
function rememberName(name) {
  savedName = name;
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // No storage (a private window, a policy): the name is not kept.
  }
}

/** @returns {string} The name last joined with, or `""`. */
function rememberedName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

function renderMembers() {
  const names = state.members;
  ui.membersHeading.textContent = fill(web.membersHeading, {
    count: String(names.length),
  });
  const items = names.map((name) => {
    const item = document.createElement("li");
    const shown = document.createElement("bdi");
    shown.textContent = name;
    /** @type {(Node | string)[]} */
    const parts = [shown];
    // `@` or `+` as in IRC, said as a word.
    const status = state.isOp(name)
      ? { mark: "@", className: "op", said: web.operator }
      : state.isVoiced(name)
      ? { mark: "+", className: "voice", said: web.voice }
      : null;
    if (status !== null) {
      const mark = document.createElement("span");
      mark.className = status.className;
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = status.mark;
      const said = document.createElement("span");
      said.className = "visually-hidden";
      said.textContent = ` (${status.said})`;
      parts.unshift(mark);
      parts.push(said);
    }
    if (name === state.me) {
      const me = document.createElement("span");
      me.className = "member me";
      me.append(...parts, ` ${web.you}`);
      item.append(me);
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "member";
      button.dataset.name = name;
      button.disabled = state.phase !== "chat";
      button.append(...parts);
      const label = fill(web.messageMember, { name });
      button.setAttribute(
        "aria-label",
        status === null ? label : `${label} (${status.said})`,
      );
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
scrollbackItem(ui.messages);
savedName = rememberedName();
ui.nameInput.value = savedName;

ui.nameForm.addEventListener("submit", (event) => {
  event.preventDefault();
  // The key first, so that the hello carries it.
  pageKey.then(() =>
    run(
      state.submitName(
        ui.nameInput.value,
        data.password ? ui.passwordInput.value : undefined,
      ),
    )
  );
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

// Tab completes names and commands (and moves the focus on, as usual,
// when there is nothing to complete).
ui.lineInput.addEventListener("keydown", (event) => {
  if (
    event.key !== "Tab" || event.shiftKey || event.altKey || event.ctrlKey ||
    event.metaKey
  ) return;
  const input = ui.lineInput;
  const next = tabComplete(
    input.value,
    input.selectionStart ?? input.value.length,
    { names: state.members, me: state.me, commands: data.commands },
    completion,
  );
  completion = next;
  if (next === null) return;
  event.preventDefault();
  input.value = next.value;
  input.setSelectionRange(next.cursor, next.cursor);
});

ui.lineInput.addEventListener("input", () => {
  completion = null;
  ui.lineInput.removeAttribute("aria-invalid");
});

// Up and Down recall the lines you sent, as in the terminal.
ui.lineInput.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (sentLines.length === 0) return;
  event.preventDefault();
  recall = Math.max(
    0,
    Math.min(sentLines.length, recall + (event.key === "ArrowUp" ? -1 : 1)),
  );
  ui.lineInput.value = sentLines[recall] ?? "";
  ui.lineInput.removeAttribute("aria-invalid");
  completion = null;
});

ui.members.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.dataset.name !== undefined) {
    startPrivate(target.dataset.name);
  }
});

// The list follows new lines while the reader is at the bottom, and stays
// put while they read above; at the top, it asks for older lines.
ui.messages.addEventListener("scroll", () => {
  if (ui.messages.clientHeight === 0) return; // hidden
  followBottom();
  if (ui.messages.scrollTop < TOP_SLACK) requestOlder();
});

// Already at the top (a list too short to scroll, or older lines that
// filled little): turning the wheel up asks too.
ui.messages.addEventListener("wheel", (event) => {
  if (event.deltaY < 0 && ui.messages.scrollTop < TOP_SLACK) requestOlder();
}, { passive: true });

ui.searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(state.searchRoom(ui.searchInput.value, Date.now()));
});

ui.searchMore.addEventListener("click", () => {
  run(state.searchMore(Date.now()));
});

ui.searchBack.addEventListener("click", closeSearch);

// A phone's keyboard opening, a rotation, the member list growing: the
// list changes size, and the newest line stays in view.
new ResizeObserver(() => {
  if (atBottom) scrollToBottom();
}).observe(ui.messages);

ui.messages.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof Element && target.closest("button.older")) {
    requestOlder();
    return;
  }
  const name = target instanceof Element ? target.closest(".name") : null;
  if (name instanceof HTMLElement) startPrivate(name.dataset.name ?? "");
});

ui.searchResults.addEventListener("click", (event) => {
  const target = event.target;
  const name = target instanceof Element ? target.closest(".name") : null;
  if (!(name instanceof HTMLElement)) return;
  closeSearch();
  startPrivate(name.dataset.name ?? "");
});

ui.retry.addEventListener("click", () => run(state.retryNow()));

ui.rooms.addEventListener("click", (event) => {
  const target = event.target;
  const button = target instanceof Element ? target.closest(".room") : null;
  if (!(button instanceof HTMLElement)) return;
  setDrawer(false);
  goTo(button.dataset.room ?? null);
  ui.lineInput.focus();
});

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const effects = state.joinRoom(
    ui.roomInput.value,
    ui.roomKey.value,
    Date.now(),
  );
  if (effects.some((effect) => effect.kind === "show")) {
    run(effects);
    return;
  }
  ui.roomInput.value = "";
  ui.roomKey.value = "";
  setDrawer(false);
  run(effects);
  if (effects.length > 0) ui.lineInput.focus();
});

ui.roomsToggle.addEventListener("click", () => {
  const open = !ui.roomPanel.classList.contains("open");
  setDrawer(open);
  if (open) {
    const current = ui.rooms.querySelector("[aria-current]");
    if (current instanceof HTMLElement) current.focus();
  }
});

// The page's keys (listed in /help and under the room list): Alt+Up and
// Alt+Down to the room above or below, Alt+1 to Alt+9 to a room by its
// place in the list (by the key's place, whatever the layout), Escape to
// close the room drawer.
document.addEventListener("keydown", (event) => {
  if (state.view !== "chat") return;
  if (event.key === "Escape" && ui.roomPanel.classList.contains("open")) {
    setDrawer(false);
    ui.roomsToggle.focus();
    return;
  }
  if (event.key === "Escape" && state.search !== null) {
    event.preventDefault();
    closeSearch();
    return;
  }
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  const digit = /^Digit([1-9])$/.exec(event.code);
  /** @type {string | null} */
  let room = null;
  if (event.key === "ArrowUp") room = state.roomBeside(-1);
  else if (event.key === "ArrowDown") room = state.roomBeside(1);
  else if (digit !== null) room = state.roomAt(Number(digit[1]) - 1);
  else return;
  event.preventDefault();
  goTo(room);
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unread = 0;
    updateTitle();
    run(state.tick(Date.now()));
  }
});

// One clock for pings, the dead-connection check and the countdown.
setInterval(() => run(state.tick(Date.now())), 1000);

/**
 * Shows the QR code of the server's web address (the one `chat serve`
 * prints in the terminal), drawn as SVG from the matrix in the page data,
 * black on white in either theme so that a phone can read it.
 *
 * @param {PageData["joinCode"]} code
 */
function showJoinCode(code) {
  const box = byId("join-code", HTMLElement);
  if (code === undefined || code.rows.length === 0) return;
  const size = code.rows.length + 4;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", code.url);
  const light = document.createElementNS(ns, "rect");
  light.setAttribute("width", String(size));
  light.setAttribute("height", String(size));
  light.setAttribute("fill", "#fff");
  const dark = document.createElementNS(ns, "path");
  let path = "";
  code.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (row[x] === "1") path += `M${x + 2} ${y + 2}h1v1h-1z`;
    }
  });
  dark.setAttribute("d", path);
  dark.setAttribute("fill", "#000");
  svg.append(light, dark);
  byId("join-code-label", HTMLElement).textContent = text.joinCode;
  byId("join-code-url", HTMLElement).textContent = code.url;
  box.insertBefore(svg, byId("join-code-url", HTMLElement));
  box.hidden = false;
}

/** Says in the bar whether the connection is encrypted (issue 13). */
function showSecure() {
  const secure = byId("secure", HTMLElement);
  const encrypted = location.protocol === "https:";
  secure.dataset.encrypted = String(encrypted);
  secure.textContent = encrypted ? web.encrypted : web.notEncrypted;
  if (encrypted && data.fingerprint !== undefined) {
    secure.title = web.fingerprintHint.replace(
      "{fingerprint}",
      data.fingerprint,
    );
    secure.textContent += ` · ${data.fingerprint}`;
  }
}

showJoinCode(data.joinCode);
showSecure();
render();

// --- The page's key -------------------------------------------------------

/**
 * Opens the page's key store.
 *
 * @returns {Promise<IDBDatabase>}
 */
function openKeyStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(KEY_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(KEY_STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Reads or writes one entry of the key store.
 *
 * @param {IDBDatabase} db
 * @param {"readonly" | "readwrite"} mode
 * @param {(store: IDBObjectStore) => IDBRequest} act
 * @returns {Promise<unknown>}
 */
function keyRequest(db, mode, act) {
  return new Promise((resolve, reject) => {
    const request = act(db.transaction(KEY_STORE, mode).objectStore(KEY_STORE));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Bytes as base64url without padding.
 *
 * @param {ArrayBuffer} buffer
 * @returns {string}
 */
function base64Url(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/**
 * The page's personal key: an ECDSA P-256 pair made once, its private half
 * not extractable, kept in IndexedDB. `null` where the browser offers no
 * WebCrypto (plain HTTP): the page then claims names with `/register`.
 *
 * @returns {Promise<CryptoKeyPair | null>}
 */
async function loadPageKey() {
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) return null;
  try {
    const db = await openKeyStore();
    let pair = /** @type {CryptoKeyPair | undefined} */ (
      await keyRequest(db, "readonly", (store) => store.get("personal"))
    );
    if (pair === undefined) {
      pair = await crypto.subtle.generateKey(
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["sign", "verify"],
      );
      await keyRequest(db, "readwrite", (store) => store.put(pair, "personal"));
    }
    const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
    state.useKey({ alg: "ECDSA-P256", key: base64Url(raw) });
    return pair;
  } catch {
    // A browser that refuses storage (private mode): names unclaimed.
    return null;
  }
}

const pageKey = loadPageKey();

/**
 * Signs the server's challenge (the nonce, bound to the channel: the
 * placeholder `unbound`, as a script cannot see the certificate of the
 * page's HTTPS, and the server binds the page's sockets to it too) and
 * sends the proof.
 *
 * @param {string} nonce
 */
async function prove(nonce) {
  const pair = await pageKey;
  if (pair === null) return;
  const proof = new TextEncoder().encode(
    `chat name proof v1\n${nonce}\nunbound\n`,
  );
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    pair.privateKey,
    proof,
  );
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(
      JSON.stringify({ type: "proof", signature: base64Url(signature) }),
    );
  }
}
