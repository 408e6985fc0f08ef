// @ts-check
/**
 * The browser client as a pure state machine, like `src/client_state.ts`
 * for the terminal: events in (a name or line typed, the socket opening,
 * a frame from the server, the socket closing, the reconnect timer, a
 * clock tick), effects out (connect, send, show an entry, arm the timer,
 * alert). `app.js` drives it with the real page and WebSocket; tests drive
 * it directly in Deno.
 *
 * It is JavaScript, not TypeScript, because the browser runs it exactly as
 * written (there is no build step); `// @ts-check` and the JSDoc types make
 * `deno check` verify it against the protocol types `chat join` uses.
 *
 * @module
 */

/** @import { ChatLine, ClientMessage, Lang, ServerMessage } from "../protocol/messages.ts" */
/** @import { PageText } from "./web_assets.ts" */

/** Version of the native dialect this page speaks (`PROTOCOL_VERSION`). */
export const WEB_PROTOCOL_VERSION = 1;

/** Milliseconds of silence after which the page pings the server. */
export const PING_AFTER_MS = 25_000;

/** Milliseconds of silence after which the page gives the connection up. */
export const DEAD_AFTER_MS = 60_000;

/** Longest wait between two reconnection attempts. */
export const MAX_RECONNECT_MS = 30_000;

/**
 * Where the page is: asking for a name, opening the connection, waiting
 * for the answer to `hello`, chatting, or waiting to reconnect.
 *
 * @typedef {"naming" | "connecting" | "joining" | "chat" | "waiting"} WebPhase
 */

/**
 * One line of the message list.
 *
 * @typedef {{ kind: "chat"; from: string; text: string; time: number;
 *     action: boolean; own: boolean; mention: boolean; history: boolean;
 *     color: number }
 *   | { kind: "private"; label: string; who: string; text: string;
 *     time: number; own: boolean; color: number }
 *   | { kind: "notice" | "error" | "info"; text: string; time: number }
 * } WebEntry
 */

