// @ts-check
/**
 * The browser client as a pure state machine, like `client_state.ts` for
 * the terminal: events in (a name or line typed, the socket opening, a
 * frame from the server, the socket closing, the reconnect and pacing
 * timers, a clock tick), effects out (connect, send, show an entry, arm a
 * timer, alert). `app.js` drives it with the real page and WebSocket; tests
 * drive it directly in Deno. The pure helpers the page's drawing needs
 * (links, Tab completion, name colours, days, the help list) are here too,
 * so that they are tested without a browser.
 *
 * It is JavaScript, not TypeScript, because the browser runs it exactly as
 * written (there is no build step); `// @ts-check` and the JSDoc types make
 * `deno check` verify it against the protocol types `chat join` uses.
 *
 * @module
 */

/** @import { ChatLine, ClientMessage, Lang, ServerMessage } from "../protocol/messages.ts" */
/** @import { PageText } from "./web_assets.ts" */
/** @import { PageSearch, Scrollback } from "./page_history.js" */
import { PageHistory } from "./page_history.js";

/** Version of the native dialect this page speaks (`PROTOCOL_VERSION`). */
export const WEB_PROTOCOL_VERSION = 2;

/** Milliseconds of silence after which the page pings the server. */
export const PING_AFTER_MS = 25_000;

/** Milliseconds of silence after which the page gives the connection up. */
export const DEAD_AFTER_MS = 60_000;

/** Longest wait between two reconnection attempts. */
export const MAX_RECONNECT_MS = 30_000;

/**
 * Share of the server's flood limit the page uses: your lines go out at
 * most at this share of its rate, in bursts of at most this share of its
 * burst, so that lines that arrive closer together than they were sent
 * (network jitter) are still within the limit. The same margin as
 * `chat join` uses when it paces piped lines.
 */
export const PACE_SHARE = Object.freeze({ rate: 0.8, burst: 0.5 });

/** Number of name colours: hues evenly spaced around the OKLCH circle. */
export const NAME_COLORS = 16;

/** Hue, in degrees, of name colour 0; the others follow every 360/16°. */
export const FIRST_NAME_HUE = 25;

/**
 * Where the page is: asking for a name, opening the connection, waiting
 * for the answer to `hello`, chatting, or waiting to reconnect.
 *
 * @typedef {"naming" | "connecting" | "joining" | "chat" | "waiting"} WebPhase
 */

/**
 * A piece of a text made from a template: `isolate` marks a value filled
 * in (a name, someone's words), shown apart from the text around it in
 * its own direction (`<bdi>`), so a right-to-left name cannot reorder the
 * sentence.
 *
 * @typedef {{ text: string; isolate: boolean }} TextPart
 */

/**
 * One command of the `/help` list: how to type it, and what it does.
 *
 * @typedef {{ usage: string; text: string }} HelpItem
 */

/**
 * One line of the message list. Your own lines have an `id` (else 0), so
 * that a line that waited for the flood limit can be marked once sent
 * (`pending` until then).
 *
 * A line of a room you are not in (never expected) says which (`room`);
 * the lines of your rooms go to their room's list (`show`'s `room`).
 * `/help` lists the server's commands, then the page's own keys. A line
 * the server stored has its id (`line`; 0 for none), by which the page
 * asks for the lines before it. A `divider` sets the lines replayed on
 * joining a room apart from those said since (its `text` says so).
 *
 * @typedef {{ kind: "chat"; id: number; line: number; from: string;
 *     text: string; time: number; action: boolean; own: boolean;
 *     mention: boolean; history: boolean; pending: boolean; color: number;
 *     room?: string }
 *   | { kind: "private"; label: string; labelParts: TextPart[];
 *     who: string; text: string; time: number; own: boolean; color: number }
 *   | { kind: "notice" | "error" | "info"; text: string; time: number;
 *     parts?: TextPart[] }
 *   | { kind: "help"; text: string; time: number; items: HelpItem[];
 *     keysHeading: string; keys: HelpItem[] }
 *   | { kind: "divider"; text: string; time: number }
 * } WebEntry
 */

/**
 * Something the driver must do.
 *
 * - `connect`: open a new WebSocket (closing any other);
 * - `send`: send a message on the open WebSocket;
 * - `disconnect`: close the WebSocket without reporting it back;
 * - `show`: append an entry to the message list: to the list of `room`
 *   when it names one of your rooms, else to the list in view;
 * - `older`: put older lines of `room` (oldest first) above the oldest
 *   line of its list, keeping the reader's place;
 * - `timer`: arm the one timer (replacing any other), or clear it (`null`);
 * - `pace`: arm the pacing timer (replacing any other), or clear it
 *   (`null`); when it fires, call {@linkcode WebClientState.drain};
 * - `sent`: your waiting line `id` went out at `time`;
 * - `unsent`: your waiting line `id` never went out;
 * - `alert`: something is for the user's attention (a mention, a private
 *   message): count it in the tab title while the tab is hidden;
 * - `clear_input`: the typed line was taken; empty the field;
 * - `reject_input`: the typed line was refused; keep it, marked invalid;
 * - `prove`: sign the server's challenge with the page's key and send
 *   {@linkcode WebClientState.proof}'s message.
 *
 * @typedef {{ kind: "connect" }
 *   | { kind: "send"; message: ClientMessage }
 *   | { kind: "disconnect" }
 *   | { kind: "show"; entry: WebEntry; room?: string }
 *   | { kind: "older"; room: string; entries: WebEntry[] }
 *   | { kind: "timer"; ms: number | null }
 *   | { kind: "pace"; ms: number | null }
 *   | { kind: "sent"; id: number; time: number }
 *   | { kind: "unsent"; id: number }
 *   | { kind: "alert" }
 *   | { kind: "clear_input" }
 *   | { kind: "reject_input" }
 *   | { kind: "prove"; nonce: string }
 * } WebEffect
 */

/**
 * Options of {@linkcode WebClientState}.
 *
 * @typedef {object} WebClientStateOptions
 * @property {PageText} text The strings of the page's language.
 * @property {Lang} lang The page's language, sent in `hello`.
 * @property {() => number} [random] Random numbers in [0, 1) for the
 *   reconnection jitter. Default `Math.random`.
 * @property {number} [maxLineBytes] Longest line the server takes, in
 *   UTF-8 bytes of the `input` frame; longer lines are refused before they
 *   are sent. Default `Infinity` (the server decides).
 */

/**
 * What the page knows of a room it is in: who is there, its operators, and
 * its topic (`""` for none), as last heard from the server; and how many
 * lines (and of them, mentions of you) came while you looked elsewhere.
 *
 * @typedef {{ members: string[]; ops: string[]; voiced: string[];
 *   topic: string; unread: number; mentions: number }} PageRoom
 */

/**
 * One room of the room list, as the page draws it.
 *
 * @typedef {{ room: string; unread: number; mentions: number;
 *   current: boolean }} RoomItem
 */

/**
 * The page's own keys, listed in `/help` after the server's commands
 * (`text` names the string that says what they do).
 */
export const PAGE_SHORTCUTS = Object.freeze(
  /** @type {const} */ ([
    { keys: "Alt+↑ / Alt+↓", text: "shortcutMove" },
    { keys: "Alt+1 … Alt+9", text: "shortcutJump" },
    { keys: "Esc", text: "shortcutClose" },
  ]),
);

/**
 * A line that waits for the flood limit: what to send, the id of its entry
 * (0 for a command, which shows nothing), and whether it is `/quit`; a
 * request the page makes by itself (rejoining after a reconnect) is
 * `quiet`: not counted as a line of yours if it never goes out.
 *
 * @typedef {{ message: ClientMessage; id: number; quit: boolean;
 *   quiet?: boolean }} Waiting
 */

/**
 * The server's flood limit as the page paces itself by it (the generic
 * cell rate algorithm, equivalent to a token bucket): a line may go at
 * `due - slack` or later, and each line moves `due` on by `every` ms.
 *
 * @typedef {{ every: number; slack: number; due: number }} Pacer
 */

/**
 * The page's state: phase, your name, who is online, what went wrong. Each
 * event method returns the effects to carry out, in order.
 */
