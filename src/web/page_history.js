// @ts-check
/**
 * What the page knows of the stored history of its rooms, as a pure state
 * kept by {@linkcode WebClientState}: for each room whether older lines
 * can be asked for (scrollback), and the search in progress with its
 * results. It makes the native `history` and `search` requests and takes
 * their answers; the page draws from what it says.
 *
 * It is JavaScript checked with JSDoc, as `web_client_state.js` is: the
 * browser runs it as written.
 *
 * @module
 */

/** @import { ChatLine, ClientMessage } from "../protocol/messages.ts" */

/** Lines the page asks for at a time when it scrolls back. */
export const SCROLLBACK_LINES = 50;

/**
 * Where a room's scrollback is: older lines can be asked for (`more`),
 * are being asked for (`loading`), the room's first line is shown
 * (`start`), or the server keeps no ids to page by (`none`).
 *
 * @typedef {"more" | "loading" | "start" | "none"} Scrollback
 */

/**
 * A line a search found, as the page shows it: its stored id (`line`),
 * who said it (and their colour), what, when, and whether it was `/me`.
 *
 * @typedef {{ line: number; from: string; color: number; text: string;
 *   time: number; action: boolean }} SearchResult
 */

/**
 * A search of one room, and what it found so far: newest first, `more`
 * when older matches can be asked for; `error` when the server refused it.
 *
 * @typedef {{ room: string; words: string; lines: SearchResult[];
 *   more: boolean; loading: boolean; error: string }} PageSearch
 */

/**
 * A room's scrollback: whether older lines exist, the `before` id of the
 * request in flight (`null`: none), the oldest stored id the page got
 * (`Infinity`: none yet), and whether the server gives ids at all.
 *
 * @typedef {{ more: boolean; asked: number | null; oldest: number;
 *   ids: boolean }} _Room
 */

/**
 * The scrollback of the page's rooms and its search, between the page's
 * requests and the server's answers. It never sends anything itself: its
 * methods return the request to send (or `null`), and the state machine
 * sends it under the flood limit.
 */
export class PageHistory {
  /** @type {Map<string, _Room>} */
  #rooms = new Map();
  /** @type {PageSearch | null} */
  #search = null;
  #version = 0;

  /**
   * @returns {number} Changes whenever what is drawn from here changes
   *   (a room's scrollback, the search).
   */
  get version() {
    return this.#version;
  }