/**
 * Something the driver must do.
 *
 * - `connect`: open a new WebSocket (closing any other);
 * - `send`: send a message on the open WebSocket;
 * - `disconnect`: close the WebSocket without reporting it back;
 * - `show`: append an entry to the message list;
 * - `timer`: arm the one timer (replacing any other), or clear it (`null`);
 * - `alert`: something is for the user's attention (a mention, a private
 *   message): count it in the tab title while the tab is hidden;
 * - `clear_input`: the typed line was taken; empty the field.
 *
 * @typedef {{ kind: "connect" }
 *   | { kind: "send"; message: ClientMessage }
 *   | { kind: "disconnect" }
 *   | { kind: "show"; entry: WebEntry }
 *   | { kind: "timer"; ms: number | null }
 *   | { kind: "alert" }
 *   | { kind: "clear_input" }
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
  /** @type {string[]} */
  #members = [];
  #membersVersion = 0;
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

  /** @param {WebClientStateOptions} options */
  constructor(options) {
    this.#text = options.text;
    this.#lang = options.lang;
    this.#random = options.random ?? Math.random;
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

  /** @returns {number} Changes whenever {@linkcode members} changes. */
  get membersVersion() {
    return this.#membersVersion;
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
   * The user asks to join with a name.
   *
   * @param {string} typed The name as typed.
   * @returns {WebEffect[]}
   */
  submitName(typed) {
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
   * @param {string} line The line.
   * @param {number} now Current time in milliseconds.
   * @returns {WebEffect[]}
   */
  submitLine(line, now) {
    if (line.trim() === "") return [];
    if (this.#phase !== "chat") {
      return [this.#show("error", this.#text.web.notConnected, now)];
    }
    /** @type {WebEffect[]} */
    const effects = [
      { kind: "send", message: { type: "input", text: line } },
      { kind: "clear_input" },
    ];
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
      } else if (["quit", "exit", "sair", "leave"].includes(word)) {
        this.#leaving = true;
      }
    }
    if (own !== null) {
      const text = cleanText(own).trimEnd();
      if (text !== "") {
        effects.push({
          kind: "show",
          entry: {
            kind: "chat",
            from: this.#me,
            text,
            time: now,
            action,
            own: true,
            mention: false,
            history: false,
            color: nameColorIndex(this.#me),
          },
        });
      }
    }
    return effects;
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
    if (this.#leaving) {
      this.#leaving = false;
      this.#left = true;
      this.#phase = "naming";
      this.#setMembers([]);
      return [this.#show("notice", this.#text.web.youLeft, now)];
    }
    if (this.#phase === "naming" || this.#phase === "waiting") return [];
    /** @type {WebEffect[]} */
    const effects = [];
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

  /** @returns {WebEffect} */
  #hello() {
    return {
      kind: "send",
      message: {
        type: "hello",
        version: WEB_PROTOCOL_VERSION,
        name: this.#pending,
        lang: this.#lang,
      },
    };
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

  /** @param {readonly string[]} names */
  #setMembers(names) {
    this.#members = [...new Set(names)].sort(compareNames);
    this.#membersVersion++;
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
      case "join": {
        this.#noteTime(message.time);
        const name = cleanText(message.name);
        this.#setMembers([...this.#members, name]);
        return [
          this.#show("notice", fill(text.joined, { name }), message.time),
        ];
      }
      case "leave": {
        this.#noteTime(message.time);
        const name = cleanText(message.name);
        this.#setMembers(this.#members.filter((member) => member !== name));
        const detail = message.detail ? cleanText(message.detail) : "";
        const template = detail
          ? text.leftDetail[message.reason]
          : text.left[message.reason];
        return [
          this.#show(
            "notice",
            fill(template ?? text.left.closed, { name, detail }),
            message.time,
          ),
        ];
      }
      case "rename": {
        this.#noteTime(message.time);
        const from = cleanText(message.from);
        const to = cleanText(message.to);
        if (from === this.#me) this.#me = to;
        this.#setMembers(
          this.#members.map((member) => member === from ? to : member),
        );
        return [
          this.#show("notice", fill(text.renamed, { from, to }), message.time),
        ];
      }
      case "members": {
        this.#setMembers(_names(message.names));
        const names = this.#members.join(", ");
        const count = String(this.#members.length);
        return [
          this.#show("notice", fill(text.web.online, { count, names }), now),
        ];
      }
      case "info":
        return [this.#show("info", cleanText(String(message.text), true), now)];
      case "error":
        return [this.#show("error", cleanText(String(message.text)), now)];
      case "bye":
        if (message.reason === "quit") this.#leaving = true;
        return [this.#show("notice", cleanText(String(message.text)), now)];
      case "ping":
        return [{ kind: "send", message: { type: "pong", id: message.id } }];
      case "pong":
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
    this.#setMembers(_names(message.members));
    const web = this.#text.web;
    /** @type {WebEffect[]} */
    const effects = [
      { kind: "timer", ms: null },
      this.#show(
        "notice",
        rejoin ? web.reconnected : fill(web.welcome, { name: this.#me }),
        now,
      ),
    ];
    // On a rejoin, show only what was said while the page was away: lines
    // newer than the last one seen, and not your own (shown as you sent them).
    const history = (Array.isArray(message.history) ? message.history : [])
      .filter((line) =>
        !rejoin || (line.time > this.#lastServerTime && line.from !== this.#me)
      );
    if (history.length > 0) {
      effects.push(
        this.#show(
          "notice",
          fill(web.historyHeader, { count: String(history.length) }),
          now,
        ),
      );
      for (const line of history) effects.push(...this.#chat(line, true));
    }
    return effects;
  }

  /**
   * @param {ChatLine} line
   * @param {boolean} history
   * @returns {WebEffect[]}
   */
  #chat(line, history) {
    this.#noteTime(line.time);
    const from = cleanText(String(line.from));
    const text = cleanText(String(line.text));
    const own = from === this.#me;
    const mention = !own && !history && mentions(text, this.#me);
    /** @type {WebEffect[]} */
    const effects = [{
      kind: "show",
      entry: {
        kind: "chat",
        from,
        text,
        time: line.time,
        action: line.action === true,
        own,
        mention,
        history,
        color: nameColorIndex(from),
      },
    }];
    if (mention) effects.push({ kind: "alert" });
    return effects;
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
    /** @type {WebEffect[]} */
    const effects = [{
      kind: "show",
      entry: {
        kind: "private",
        label: fill(template, { name: who }),
        who,
        text: cleanText(message.text),
        time: message.time,
        own,
        color: nameColorIndex(who),
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
 * Picks the stable colour of a name, 0–7: the same function as
 * `nameColorIndex` in `render.ts` (FNV-1a over the case-folded name), so a
 * name has the same colour slot in the terminal and in the browser.
 *
 * @param {string} name A name.
 * @returns {number} An index into the page's palette.
 */
export function nameColorIndex(name) {
  let hash = 0x811c9dc5;
  for (const unit of nameKey(name)) {
    hash ^= /** @type {number} */ (unit.codePointAt(0));
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 8;
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
 * @param {unknown} value
 * @returns {string[]}
 */
function _names(value) {
  if (!Array.isArray(value)) return [];
  return value.filter((name) => typeof name === "string").map((name) =>
    cleanText(name)
  );
}