export class WebClientState {
  /** @type {PageText} */
  #text;
  /** @type {Lang} */
  #lang;
  /** @type {() => number} */
  #random;
  /** @type {WebPhase} */
  #phase = "naming";
  #me = "";
  #pending = "";
  /**
   * The page's public key, sent in every hello (see {@linkcode useKey}).
   *
   * @type {{ alg: "Ed25519" | "ECDSA-P256"; key: string } | null}
   */
  #key = null;
  /** @type {string[]} */
  #members = [];
  #membersVersion = 0;
  #password = "";
  #passwordRefused = false;
  /**
   * The rooms you are in, by name, with who is in each; and the current
   * one, whose members {@linkcode members} lists.
   *
   * @type {Map<string, PageRoom>}
   */
  #rooms = new Map();
  /** @type {string | null} */
  #room = null;
  /**
   * Keys you gave for rooms (in the join field or `/join #room key`), to
   * rejoin them after a reconnect.
   *
   * @type {Map<string, string>}
   */
  #keys = new Map();
  /**
   * After a reconnect: the rooms being rejoined (their `joined` is quiet
   * and shows only the lines missed), the room to return to, and what the
   * page knew of each before.
   *
   * @type {Set<string>}
   */
  #rejoining = new Set();
  /** @type {string | null} */
  #returnTo = null;
  /** @type {Map<string, PageRoom>} */
  #before = new Map();
  /**
   * Time of the newest line seen in each room, so a rejoin shows only what
   * was said while the page was away.
   *
   * @type {Map<string, number>}
   */
  #seen = new Map();
  #nameError = "";
  #open = false;
  #joinedOnce = false;
  #leaving = false;
  #left = false;
  #attempt = 0;
  #retryAt = 0;
  #lastHeard = 0;
  #pinged = false;
  #lastServerTime = 0;
  #maxLineBytes = Infinity;
  /** @type {Pacer | null} */
  #pacer = null;
  /** @type {Waiting[]} */
  #queue = [];
  #lastId = 0;
  /** @type {Map<string, number>} */
  #colors = new Map();
  /** The scrollback of your rooms, and the search. */
  #history = new PageHistory();

  /** @param {WebClientStateOptions} options */
  constructor(options) {
    this.#text = options.text;
    this.#lang = options.lang;
    this.#random = options.random ?? Math.random;
    this.#maxLineBytes = options.maxLineBytes ?? Infinity;
  }

  /** @returns {WebPhase} Where the page is. */
  get phase() {
    return this.#phase;
  }

  /** @returns {string} Your name once joined, else `""`. */
  get me() {
    return this.#me;
  }

  /** @returns {string} The name last asked for, to fill the name field. */
  get pendingName() {
    return this.#pending;
  }

  /** @returns {readonly string[]} Who is online, sorted ignoring case. */
  get members() {
    return this.#members;
  }

  /** @returns {string | null} Your current room, or `null` for none. */
  get room() {
    return this.#room;
  }

  /**
   * @returns {ReadonlyMap<string, Readonly<PageRoom>>} The rooms you are
   *   in, in the order you joined them.
   */
  get rooms() {
    return this.#rooms;
  }