  /**
   * You joined a room and were sent its last lines (the replay): older
   * ones can be asked for when the replay has stored lines; an empty
   * replay is a room with nothing said yet.
   *
   * @param {string} room
   * @param {readonly ChatLine[]} replay The `history` of the join.
   */
  joined(room, replay) {
    const known = replay.map(_idOf).filter((id) => id !== null);
    const none = replay.length > 0 && known.length === 0;
    this.#rooms.set(room, {
      more: known.length > 0,
      asked: null,
      oldest: Math.min(...known),
      ids: !none,
    });
    this.#version++;
  }

  /**
   * What was said in a room since you left came after its replay (a
   * claimed name coming back, `catch_up`): when the replay held no stored
   * line, older ones can be asked for before the oldest of these.
   *
   * @param {string} room
   * @param {readonly ChatLine[]} lines The catch-up's lines.
   */
  caughtUp(room, lines) {
    const known = this.#rooms.get(room);
    const ids = lines.map(_idOf).filter((id) => id !== null);
    if (known === undefined || known.more || ids.length === 0) return;
    known.more = true;
    known.oldest = Math.min(...ids);
    known.ids = true;
    this.#version++;
  }

  /**
   * You left a room (or were kicked): its scrollback is forgotten.
   *
   * @param {string} room
   */
  left(room) {
    if (this.#rooms.delete(room)) this.#version++;
  }

  /**
   * The page dropped the oldest lines of a room's list (it keeps a
   * bounded number): they can be asked for again.
   *
   * @param {string} room
   */
  trimmed(room) {
    const known = this.#rooms.get(room);
    if (known === undefined || !known.ids || known.more) return;
    known.more = true;
    this.#version++;
  }

  /**
   * The connection dropped: no answer will come to what was asked.
   */
  lost() {
    for (const known of this.#rooms.values()) known.asked = null;
    if (this.#search !== null) this.#search.loading = false;
    this.#version++;
  }

  /**
   * @param {string | null} room
   * @returns {Scrollback} Where the room's scrollback is (`none` for a
   *   room the page is not in).
   */
  scrollback(room) {
    const known = room === null ? undefined : this.#rooms.get(room);
    if (known === undefined || !known.ids) return "none";
    if (known.asked !== null) return "loading";
    return known.more ? "more" : "start";
  }

  /**
   * The reader reached the top of a room's list: asks for the lines
   * before its oldest stored one, unless a request is in flight already or
   * there is nothing older.
   *
   * @param {string} room
   * @param {number} before The id of the oldest stored line shown.
   * @returns {ClientMessage | null} The `history` request to send.
   */
  older(room, before) {
    const known = this.#rooms.get(room);
    if (known === undefined || !known.more || known.asked !== null) return null;
    if (!Number.isSafeInteger(before) || before < 1) return null;
    known.asked = before;
    this.#version++;
    return { type: "history", room, before, limit: SCROLLBACK_LINES };
  }

  /**
   * The answer to `older()`, or to `/history` typed in the box: the lines
   * to put above the oldest shown, oldest first (any line not older than
   * it is left out).
   *
   * @param {string} room The answer's room.
   * @param {readonly ChatLine[]} lines Its lines.
   * @param {boolean} more Whether older lines exist.
   * @returns {ChatLine[] | null} The lines to insert, or `null` for a room
   *   the page is not in.
   */
  answered(room, lines, more) {
    const known = this.#rooms.get(room);
    if (known === undefined) return null;
    const before = known.asked ?? known.oldest;
    known.asked = null;
    const older = lines.filter((line) => {
      const id = _idOf(line);
      return id !== null && id < before;
    }).sort((a, b) => (_idOf(a) ?? 0) - (_idOf(b) ?? 0));
    // Nothing new: whatever the server says, asking again would loop.
    known.more = more && older.length > 0;
    const first = older[0];
    if (first !== undefined) known.oldest = _idOf(first) ?? known.oldest;
    if (older.length > 0) known.ids = true;
    this.#version++;
    return older;
  }

  /**
   * @returns {Readonly<PageSearch> | null} The search shown, if any.
   */
  get search() {
    return this.#search;
  }

  /**
   * The user searches a room for words.
   *
   * @param {string} room The room in view.
   * @param {string} typed The words as typed.
   * @returns {ClientMessage | null} The `search` request to send, or
   *   `null` for no words.
   */
  find(room, typed) {
    const words = _words(typed);
    if (words === "") return null;
    this.#search = {
      room,
      words,
      lines: [],
      more: false,
      loading: true,
      error: "",
    };
    this.#version++;
    return _searchRequest(room, words);
  }

  /**
   * The user asks for more results: the page of matches older than the
   * last one shown.
   *
   * @returns {ClientMessage | null} The `search` request, or `null` when
   *   there is none to make (no more, one in flight).
   */
  findMore() {
    const search = this.#search;
    if (search === null || !search.more || search.loading) return null;
    const before = search.lines.at(-1)?.line ?? 0;
    if (before < 1) return null;
    search.loading = true;
    search.error = "";
    this.#version++;
    return _searchRequest(search.room, search.words, before);
  }

  /**
   * An answer to a search: added to the results when it answers the one
   * shown (its next page); else, unless a search waits for its answer
   * (this one is then an older search's), the results of a new search
   * (`/search` typed in the box).
   *
   * @param {string} room
   * @param {string} words
   * @param {readonly SearchResult[]} lines Newest first; those without an
   *   id (`line` 0) or not older than the last shown are left out.
   * @param {boolean} more
   * @returns {boolean} Whether it was taken.
   */
  found(room, words, lines, more) {
    let search = this.#search;
    const same = search !== null && search.room === room &&
      search.words === _words(words);
    if (search !== null && search.loading && !same) return false;
    if (search === null || !same) {
      search = {
        room,
        words: _words(words),
        lines: [],
        more,
        loading: false,
        error: "",
      };
      this.#search = search;
    }
    const last = search.lines.at(-1)?.line ?? Infinity;
    const older = lines.filter((line) => line.line > 0 && line.line < last);
    search.lines = [...search.lines, ...older];
    search.more = more && older.length > 0;
    search.loading = false;
    this.#version++;
    return true;
  }

  /**
   * The server refused a request (an `error`): a search waiting for its
   * answer takes the reason, to show with the results; a room waiting for
   * older lines stops waiting (the reader can ask again).
   *
   * @param {string} text Why, as the server says it.
   * @returns {boolean} Whether the search took it (else it is shown in
   *   the conversation, as any error).
   */
  refused(text) {
    let waited = false;
    for (const known of this.#rooms.values()) {
      if (known.asked !== null) [known.asked, waited] = [null, true];
    }
    const search = this.#search;
    const taken = search !== null && search.loading;
    if (taken) [search.loading, search.error] = [false, text];
    if (waited || taken) this.#version++;
    return taken;
  }

  /** The user went back from the search to the conversation. */
  closeSearch() {
    if (this.#search === null) return;
    this.#search = null;
    this.#version++;
  }
}

/**
 * Splits a text where it holds one of the words searched for (ignoring
 * case), so the page can mark them in a result.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { markWords } from "./page_history.js";
 *
 * assertEquals(markWords("Lunch on Friday?", "friday lunch"), [
 *   { text: "Lunch", mark: true },
 *   { text: " on ", mark: false },
 *   { text: "Friday", mark: true },
 *   { text: "?", mark: false },
 * ]);
 * ```
 *
 * @param {string} text A result's text.
 * @param {string} words The words searched for, separated by spaces
 *   (quotes, `*` and other search syntax are not words).
 * @returns {{ text: string; mark: boolean }[]} The parts, in order;
 *   together they are the text.
 */
export function markWords(text, words) {
  const terms = [
    ...new Set(
      words.toLowerCase().split(/[^\p{L}\p{M}\p{N}_]+/u).filter((w) =>
        w !== ""
      ),
    ),
  ].sort((a, b) => b.length - a.length);
  if (terms.length === 0) return text === "" ? [] : [{ text, mark: false }];
  const escaped = terms.map((term) =>
    term.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")
  );
  const pattern = new RegExp(`(${escaped.join("|")})`, "giu");
  return text.split(pattern).flatMap((part, i) =>
    part === "" ? [] : [{ text: part, mark: i % 2 === 1 }]
  );
}

/**
 * @param {string} room
 * @param {string} words
 * @param {number} [before]
 * @returns {ClientMessage}
 */
function _searchRequest(room, words, before) {
  return before === undefined
    ? { type: "search", room, words }
    : { type: "search", room, words, before };
}

/**
 * @param {string} typed
 * @returns {string} The words of a search, as the page sends them.
 */
function _words(typed) {
  return typed.trim().replace(/\s+/g, " ");
}

/**
 * @param {ChatLine} line
 * @returns {number | null} The line's stored id, if it has one.
 */
function _idOf(line) {
  const id = line.id;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0
    ? id
    : null;
}