  /**
   * @returns {RoomItem[]} The room list: your rooms in the order you
   *   joined them, with what came while you were away.
   */
  get roomList() {
    // Rooms still being rejoined after a reconnect stay listed.
    const rooms = [...this.#rooms];
    for (const room of this.#rejoining) {
      const known = this.#before.get(room);
      if (known !== undefined && !this.#rooms.has(room)) {
        rooms.push([room, known]);
      }
    }
    return rooms.map(([room, known]) => ({
      room,
      unread: known.unread,
      mentions: known.mentions,
      current: room === this.#room,
    }));
  }

  /** @returns {string} The current room's topic, `""` for none. */
  get topic() {
    return this.#room === null ? "" : this.#rooms.get(this.#room)?.topic ?? "";
  }

  /**
   * @param {string} name A member of the current room.
   * @returns {boolean} Whether they are one of its operators.
   */
  isOp(name) {
    const ops = this.#room === null ? [] : this.#rooms.get(this.#room)?.ops;
    return ops?.includes(name) ?? false;
  }

  /**
   * @param {string} name A member of the current room.
   * @returns {boolean} Whether they have voice in it (`/voice`, IRC `+v`).
   */
  isVoiced(name) {
    const room = this.#room === null ? undefined : this.#rooms.get(this.#room);
    return room?.voiced.includes(name) ?? false;
  }

  /**
   * The room `step` places from the current one in the list, wrapping
   * around (Alt+Up is -1, Alt+Down +1).
   *
   * @param {number} step
   * @returns {string | null} Its name, or `null` with no other room.
   */
  roomBeside(step) {
    const rooms = [...this.#rooms.keys()];
    if (rooms.length < 2) return null;
    const at = this.#room === null ? -1 : rooms.indexOf(this.#room);
    const next = ((at + step) % rooms.length + rooms.length) % rooms.length;
    return rooms[next] ?? null;
  }

  /**
   * @param {number} index From 0.
   * @returns {string | null} The room at that place of the list (Alt+1 is
   *   0), or `null`.
   */
  roomAt(index) {
    return [...this.#rooms.keys()][index] ?? null;
  }

  /**
   * The user picks one of their rooms (in the list, or with a key): it is
   * shown at once, and the server told (`switch`), so that commands that
   * act on the current room act on it too.
   *
   * @param {string} room A room you are in.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  switchRoom(room, now) {
    if (this.#phase !== "chat" || room === this.#room) return [];
    if (!this.#rooms.has(room)) return [];
    this.#setRoom(room);
    return this.#request({ type: "switch", room }, now);
  }

  /**
   * The user asks, in the "join or create" field, to join a room (made if
   * new); a name without `#` gets one.
   *
   * @param {string} typed The room as typed.
   * @param {string} key The key as typed (`""` for none).
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  joinRoom(typed, key, now) {
    const name = typed.trim();
    if (name === "" || name === "#") return [];
    if (this.#phase !== "chat") {
      return [this.#show("error", this.#text.web.notConnected, now)];
    }
    const room = name.startsWith("#") ? name : `#${name}`;
    /** @type {ClientMessage} */
    const message = { type: "join", room };
    const secret = key.trim();
    if (secret !== "") {
      message.key = secret;
      this.#keys.set(room, secret);
    }
    return this.#request(message, now);
  }

  /**
   * @param {string | null} room One of your rooms.
   * @returns {Scrollback} Whether older lines of it can be asked for,
   *   are being asked for, or all are shown.
   */
  scrollback(room) {
    return this.#history.scrollback(room);
  }

  /**
   * @returns {Readonly<PageSearch> | null} The search of the room in
   *   view, with what it found so far; `null` when the conversation is
   *   shown.
   */
  get search() {
    const search = this.#history.search;
    return search !== null && search.room === this.#room ? search : null;
  }

  /**
   * @returns {number} Changes whenever {@linkcode scrollback} or
   *   {@linkcode search} says something new.
   */
  get historyVersion() {
    return this.#history.version;
  }

  /**
   * The reader reached the top of a room's lines (or asked for earlier
   * ones): asks the server for the lines before the oldest stored one
   * shown, one request per room at a time, under the flood limit. The
   * answer comes as an `older` effect.
   *
   * @param {string} room One of your rooms.
   * @param {number} before The id of its oldest stored line shown.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  loadOlder(room, before, now) {
    if (this.#phase !== "chat" || !this.#rooms.has(room)) return [];
    const request = this.#history.older(room, before);
    return request === null ? [] : this.#request(request, now, true);
  }

  /**
   * The page dropped the oldest lines of a room's list: they can be asked
   * for again.
   *
   * @param {string} room
   */
  trimmed(room) {
    this.#history.trimmed(room);
  }

  /**
   * The user searches the room in view for words (the server's full-text
   * search): the results come newest first, in {@linkcode search}.
   *
   * @param {string} words The words as typed.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  searchRoom(words, now) {
    const room = this.#room;
    if (room === null) return [];
    const request = this.#history.find(room, words);
    if (request === null) return [];
    if (this.#phase !== "chat") {
      this.#history.refused(this.#text.web.searchOffline);
      return [];
    }
    return this.#request(request, now, true);
  }

  /**
   * The user asks for the next, older page of results.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  searchMore(now) {
    if (this.#phase !== "chat" || this.search === null) return [];
    const request = this.#history.findMore();
    return request === null ? [] : this.#request(request, now, true);
  }

  /** The user goes back from the search results to the conversation. */
  closeSearch() {
    this.#history.closeSearch();
  }

  /**
   * Sends a request as soon as the flood limit allows.
   *
   * @param {ClientMessage} message
   * @param {number} now
   * @param {boolean} [quiet] Made by the page itself (see `Waiting`).
   * @returns {WebEffect[]}
   */
  #request(message, now, quiet = false) {
    if (this.#queue.length === 0 && this.#paceWait(now) === 0) {
      this.#paceTake(now);
      return [{ kind: "send", message }];
    }
    this.#queue.push({ message, id: 0, quit: false, quiet });
    return this.#queue.length === 1
      ? [{ kind: "pace", ms: this.#paceWait(now) }]
      : [];
  }

  /** @returns {number} Changes whenever {@linkcode members} changes. */
  get membersVersion() {
    return this.#membersVersion;
  }

  /** @returns {number} How many of your lines wait for the flood limit. */
  get waiting() {
    return this.#queue.length;
  }

  /** @returns {string} Why the last name was refused, or `""`. */
  get nameError() {
    return this.#nameError;
  }

  /**
   * @returns {"join" | "chat"} Which view to show: the name form until the
   *   first welcome (and again after leaving or a refused name), then the
   *   conversation, kept while reconnecting.
   */
  get view() {
    return this.#joinedOnce && this.#phase !== "naming" ? "chat" : "join";
  }

  /**
   * The status line.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {{ text: string; kind: "idle" | "busy" | "online" | "lost" }}
   */
  status(now) {
    const web = this.#text.web;
    switch (this.#phase) {
      case "naming":
        return { text: this.#left ? web.youLeft : "", kind: "idle" };
      case "connecting":
      case "joining":
        return { text: web.connecting, kind: "busy" };
      case "chat":
        return {
          text: fill(web.connected, { name: this.#me }),
          kind: "online",
        };
      case "waiting": {
        const seconds = Math.max(1, Math.ceil((this.#retryAt - now) / 1000));
        return {
          text: fill(web.reconnectingIn, { seconds: String(seconds) }),
          kind: "lost",
        };
      }
    }
  }

  /**
   * The user asks to join with a name (and the server's password, when it
   * has one).
   *
   * @param {string} typed The name as typed.
   * @param {string} [password] The password as typed.
   * @returns {WebEffect[]}
   */
  submitName(typed, password) {
    if (password !== undefined) this.#password = password;
    if (this.#phase === "waiting" && !this.#joinedOnce) {
      // Never joined yet and waiting to retry: try now, with this name.
      this.#pending = typed.trim();
      return this.retryNow();
    }
    if (this.#phase !== "naming") return [];
    this.#pending = typed.trim();
    this.#nameError = "";
    this.#left = false;
    this.#leaving = false;
    this.#passwordRefused = false;
    if (this.#open) {
      this.#phase = "joining";
      return [this.#hello()];
    }
    this.#phase = "connecting";
    return [{ kind: "connect" }];
  }

  /**
   * The user typed a line in the chat: a message or a `/command`, sent as
   * `input` for the server to interpret. The server does not echo public
   * messages, so your own are shown here, as others will see them.
   *
   * A line longer than the server takes is refused here, and stays in the
   * box. A line the flood limit would refuse waits (shown as pending)
   * until the limit allows it: what you see as sent is what others got.
   *
   * @param {string} line The line.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  submitLine(line, now) {
    if (line.trim() === "") return [];
    const web = this.#text.web;
    if (this.#phase !== "chat") {
      return [this.#show("error", web.notConnected, now)];
    }
    // It goes to the room in view, whatever the server thinks is current
    // (a `switch` may still be on its way).
    /** @type {ClientMessage} */
    const message = { type: "input", text: line };
    if (this.#room !== null) message.room = this.#room;
    const bytes = frameBytes(message);
    if (bytes > this.#maxLineBytes) {
      const limit = String(this.#maxLineBytes);
      return [
        this.#show("error", fill(web.lineTooLong, { bytes, limit }), now),
        { kind: "reject_input" },
      ];
    }
    const own = this.#ownLine(line, now);
    const quit = _isQuit(line);
    const join = /^\/join\s+(\S+)\s+(\S+)/i.exec(line);
    if (join !== null) {
      const room = join[1] ?? "";
      this.#keys.set(room.startsWith("#") ? room : `#${room}`, join[2] ?? "");
    }
    const room = this.#room === null ? {} : { room: this.#room };
    if (this.#queue.length === 0 && this.#paceWait(now) === 0) {
      this.#paceTake(now);
      if (quit) this.#leaving = true;
      /** @type {WebEffect[]} */
      const effects = [{ kind: "send", message }, { kind: "clear_input" }];
      if (own !== null) effects.push({ kind: "show", entry: own, ...room });
      return effects;
    }
    this.#queue.push({ message, id: own?.id ?? 0, quit });
    /** @type {WebEffect[]} */
    const effects = [{ kind: "clear_input" }];
    if (own !== null) {
      effects.push({
        kind: "show",
        entry: { ...own, pending: true },
        ...room,
      });
    }
    if (this.#queue.length === 1) {
      effects.push({ kind: "pace", ms: this.#paceWait(now) });
    }
    return effects;
  }

  /**
   * The pacing timer armed by a `pace` effect fired: sends the waiting
   * lines the flood limit now allows, and arms it again for the rest.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  drain(now) {
    /** @type {WebEffect[]} */
    const effects = [];
    if (this.#phase !== "chat" || !this.#open) return effects;
    let waiting = this.#queue[0];
    while (waiting !== undefined && this.#paceWait(now) === 0) {
      this.#queue.shift();
      this.#paceTake(now);
      if (waiting.quit) this.#leaving = true;
      effects.push({ kind: "send", message: waiting.message });
      if (waiting.id !== 0) {
        effects.push({ kind: "sent", id: waiting.id, time: now });
      }
      waiting = this.#queue[0];
    }
    effects.push({
      kind: "pace",
      ms: waiting === undefined ? null : this.#paceWait(now),
    });
    return effects;
  }

  /**
   * Your own line as others will see it, or `null` for a command.
   *
   * @param {string} line
   * @param {number} now
   * @returns {Extract<WebEntry, { kind: "chat" }> | null}
   */
  #ownLine(line, now) {
    let own = null;
    let action = false;
    if (line.startsWith("//")) own = line.slice(1);
    else if (!line.startsWith("/")) own = line;
    else {
      const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
      const word = (match?.[1] ?? "").toLowerCase();
      const rest = match?.[2] ?? "";
      if (word === "me" && rest.trim() !== "") {
        own = rest;
        action = true;
      }
    }
    if (own === null) return null;
    const text = cleanText(own).trimEnd();
    if (text === "") return null;
    return {
      kind: "chat",
      id: ++this.#lastId,
      line: 0,
      from: this.#me,
      text,
      time: now,
      action,
      own: true,
      mention: false,
      history: false,
      pending: false,
      color: this.#colorOf(this.#me),
    };
  }

  /**
   * Milliseconds until the flood limit allows your next line; 0 = now.
   *
   * @param {number} now
   * @returns {number}
   */
  #paceWait(now) {
    const pacer = this.#pacer;
    if (pacer === null) return 0;
    return Math.max(0, Math.ceil(pacer.due - pacer.slack - now));
  }

  /**
   * Counts a line sent now against the flood limit.
   *
   * @param {number} now
   */
  #paceTake(now) {
    const pacer = this.#pacer;
    if (pacer !== null) pacer.due = Math.max(pacer.due, now) + pacer.every;
  }

  /**
   * The WebSocket opened.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  opened(now) {
    this.#open = true;
    this.#lastHeard = now;
    this.#pinged = false;
    if (this.#phase !== "connecting") return [];
    this.#phase = "joining";
    return [this.#hello()];
  }

  /**
   * A frame arrived: one native-dialect message.
   *
   * @param {string} data The frame's text.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  received(data, now) {
    this.#lastHeard = now;
    this.#pinged = false;
    const message = parseServerMessage(data);
    return message === null ? [] : this.#onMessage(message, now);
  }

  /**
   * The WebSocket closed, whoever closed it. Unless you left, the page
   * reconnects after a delay that doubles with each failure (about 1, 2,
   * 4... seconds, at most 30), and rejoins with the same name.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  closed(now) {
    this.#open = false;
    this.#history.lost();
    /** @type {WebEffect[]} */
    const effects = this.#dropWaiting(now);
    if (this.#passwordRefused) {
      // A wrong password: ask again, instead of trying it again and again.
      this.#phase = "naming";
      this.#setMembers([]);
      return effects;
    }
    if (this.#leaving) {
      this.#leaving = false;
      this.#left = true;
      this.#phase = "naming";
      this.#setMembers([]);
      effects.push(this.#show("notice", this.#text.web.youLeft, now));
      return effects;
    }
    if (this.#phase === "naming" || this.#phase === "waiting") return effects;
    if (this.#phase === "chat") {
      effects.push(this.#show("notice", this.#text.web.connectionLost, now));
    }
    const ms = reconnectDelay(++this.#attempt, this.#random());
    this.#phase = "waiting";
    this.#retryAt = now + ms;
    effects.push({ kind: "timer", ms });
    return effects;
  }

  /**
   * The timer armed by a `timer` effect fired: time to reconnect.
   *
   * @returns {WebEffect[]}
   */
  timer() {
    if (this.#phase !== "waiting") return [];
    this.#phase = "connecting";
    return [{ kind: "connect" }];
  }

  /**
   * The user asks to reconnect now instead of waiting.
   *
   * @returns {WebEffect[]}
   */
  retryNow() {
    if (this.#phase !== "waiting") return [];
    return [{ kind: "timer", ms: null }, ...this.timer()];
  }

  /**
   * Called about once a second: pings a quiet server, and gives up a
   * connection that stays silent (a laptop that slept, a network that
   * changed), which then reconnects.
   *
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  tick(now) {
    if (!this.#open || this.#phase === "naming") return [];
    const silent = now - this.#lastHeard;
    if (silent >= DEAD_AFTER_MS) {
      return [{ kind: "disconnect" }, ...this.closed(now)];
    }
    if (silent >= PING_AFTER_MS && !this.#pinged) {
      this.#pinged = true;
      return [{ kind: "send", message: { type: "ping", id: now } }];
    }
    return [];
  }

  /**
   * Your waiting lines will not go out on this connection: marks them.
   *
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #dropWaiting(now) {
    const dropped = this.#queue.splice(0);
    if (dropped.length === 0) return [];
    /** @type {WebEffect[]} */
    const effects = [{ kind: "pace", ms: null }];
    for (const { id } of dropped) {
      if (id !== 0) effects.push({ kind: "unsent", id });
    }
    const lines = dropped.filter((waiting) => !waiting.quiet).length;
    if (lines === 0) return effects;
    const count = String(lines);
    const text = fill(this.#text.web.unsentLines, { count });
    effects.push(this.#show("error", text, now));
    return effects;
  }

  /**
   * What was said in a room since you left: a separator, then the lines;
   * when the replay before them held none, older lines are asked for
   * before these.
   *
   * @param {Extract<ServerMessage, { type: "catch_up" }>} message
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #catchUp(message, now) {
    const room = cleanText(String(message.room));
    const lines = _lines(message.lines);
    this.#history.caughtUp(room, lines);
    const count = String(lines.length);
    return [
      this.#notice(this.#text.web.sinceYouLeft, { count, room }, now, room),
      ...lines.flatMap((line) => this.#chat({ ...line, room }, false)),
    ];
  }

  /**
   * Sends the page's public key in every hello from now on: the server
   * challenges it (a `prove` effect), and the names the page uses stay its
   * own. Only where the browser offers WebCrypto (a secure context).
   *
   * @param {{ alg: "Ed25519" | "ECDSA-P256"; key: string }} key The public
   *   key: its algorithm and raw bytes in base64url.
   */
  useKey(key) {
    this.#key = key;
  }

  /** @returns {WebEffect} */
  #hello() {
    /** @type {ClientMessage} */
    const hello = {
      type: "hello",
      version: WEB_PROTOCOL_VERSION,
      name: this.#pending,
      lang: this.#lang,
    };
    if (this.#password !== "") hello.password = this.#password;
    if (this.#key !== null) hello.key = this.#key;
    return { kind: "send", message: hello };
  }

  /**
   * @param {"notice" | "error" | "info"} kind
   * @param {string} text
   * @param {number} time
   * @returns {WebEffect}
   */
  #show(kind, text, time) {
    return { kind: "show", entry: { kind, text, time } };
  }

  /**
   * A notice whose filled-in values are isolated (see {@linkcode TextPart}).
   * One about one of your rooms goes to that room's list; one about
   * another room (`/who #elsewhere`) starts with `[#room]`.
   *
   * @param {string} template
   * @param {Readonly<Record<string, string | readonly string[]>>} values
   * @param {number} time
   * @param {string} [room] The room it is about.
   * @returns {WebEffect}
   */
  #notice(template, values, time, room) {
    const parts = fillParts(template, values);
    const mine = room !== undefined && this.#rooms.has(room);
    if (room !== undefined && !mine && room !== this.#room) {
      parts.unshift({ text: "[", isolate: false }, {
        text: room,
        isolate: true,
      }, { text: "] ", isolate: false });
    }
    const text = parts.map((part) => part.text).join("");
    /** @type {WebEntry} */
    const entry = { kind: "notice", text, time, parts };
    return mine ? { kind: "show", entry, room } : { kind: "show", entry };
  }

  /**
   * Changes what the page knows of one of your rooms, and the member list
   * when it is the current one.
   *
   * @param {string} room
   * @param {(room: PageRoom) => void} change
   */
  #update(room, change) {
    const known = this.#rooms.get(room);
    if (known === undefined) return;
    change(known);
    if (room === this.#room) this.#setMembers(known.members);
  }

  /**
   * You are in a room now, and it is the current one.
   *
   * @param {{ room: unknown; members: unknown; ops: unknown; voiced?: unknown;
   *   topic?: { text?: unknown } }} state
   */
  #enter(state) {
    const room = cleanText(String(state.room));
    const members = _names(state.members);
    const topic = state.topic?.text === undefined
      ? ""
      : cleanText(String(state.topic.text));
    const before = this.#before.get(room);
    this.#rooms.set(room, {
      members,
      ops: _names(state.ops),
      voiced: _names(state.voiced ?? []),
      topic,
      unread: before?.unread ?? 0,
      mentions: before?.mentions ?? 0,
    });
    // A room rejoined after a reconnect does not take the view.
    if (this.#rejoining.has(room)) {
      if (room === this.#room) this.#setMembers(members);
      return;
    }
    this.#setRoom(room);
  }

  /** @param {string | null} room */
  #setRoom(room) {
    this.#room = room;
    const known = room === null ? undefined : this.#rooms.get(room);
    if (known !== undefined) known.unread = known.mentions = 0;
    this.#setMembers(known?.members ?? []);
  }

  /** @param {readonly string[]} names */
  #setMembers(names) {
    this.#members = [...new Set(names)].sort(compareNames);
    this.#membersVersion++;
    // Who is online holds a colour, so that those who come later pick
    // another one where they can.
    for (const name of this.#members) this.#colorOf(name);
  }

  /**
   * The colour of a name: the one it had, else its own slot if no one
   * online holds it, else the free slot {@linkcode pickColor} finds.
   *
   * @param {string} name
   * @returns {number}
   */
  #colorOf(name) {
    const key = nameKey(name);
    const known = this.#colors.get(key);
    if (known !== undefined) return known;
    /** @type {Set<number>} */
    const taken = new Set();
    for (const member of this.#members) {
      const slot = this.#colors.get(nameKey(member));
      if (slot !== undefined && nameKey(member) !== key) taken.add(slot);
    }
    const slot = pickColor(nameColorIndex(name), taken);
    this.#colors.set(key, slot);
    return slot;
  }

  /**
   * @param {ServerMessage} message
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #onMessage(message, now) {
    const text = this.#text;
    switch (message.type) {
      case "welcome":
        return this.#welcome(message, now);
      case "name_error":
        this.#nameError = cleanText(String(message.text));
        this.#phase = "naming";
        return [{ kind: "timer", ms: null }];
      case "message":
        return this.#chat(message, false);
      case "private":
        return this.#private(message);
      case "joined": {
        const room = cleanText(String(message.room));
        const rejoin = this.#rejoining.has(room);
        this.#enter(message);
        this.#rejoining.delete(room);
        if (rejoin) {
          // Back in a room after a reconnect: only what was missed.
          const seen = this.#seen.get(room) ?? 0;
          return _lines(message.history)
            .filter((line) => line.time > seen && line.from !== this.#me)
            .flatMap((line) => this.#chat({ ...line, room }, true));
        }
        return [
          ...this.#replay(room, _lines(message.history), now),
          this.#notice(text.nowIn, { room }, now, room),
          ...this.#topicOf(message, now),
        ];
      }
      case "parted": {
        const room = cleanText(message.room);
        this.#rooms.delete(room);
        this.#history.left(room);
        return [this.#notice(text.youParted, { room }, now)];
      }
      case "current": {
        const room = message.room === null ? null : cleanText(message.room);
        if (this.#returnTo !== null && room === this.#returnTo) {
          // The end of a rejoin: back where you were, quietly; a room not
          // rejoined by now refused (a new key, a ban) and said why.
          this.#returnTo = null;
          this.#rejoining.clear();
          this.#setRoom(room);
          return [];
        }
        // Your own switch, already shown.
        if (room === this.#room) return [];
        this.#setRoom(room);
        return [
          room === null
            ? this.#show("notice", text.nowInNone, now)
            : this.#notice(text.nowIn, { room }, now),
        ];
      }
      case "join": {
        this.#noteTime(message.time);
        const room = cleanText(message.room);
        // A crowd's joins come together: `others` joined with `name`.
        const others = Array.isArray(message.others) ? message.others : [];
        const all = [message.name, ...others].map((name) =>
          cleanText(String(name))
        );
        this.#update(room, (known) => {
          for (const name of all) {
            if (!known.members.includes(name)) known.members.push(name);
          }
          if (message.op) known.ops.push(all[0] ?? "");
          if (message.voice) known.voiced.push(all[0] ?? "");
        });
        if (all.length > 3) {
          const names = all.slice(0, 2).join(", ");
          const count = String(all.length - 2);
          return [
            message.arrived
              ? this.#notice(
                text.joinedMany,
                { names, count },
                message.time,
                room,
              )
              : this.#notice(
                text.joinedRoomMany,
                { names, count, room },
                message.time,
                room,
              ),
          ];
        }
        const name = all.join(", ");
        return [
          message.arrived
            ? this.#notice(text.joined, { name }, message.time, room)
            : this.#notice(text.joinedRoom, { name, room }, message.time, room),
        ];
      }
      case "part": {
        this.#noteTime(message.time);
        const name = cleanText(message.name);
        const room = cleanText(message.room);
        this.#update(room, (known) => _without(known, name));
        const reason = message.reason ? cleanText(message.reason) : "";
        return [
          this.#notice(
            reason ? text.partedRoomReason : text.partedRoom,
            { name, room, reason },
            message.time,
            room,
          ),
        ];
      }
      case "kick": {
        this.#noteTime(message.time);
        const name = cleanText(message.name);
        const room = cleanText(message.room);
        const by = cleanText(message.by);
        const reason = message.reason ? cleanText(message.reason) : "";
        // Kicked yourself: said where you look, the room being gone.
        if (name === this.#me) {
          this.#rooms.delete(room);
          this.#history.left(room);
        } else this.#update(room, (known) => _without(known, name));
        return [
          this.#notice(
            reason ? text.kickedReason : text.kicked,
            { name, room, by, reason },
            message.time,
            room,
          ),
        ];
      }
      case "mode": {
        this.#noteTime(message.time);
        const room = cleanText(message.room);
        const target = cleanText(message.target ?? "");
        if (message.change === "+o" || message.change === "-o") {
          const on = message.change === "+o";
          this.#update(room, (known) => {
            known.ops = known.ops.filter((op) => op !== target);
            if (on) known.ops.push(target);
          });
        }
        if (message.change === "+v" || message.change === "-v") {
          const on = message.change === "+v";
          this.#update(room, (known) => {
            known.voiced = known.voiced.filter((name) => name !== target);
            if (on) known.voiced.push(target);
          });
        }
        const template = text.mode[message.change] ?? "";
        return [
          this.#notice(
            template,
            { by: cleanText(message.by), room, target },
            message.time,
            room,
          ),
        ];
      }
      case "topic": {
        const room = cleanText(message.room);
        const values = {
          room,
          by: cleanText(message.by),
          text: cleanText(message.text),
        };
        if (message.asked) {
          return [this.#notice(text.topicIs, values, now, room)];
        }
        this.#noteTime(message.time);
        this.#update(room, (known) => known.topic = values.text);
        return [
          this.#notice(
            values.text === "" ? text.topicCleared : text.topicChanged,
            values,
            message.time,
            room,
          ),
        ];
      }
      case "rooms": {
        const rooms = (Array.isArray(message.rooms) ? message.rooms : []).map(
          (room) => `${cleanText(String(room.room))} (${Number(room.members)})`,
        );
        return [
          this.#notice(
            text.web.roomList,
            { count: String(Number(message.total)), rooms },
            now,
          ),
        ];
      }
      case "leave": {
        this.#noteTime(message.time);
        const name = cleanText(message.name);
        for (const [room, known] of this.#rooms) {
          this.#update(room, () => _without(known, name));
        }
        const detail = message.detail ? cleanText(message.detail) : "";
        const template = detail
          ? text.leftDetail[message.reason]
          : text.left[message.reason];
        return [
          this.#notice(
            template ?? text.left.closed,
            { name, detail },
            message.time,
          ),
        ];
      }
      case "rename": {
        this.#noteTime(message.time);
        const from = cleanText(message.from);
        const to = cleanText(message.to);
        if (from === this.#me) this.#me = to;
        const renamed = (/** @type {string} */ name) =>
          name === from ? to : name;
        for (const [room, known] of this.#rooms) {
          this.#update(room, () => {
            known.members = known.members.map(renamed);
            known.ops = known.ops.map(renamed);
            known.voiced = known.voiced.map(renamed);
          });
        }
        return [this.#notice(text.renamed, { from, to }, message.time)];
      }
      case "members": {
        const room = cleanText(message.room);
        this.#update(room, (known) => {
          known.members = _names(message.names);
          known.ops = _names(message.ops);
          known.voiced = _names(message.voiced ?? []);
        });
        const names = [...new Set(_names(message.names))].sort(compareNames);
        const count = String(names.length);
        return [this.#notice(text.web.online, { count, names }, now, room)];
      }
      case "info": {
        const info = cleanText(String(message.text), true);
        const items = message.code === "help" ? parseHelp(info) : [];
        if (items.length === 0) return [this.#show("info", info, now)];
        const heading = info.split("\n")[0] ?? "";
        const web = this.#text.web;
        const keys = PAGE_SHORTCUTS.map((key) => ({
          usage: key.keys,
          text: web[key.text],
        }));
        return [{
          kind: "show",
          entry: {
            kind: "help",
            text: heading,
            time: now,
            items,
            keysHeading: web.shortcutsHeading,
            keys,
          },
        }];
      }
      case "error": {
        if (message.code === "slow_down" && this.#pacer !== null) {
          // Refused all the same (a server with a stricter clock): wait a
          // whole line's time before the next one.
          const pacer = this.#pacer;
          pacer.due = Math.max(pacer.due, now + pacer.every + pacer.slack);
        }
        const why = cleanText(String(message.text));
        // A refused search says why with its results.
        if (this.#history.refused(why)) return [];
        return [this.#show("error", why, now)];
      }
      case "bye":
        if (message.reason === "quit") this.#leaving = true;
        if (message.reason === "password") {
          // Shown next to the name field, where the password is typed.
          this.#passwordRefused = true;
          this.#nameError = cleanText(String(message.text));
        }
        return [this.#show("notice", cleanText(String(message.text)), now)];
      case "ping":
        return [{ kind: "send", message: { type: "pong", id: message.id } }];
      case "pong":
        return [];
      case "challenge":
        return [{ kind: "prove", nonce: String(message.nonce) }];
      case "catch_up":
        return this.#catchUp(message, now);
      // Older lines, above a room's; results of the search.
      case "history":
      case "search":
        return this.#historyAnswer(message);
      default:
        // Answers only IRC asks for: the server never sends them here.
        return [];
    }
  }

  /**
   * @param {Extract<ServerMessage, { type: "welcome" }>} message
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #welcome(message, now) {
    const rejoin = this.#joinedOnce;
    this.#me = cleanText(String(message.name));
    this.#pending = this.#me;
    this.#phase = "chat";
    this.#nameError = "";
    this.#attempt = 0;
    this.#joinedOnce = true;
    this.#pacer = _pacer(message.limits, now);
    // A welcome places you in the server's default room only; after a
    // reconnect the page rejoins the others, and returns to the one in view.
    const returnTo = this.#room;
    this.#before = new Map(this.#rooms);
    this.#rooms.clear();
    this.#room = null;
    this.#rejoining.clear();
    this.#returnTo = null;
    if (typeof message.room === "string") this.#enter(message);
    else this.#setMembers([]);
    /** @type {WebEffect[]} */
    const rejoins = [];
    if (rejoin) {
      for (const room of this.#before.keys()) {
        if (this.#rooms.has(room)) continue;
        this.#rejoining.add(room);
        /** @type {ClientMessage} */
        const join = { type: "join", room };
        const key = this.#keys.get(room);
        if (key !== undefined) join.key = key;
        rejoins.push(...this.#request(join, now, true));
      }
      const back = returnTo !== null && this.#before.has(returnTo)
        ? returnTo
        : this.#room;
      if (back !== null && this.#rejoining.size > 0) {
        this.#returnTo = back;
        // The view stays where it was while the rooms come back.
        this.#room = back;
        this.#setMembers(this.#before.get(back)?.members ?? []);
        rejoins.push(
          ...this.#request({ type: "switch", room: back }, now, true),
        );
      }
    }
    const web = this.#text.web;
    if (!rejoin) {
      const room = typeof message.room === "string"
        ? cleanText(message.room)
        : null;
      return [
        { kind: "timer", ms: null },
        ...this.#replay(room, _lines(message.history), now),
        this.#notice(web.welcome, { name: this.#me }, now),
        ...this.#topicOf(message, now),
      ];
    }
    /** @type {WebEffect[]} */
    const effects = [
      { kind: "timer", ms: null },
      this.#show("notice", web.reconnected, now),
    ];
    // On a rejoin, show only what was said while the page was away: lines
    // newer than the last one seen, and not your own (shown as you sent them).
    const history = _lines(message.history).filter((line) =>
      line.time > this.#lastServerTime && line.from !== this.#me
    );
    if (history.length > 0) {
      effects.push(
        this.#show(
          "notice",
          fill(web.historyHeader, { count: String(history.length) }),
          now,
        ),
      );
      const room = typeof message.room === "string"
        ? { room: message.room }
        : {};
      for (const line of history) {
        effects.push(...this.#chat({ ...line, ...room }, true));
      }
    }
    return [...effects, ...this.#topicOf(message, now), ...rejoins];
  }

  /**
   * The lines a room replays when you join it, set apart from what is said
   * from then on by a divider; older ones can then be asked for.
   *
   * @param {string | null} room The room joined (`null`: none).
   * @param {ChatLine[]} lines Its replay, oldest first.
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #replay(room, lines, now) {
    if (room !== null) this.#history.joined(room, lines);
    if (lines.length === 0) return [];
    const effects = lines.flatMap((line) =>
      this.#chat(room === null ? line : { ...line, room }, true)
    );
    const web = this.#text.web;
    const text = `${web.earlierMessages} / ${web.sinceYouJoined}`;
    /** @type {WebEntry} */
    const entry = { kind: "divider", text, time: now };
    effects.push(
      room === null ? { kind: "show", entry } : { kind: "show", entry, room },
    );
    return effects;
  }

  /**
   * An answer to the page's `history` or `search` request: older lines to
   * put above a room's, or results of the search.
   *
   * @param {Extract<ServerMessage, { type: "history" | "search" }>} answer
   * @returns {WebEffect[]}
   */
  #historyAnswer(answer) {
    const room = typeof answer.room === "string" ? cleanText(answer.room) : "";
    const lines = _lines(answer.lines);
    const more = answer.more === true;
    if (answer.type === "search") {
      const results = lines.map((line) => this.#entry(line, true));
      this.#history.found(
        room,
        typeof answer.words === "string" ? answer.words : "",
        results,
        more,
      );
      return [];
    }
    const older = this.#history.answered(room, lines, more);
    if (older === null) return [];
    const entries = older.map((line) => this.#entry(line, true));
    return [{ kind: "older", room, entries }];
  }

  /**
   * The topic of a room you joined, if it has one.
   *
   * @param {{ room: string | null; topic?: { text: string; by: string } }} state
   * @param {number} now
   * @returns {WebEffect[]}
   */
  #topicOf(state, now) {
    const topic = state.topic;
    if (state.room === null || topic === undefined) return [];
    const room = cleanText(String(state.room));
    return [
      this.#notice(
        this.#text.topicIs,
        {
          room,
          text: cleanText(String(topic.text)),
          by: cleanText(String(topic.by)),
        },
        now,
        room,
      ),
    ];
  }

  /**
   * @param {ChatLine & { room?: string }} line A line of a room (of the
   *   current one when it names none).
   * @param {boolean} history
   * @returns {WebEffect[]}
   */
  #chat(line, history) {
    this.#noteTime(line.time);
    const entry = this.#entry(line, history);
    const { own, mention } = entry;
    const room = line.room === undefined
      ? this.#room
      : cleanText(String(line.room));
    const known = room === null ? undefined : this.#rooms.get(room);
    /** @type {WebEffect[]} */
    const effects = [];
    if (room === null || known === undefined) {
      // Not one of your rooms (never expected): shown here, tagged.
      if (room !== null && room !== this.#room) entry.room = room;
      effects.push({ kind: "show", entry });
    } else {
      effects.push({ kind: "show", entry, room });
      if (typeof line.time === "number") {
        this.#seen.set(room, Math.max(this.#seen.get(room) ?? 0, line.time));
      }
      if (room !== this.#room && !own && !history) {
        known.unread++;
        if (mention) known.mentions++;
      }
    }
    if (mention) effects.push({ kind: "alert" });
    return effects;
  }

  /**
   * A line of a room as the page shows it.
   *
   * @param {ChatLine} line
   * @param {boolean} history From the room's history (no mention, no alert).
   * @returns {Extract<WebEntry, { kind: "chat" }>}
   */
  #entry(line, history) {
    const from = cleanText(String(line.from));
    const text = cleanText(String(line.text));
    const own = from === this.#me;
    const id = line.id;
    return {
      kind: "chat",
      id: 0,
      line: typeof id === "number" && Number.isSafeInteger(id) && id > 0
        ? id
        : 0,
      from,
      text,
      time: Number(line.time),
      action: line.action === true,
      own,
      mention: !own && !history && mentions(text, this.#me),
      history,
      pending: false,
      color: this.#colorOf(from),
    };
  }

  /**
   * @param {Extract<ServerMessage, { type: "private" }>} message
   * @returns {WebEffect[]}
   */
  #private(message) {
    this.#noteTime(message.time);
    const from = cleanText(message.from);
    const to = cleanText(message.to);
    const own = from === this.#me;
    const who = own ? to : from;
    const template = own ? this.#text.privateTo : this.#text.privateFrom;
    const labelParts = fillParts(template, { name: who });
    /** @type {WebEffect[]} */
    const effects = [{
      kind: "show",
      entry: {
        kind: "private",
        label: labelParts.map((part) => part.text).join(""),
        labelParts,
        who,
        // A private /me: `* ana waves`.
        text: message.action
          ? `* ${from} ${cleanText(message.text)}`
          : cleanText(message.text),
        time: message.time,
        own,
        color: this.#colorOf(who),
      },
    }];
    if (!own) effects.push({ kind: "alert" });
    return effects;
  }

  /** @param {number} time */
  #noteTime(time) {
    if (typeof time === "number" && time > this.#lastServerTime) {
      this.#lastServerTime = time;
    }
  }
}

/**
 * Decodes a frame from the server. Like `decodeServerMessage` in
 * `protocol.ts`, only the shape of the envelope is checked; every text is
 * cleaned again before it is shown, and only ever shown as text.
 *
 * @param {string} data The frame's text, one JSON object (a trailing line
 *   break is allowed).
 * @returns {ServerMessage | null} The message, or `null` when the frame is
 *   not a JSON object with a string `type`.
 */
export function parseServerMessage(data) {
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (
    typeof value !== "object" || value === null || Array.isArray(value) ||
    !("type" in value) || typeof value.type !== "string"
  ) return null;
  return /** @type {ServerMessage} */ (value);
}

/**
 * Fills `{placeholders}` in a template. The values are inserted once, never
 * read as templates themselves.
 *
 * @param {string} template Text with `{name}`-style placeholders.
 * @param {Readonly<Record<string, unknown>>} values The values by name.
 * @returns {string} The text; unknown placeholders stay as they are.
 */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => {
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    return value === undefined ? whole : String(value);
  });
}

/**
 * Picks the page's language from the browser's: Portuguese for any `pt`
 * locale (`pt-BR`, `pt`), English otherwise.
 *
 * @param {string | undefined} locale Such as `navigator.language`.
 * @returns {Lang}
 */
export function langFromNavigator(locale) {
  return locale && /^pt([_-]|$)/i.test(locale) ? "pt" : "en";
}

/**
 * How long to wait before reconnection attempt `attempt` (1, 2, ...):
 * about 1 s, doubling each time up to 30 s, with ±20 % jitter so that a
 * room full of pages does not come back at the same instant.
 *
 * @param {number} attempt The attempt, from 1.
 * @param {number} random A random number in [0, 1).
 * @returns {number} Milliseconds.
 */
export function reconnectDelay(attempt, random) {
  const base = Math.min(MAX_RECONNECT_MS, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

/**
 * Fills `{placeholders}` like {@linkcode fill}, as parts: each value filled
 * in is a part of its own, marked to be isolated; a list of values (names)
 * becomes one isolated part per item, joined by `, `.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fillParts } from "./web_client_state.js";
 *
 * assertEquals(fillParts("{name} joined", { name: "محمد" }), [
 *   { text: "محمد", isolate: true },
 *   { text: " joined", isolate: false },
 * ]);
 * ```
 *
 * @param {string} template Text with `{name}`-style placeholders.
 * @param {Readonly<Record<string, string | readonly string[]>>} values
 *   The values by name.
 * @returns {TextPart[]} The parts, in order; unknown placeholders stay in
 *   the text around them.
 */
export function fillParts(template, values) {
  /** @type {TextPart[]} */
  const parts = [];
  const plain = (/** @type {string} */ text) => {
    const last = parts.at(-1);
    if (last !== undefined && !last.isolate) last.text += text;
    else if (text !== "") parts.push({ text, isolate: false });
  };
  let at = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const key = /** @type {string} */ (match[1]);
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    if (value === undefined) continue;
    plain(template.slice(at, match.index));
    at = match.index + match[0].length;
    const items = typeof value === "string" ? [value] : value;
    items.forEach((item, i) => {
      if (i > 0) plain(", ");
      if (item !== "") parts.push({ text: item, isolate: true });
    });
  }
  plain(template.slice(at));
  return parts;
}

/**
 * The size of a message as the server counts it against its line limit:
 * the UTF-8 bytes of its JSON frame.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { frameBytes } from "./web_client_state.js";
 *
 * assertEquals(frameBytes({ type: "input", text: "é" }), 28);
 * ```
 *
 * @param {ClientMessage} message A message to the server.
 * @returns {number} Bytes.
 */
export function frameBytes(message) {
  return _encoder.encode(JSON.stringify(message)).length;
}

const _encoder = new TextEncoder();

/**
 * Reads the server's `/help` text (a heading, then one line per command:
 * `  /usage   what it does`, columns aligned with spaces) as a list, so the
 * page can show it without relying on the spaces lining up.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseHelp } from "./web_client_state.js";
 *
 * assertEquals(parseHelp("Commands:\n  /who       who is online"), [
 *   { usage: "/who", text: "who is online" },
 * ]);
 * ```
 *
 * @param {string} text The help text.
 * @returns {HelpItem[]} One item per command line (an item without two
 *   spaces in it is all usage); none when no line starts with spaces and
 *   `/`.
 */
export function parseHelp(text) {
  /** @type {HelpItem[]} */
  const items = [];
  for (const line of text.split("\n")) {
    const match = /^\s+(\/\S.*?)(?:\s{2,}(\S.*))?\s*$/.exec(line);
    if (match) items.push({ usage: match[1] ?? "", text: match[2] ?? "" });
  }
  return items;
}

/**
 * The preferred colour of a name, 0–15: FNV-1a over the case-folded name,
 * the same hash as `nameColorIndex` in `render.ts` (whose 8 terminal
 * colours are this slot modulo 8).
 *
 * @param {string} name A name.
 * @returns {number} A slot of the page's palette.
 */
export function nameColorIndex(name) {
  let hash = 0x811c9dc5;
  for (const unit of nameKey(name)) {
    hash ^= /** @type {number} */ (unit.codePointAt(0));
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % NAME_COLORS;
}

/**
 * Order in which {@linkcode pickColor} tries slots after the preferred
 * one: first the opposite hue, then halfway between, and so on.
 */
const _PROBE = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

/**
 * Picks a colour slot for a newcomer: its preferred slot, unless someone
 * online holds that one or a neighbouring hue; then the slot farthest from
 * every hue held (the first such in an order that tries the opposite hue
 * first). With every slot taken, the preferred one.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { pickColor } from "./web_client_state.js";
 *
 * assertEquals(pickColor(3, new Set()), 3);
 * assertEquals(pickColor(3, new Set([5])), 3);
 * assertEquals(pickColor(3, new Set([3])), 11);
 * assertEquals(pickColor(3, new Set([4])), 12);
 * ```
 *
 * @param {number} preferred The name's own slot ({@linkcode nameColorIndex}).
 * @param {ReadonlySet<number>} taken Slots held by others online.
 * @returns {number} A slot, 0–15.
 */
export function pickColor(preferred, taken) {
  const apart = (/** @type {number} */ slot) => {
    let nearest = Infinity;
    for (const held of taken) {
      const steps = Math.abs(slot - held) % NAME_COLORS;
      nearest = Math.min(nearest, steps, NAME_COLORS - steps);
    }
    return nearest;
  };
  let best = preferred;
  let farthest = apart(preferred);
  if (farthest >= 2) return preferred;
  for (const step of _PROBE) {
    const slot = (preferred + step) % NAME_COLORS;
    const distance = apart(slot);
    if (distance > farthest) [best, farthest] = [slot, distance];
  }
  return best;
}

/**
 * The hue of a colour slot, in degrees: the slots are evenly spaced around
 * the OKLCH hue circle, and the style sheet gives every name the same
 * lightness and chroma (one pair per theme), so they differ by hue alone
 * and keep the same contrast.
 *
 * @param {number} slot A slot, 0–15.
 * @returns {number} Degrees, 0–360.
 */
export function nameHue(slot) {
  return (FIRST_NAME_HUE + (slot * 360) / NAME_COLORS) % 360;
}

/**
 * The key under which names are equal (as `nameKey` in `name_rules.ts`).
 *
 * @param {string} name A name.
 * @returns {string} The case-folded, NFKC-normalised name.
 */
export function nameKey(name) {
  return name.normalize("NFKC").toLowerCase().toUpperCase().toLowerCase();
}

/**
 * Tells whether a text mentions a name as a whole word, ignoring case (as
 * `mentions` in `render.ts`): `ana` is in `hi Ana!`, not in `banana`.
 *
 * @param {string} text A message text.
 * @param {string} name A name.
 * @returns {boolean}
 */
export function mentions(text, name) {
  if (name === "") return false;
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(
    `(?<![\\p{L}\\p{M}\\p{Nd}_])${escaped}(?![\\p{L}\\p{M}\\p{Nd}_])`,
    "iu",
  ).test(text);
}

/**
 * Removes control characters (and, unless `multiline`, line breaks) from
 * text before it is shown. The server has sanitised it already; this is
 * the page's second line of defence, as the terminal client has its own.
 * The result is still only ever inserted as text.
 *
 * @param {string} text Any text.
 * @param {boolean} [multiline] Keep `\n` (help texts).
 * @returns {string}
 */
export function cleanText(text, multiline = false) {
  const cleaned = text.replaceAll("\t", " ").replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    "",
  );
  return multiline ? cleaned : cleaned.replaceAll("\n", " ");
}

/**
 * Finds the web addresses in a text, as parts to show: plain text, and
 * links (`http:` and `https:` only, as written; punctuation that ends a
 * sentence, or a bracket the address did not open, stays outside).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { linkify } from "./web_client_state.js";
 *
 * assertEquals(linkify("see https://deno.com."), [
 *   { text: "see " },
 *   { text: "https://deno.com", href: "https://deno.com/" },
 *   { text: "." },
 * ]);
 * ```
 *
 * @param {string} text A message.
 * @returns {({ text: string } | { text: string; href: string })[]} The
 *   parts, in order; together they are the text.
 */
export function linkify(text) {
  /** @type {({ text: string } | { text: string; href: string })[]} */
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"]+/giu)) {
    const url = _trimUrl(match[0]);
    const href = _safeHref(url);
    if (href === null) continue;
    if (match.index > at) parts.push({ text: text.slice(at, match.index) });
    parts.push({ text: url, href });
    at = match.index + url.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/**
 * @param {string} url
 * @returns {string}
 */
function _trimUrl(url) {
  const pairs = /** @type {Record<string, string>} */ ({
    ")": "(",
    "]": "[",
    "}": "{",
  });
  while (url.length > 0) {
    const last = url.at(-1) ?? "";
    const open = pairs[last];
    const unopened = open !== undefined &&
      url.split(open).length <= url.split(last).length - 1;
    if (!unopened && !".,;:!?'*".includes(last)) break;
    url = url.slice(0, -1);
  }
  return url;
}

/**
 * @param {string} url
 * @returns {string | null}
 */
function _safeHref(url) {
  try {
    const parsed = new URL(url);
    const web = parsed.protocol === "http:" || parsed.protocol === "https:";
    return web && parsed.hostname !== "" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * The local calendar day of a time, as `YYYY-MM-DD`: where two neighbouring
 * lines differ, the page shows the date between them.
 *
 * @param {number} time Milliseconds since the epoch.
 * @returns {string} The day in the browser's time zone.
 */
export function dayKey(time) {
  const date = new Date(time);
  const p = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}

/**
 * What Tab completes from: who is online, your name, the command names.
 *
 * @typedef {object} CompletionOptions
 * @property {readonly string[]} names Names online.
 * @property {string} me Your name, never offered.
 * @property {readonly string[]} commands Command names without `/`.
 */

/**
 * Completions for the text before the cursor: command names after a
 * leading `/`, else names for the word being typed (after `/msg` and its
 * aliases, or anywhere). Names match ignoring case and accents (`joao`
 * finds `João`); a name completed at the start of the line gets `: `, any
 * other completion a space.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { completions } from "./web_client_state.js";
 *
 * const options = { names: ["ana", "João"], me: "ana", commands: ["who"] };
 * assertEquals(completions("jo", options), { start: 0, candidates: ["João: "] });
 * assertEquals(completions("/w", options), { start: 0, candidates: ["/who "] });
 * ```
 *
 * @param {string} before The text before the cursor.
 * @param {CompletionOptions} options What can be completed.
 * @returns {{ start: number; candidates: string[] }} Where the completed
 *   word starts in `before`, and its replacements (none: nothing to do).
 */
export function completions(before, options) {
  const command = /^\/(\S*)$/.exec(before);
  if (command) {
    const typed = (command[1] ?? "").toLowerCase();
    const found = options.commands
      .filter((name) => name.toLowerCase().startsWith(typed))
      .map((name) => `/${name} `);
    return { start: 0, candidates: [...new Set(found)] };
  }
  const word = /\S*$/.exec(before)?.[0] ?? "";
  const start = before.length - word.length;
  if (word === "") return { start, candidates: [] };
  const typed = foldName(word);
  const me = foldName(options.me);
  const end = start === 0 ? ": " : " ";
  const found = options.names
    .filter((name) => foldName(name) !== me)
    .filter((name) => foldName(name).startsWith(typed))
    .sort(compareNames)
    .map((name) => name + end);
  return { start, candidates: [...new Set(found)] };
}

/**
 * A Tab completion in progress: the field's value and cursor after it, and
 * what to cycle through on the next Tab.
 *
 * @typedef {{ value: string; cursor: number; head: string; tail: string;
 *   candidates: string[]; index: number }} TabCompletion
 */

/**
 * What Tab does in the message field: completes the word before the
 * cursor, or, pressed again right after, moves on to the next candidate.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { tabComplete } from "./web_client_state.js";
 *
 * const options = { names: ["bob", "bobby"], me: "", commands: [] };
 * const first = tabComplete("hi bo", 5, options, null);
 * assertEquals(first?.value, "hi bob ");
 * assertEquals(tabComplete(first!.value, first!.cursor, options, first)?.value, "hi bobby ");
 * ```
 *
 * @param {string} value The field's text.
 * @param {number} cursor The cursor's place in it.
 * @param {CompletionOptions} options What can be completed.
 * @param {TabCompletion | null} previous The last completion, if Tab was
 *   the last key.
 * @returns {TabCompletion | null} The new value and cursor, or `null` when
 *   there is nothing to complete (Tab then moves the focus, as usual).
 */
export function tabComplete(value, cursor, options, previous) {
  let next;
  if (
    previous !== null && previous.value === value &&
    previous.cursor === cursor && previous.candidates.length > 1
  ) {
    next = {
      ...previous,
      index: (previous.index + 1) % previous.candidates.length,
    };
  } else {
    const before = value.slice(0, cursor);
    const { start, candidates } = completions(before, options);
    if (candidates.length === 0) return null;
    next = {
      value,
      cursor,
      head: before.slice(0, start),
      tail: value.slice(cursor),
      candidates,
      index: 0,
    };
  }
  const chosen = next.candidates[next.index] ?? "";
  next.value = next.head + chosen + next.tail;
  next.cursor = next.head.length + chosen.length;
  return next;
}

/**
 * A name as Tab completion compares it: case-folded, without accents.
 *
 * @param {string} name A name.
 * @returns {string} Its key.
 */
export function foldName(name) {
  return nameKey(name).normalize("NFD").replace(/\p{M}+/gu, "");
}

/**
 * Orders names for the member list: ignoring case, then as written.
 *
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function compareNames(a, b) {
  const ka = nameKey(a);
  const kb = nameKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether a line is `/quit` or one of its aliases.
 *
 * @param {string} line
 * @returns {boolean}
 */
function _isQuit(line) {
  const word = /^\/(\S+)/.exec(line)?.[1]?.toLowerCase() ?? "";
  return ["quit", "exit", "sair", "leave"].includes(word);
}

/**
 * The page's pacing for the server's flood limit (see
 * {@linkcode PACE_SHARE}), or `null` when the server has none.
 *
 * @param {unknown} limits `welcome.limits`.
 * @param {number} now
 * @returns {Pacer | null}
 */
function _pacer(limits, now) {
  if (typeof limits !== "object" || limits === null) return null;
  const { rate, burst } = /** @type {{ rate?: unknown; burst?: unknown }} */ (
    limits
  );
  if (typeof rate !== "number" || typeof burst !== "number") return null;
  if (!(rate > 0) || !(burst >= 1)) return null;
  const every = 1000 / (rate * PACE_SHARE.rate);
  const lines = Math.max(1, Math.floor(burst * PACE_SHARE.burst));
  return { every, slack: (lines - 1) * every, due: now };
}

/**
 * @param {unknown} value
 * @returns {string[]}
 */
function _names(value) {
  if (!Array.isArray(value)) return [];
  return value.filter((name) => typeof name === "string").map((name) =>
    cleanText(name)
  );
}

/**
 * The history lines of a join, those that are objects.
 *
 * @param {unknown} value
 * @returns {ChatLine[]}
 */
function _lines(value) {
  if (!Array.isArray(value)) return [];
  // A line whose sender or text is not text is not a line: String() of
  // an arbitrary JSON value can throw (`[{"toString":""}]`).
  return value.filter((line) =>
    typeof line === "object" && line !== null &&
    typeof line.from === "string" && typeof line.text === "string"
  );
}

/**
 * Takes a name out of a room's members and operators.
 *
 * @param {PageRoom} room
 * @param {string} name
 */
function _without(room, name) {
  room.members = room.members.filter((member) => member !== name);
  room.ops = room.ops.filter((op) => op !== name);
  room.voiced = room.voiced.filter((voiced) => voiced !== name);
}
