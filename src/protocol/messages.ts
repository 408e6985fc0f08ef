/**
 * The messages of the chat protocol: what clients send and what the server
 * sends, whatever the dialect carries them. Server, terminal client and the
 * browser client all import these types, so a change to the wire format is a
 * compile error everywhere it matters. The native dialect's JSON lines are in
 * `native_codec.ts`; see `docs/protocol.md`.
 *
 * Version 2 has rooms: every room event names its room, a member may be in
 * several, and the server keeps each member's current room (where a line
 * typed without a room goes).
 *
 * @module
 */

import type { PublicKeyInfo } from "./key_proof.ts";

/**
 * Version of the native dialect; a hello with another version is refused
 * with a `bye` that says which version this server speaks.
 */
export const PROTOCOL_VERSION = 2;

/** Languages the server and client speak. */
export type Lang = "en" | "pt";

/** Messages a client sends to the server. */
export type ClientMessage =
  /**
   * First line of a native connection; resend with another name after a
   * `name_error`. `password` is the server's `--password`, when it has one.
   * `key` is the client's personal public key: the server answers with a
   * `challenge` before the name, and the first key to use a name claims
   * it (see "Names" in `docs/protocol.md`). `namePassword` proves a name
   * claimed with `/register` instead.
   */
  | {
    type: "hello";
    version: number;
    name: string;
    lang?: Lang;
    password?: string;
    key?: PublicKeyInfo;
    namePassword?: string;
  }
  /**
   * The answer to a `challenge`: the signature, by the hello's key, of
   * `proofText(nonce, channel)` (see `key_proof.ts`), in base64url.
   */
  | { type: "proof"; signature: string }
  /**
   * A line the user typed: a message, or a `/command` the server
   * interprets; it goes to `room` (one the user is in), else to the
   * current room.
   */
  | { type: "input"; text: string; room?: string }
  /** Join a room (creating it if new) and make it the current room. */
  | { type: "join"; room: string; key?: string }
  /** Leave a room. */
  | { type: "part"; room: string; reason?: string }
  /** Ask for a room's topic, or set it (`""` clears it). */
  | { type: "topic"; room: string; text?: string }
  /** Ask for the list of rooms. */
  | { type: "rooms" }
  /** Ask who is in a room (the current one when left out). */
  | { type: "who"; room?: string }
  /** Make a room you are in the current one. */
  | { type: "switch"; room: string }
  /** Leave cleanly; the server answers `bye` after everything before it is handled. */
  | { type: "quit"; reason?: string }
  /**
   * Older public lines of a room you are in: up to `limit` (1 to
   * {@linkcode MAX_HISTORY_PAGE}, default {@linkcode DEFAULT_HISTORY_PAGE})
   * lines older than id `before` (absent: the newest). Answered with
   * `history`.
   */
  | { type: "history"; room: string; before?: number; limit?: number }
  /**
   * Full-text search in a room you are in: lines holding every word,
   * newest first, at most 20, older than id `before` when given. Answered
   * with `search`.
   */
  | { type: "search"; room: string; words: string; before?: number }
  /** Liveness probe; the other side answers `pong` with the same id. */
  | { type: "ping"; id: number }
  /** Answer to a `ping`. */
  | { type: "pong"; id: number };

/** A public chat line as kept in history. */
export interface ChatLine {
  /** Sender's name. */
  from: string;
  /** Sanitised text. */
  text: string;
  /** Milliseconds since the epoch, server clock. */
  time: number;
  /** `true` for `/me` actions. */
  action?: boolean;
  /**
   * The store's id of the line: present on `message` and in every history
   * list, absent for lines never stored. Ids grow with every line, across
   * rooms; `history` and `search` page back with them.
   */
  id?: number;
}

/** Most lines one `history` request returns. */
export const MAX_HISTORY_PAGE = 200;

/** Lines a `history` request without `limit` returns. */
export const DEFAULT_HISTORY_PAGE = 50;

/** A room's topic: its text, who set it and when. */
export interface RoomTopic {
  /** Sanitised text, never empty. */
  text: string;
  /** Name of who set it, as it was then. */
  by: string;
  /** Milliseconds since the epoch, server clock. */
  time: number;
}

/**
 * What a member learns of a room on joining it: who is in it (with its
 * operators), its topic, whether it has a key or a locked topic, and its
 * recent public lines.
 */
export interface RoomState {
  /** The room's name, as it was created (`#general`). */
  room: string;
  /** Names of the members, in the order they joined; the joiner included. */
  members: string[];
  /** Names of the members who are its operators, in the same order. */
  ops: string[];
  /**
   * Names of the members with voice (`/voice`, IRC `+v`), in the same
   * order; absent when nobody has it.
   */
  voiced?: string[];
  /** The topic, if it has one. */
  topic?: RoomTopic;
  /** Present when joining needs a key. */
  key?: true;
  /** Present when only operators may set the topic. */
  topicLocked?: true;
  /** Recent public lines, oldest first. */
  history: ChatLine[];
}

/** One line of the answer to `/rooms`. */
export interface RoomSummary {
  /** The room's name. */
  room: string;
  /** How many members it has. */
  members: number;
  /** Its topic's text (cut to a hundred characters), if it has one. */
  topic?: string;
  /** Present when joining needs a key. */
  key?: true;
}

/**
 * A change of a room's modes, as IRC writes them: operator (`o`, with the
 * member's name as target), voice (`v`, the same), key (`k`, never with the key itself), ban
 * (`b`, with the banned name) and topic lock (`t`).
 */
export type ModeChange =
  | "+o"
  | "-o"
  | "+v"
  | "-v"
  | "+k"
  | "-k"
  | "+b"
  | "-b"
  | "+t"
  | "-t";

/** Messages the server sends to a client. */
export type ServerMessage =
  /**
   * The name was accepted. The member is in the default room, whose state
   * the welcome carries as `joined` would (`room` is `null`, and the lists
   * empty, when it could not be placed there: banned).
   */
  | {
    type: "welcome";
    name: string;
    server: string;
    version: number;
    /** The server's flood limit, so scripted clients can pace themselves. */
    limits?: { rate: number; burst: number };
    /**
     * The longest line the server takes, in bytes (the whole line as the
     * dialect sends it), so clients check a line before sending it.
     */
    maxLineBytes?: number;
    /**
     * A claimed name coming back: the rooms the server puts you back in
     * (a `joined` for each follows), so a client that rejoins rooms
     * itself leaves these out.
     */
    restored?: string[];
  }
    & Omit<RoomState, "room">
    & { room: string | null }
  /**
   * The requested name was refused; the client may send another `hello`.
   * With code `registered`, `password` says a password proves the name
   * (send it as the hello's `namePassword`).
   */
  | {
    type: "name_error";
    name: string;
    code: NameErrorCode;
    text: string;
    password?: true;
  }
  /**
   * Prove the hello's key: sign `proofText(nonce, channel)` and answer
   * with `proof`. The nonce is fresh for each connection.
   */
  | { type: "challenge"; nonce: string }
  /**
   * How an IRC client's SASL exchange ended: logged in as `account` (the
   * name it registers under), or failed; the same for every failure, so
   * that it never tells whether the name exists.
   */
  | { type: "sasl"; ok: true; account: string }
  | { type: "sasl"; ok: false }
  /**
   * What was said in a room since you left (a claimed name coming back),
   * oldest first, shown after the room's history under a "since you left"
   * separator; `since` is when you left.
   */
  | { type: "catch_up"; room: string; since: number; lines: ChatLine[] }
  /** You joined a room; it is now your current room. */
  | ({ type: "joined" } & RoomState)
  /** You left a room (`/part`); a kick says `kick` instead. */
  | { type: "parted"; room: string }
  /** Your current room changed; `null`: you are in none. */
  | { type: "current"; room: string | null }
  /** A public message (or `/me` action) from another member of a room. */
  | ({ type: "message"; room: string } & ChatLine)
  /**
   * A private message; sent to its target and echoed to its sender.
   * `action`: a `/me` (`* ana waves`). `ctcp`: a CTCP query or reply
   * between IRC clients (`text` its body), which only IRC shows.
   */
  | {
    type: "private";
    from: string;
    to: string;
    text: string;
    time: number;
    action?: true;
    ctcp?: "query" | "reply";
  }
  /**
   * Someone joined a room you are in; `arrived` when they just came to the
   * server (and were placed in its default room).
   */
  | {
    type: "join";
    room: string;
    name: string;
    time: number;
    op?: true;
    arrived?: true;
    /** Present when the joiner has voice again (it had it before a restart). */
    voice?: true;
    /**
     * More who joined with `name`, in order, when a crowd arrives and the
     * room tells their joins together ("ana, bob and 48 others joined").
     */
    others?: string[];
  }
  /** Someone left a room you are in (`/part`), with their reason if any. */
  | { type: "part"; room: string; name: string; reason?: string; time: number }
  /**
   * Someone left the server: sent once to everyone who shared a room with
   * them. Broadcasts carry codes, not localised text, so one encoding serves
   * every member; clients localise with `STRINGS[lang].left()`.
   */
  | {
    type: "leave";
    name: string;
    reason: LeaveReason;
    detail?: string;
    time: number;
  }
  /** Someone changed name: sent once to everyone who shares a room with them, and to them. */
  | { type: "rename"; from: string; to: string; time: number }
  /** An operator put someone out of a room (sent to the room, the one kicked included). */
  | {
    type: "kick";
    room: string;
    name: string;
    by: string;
    reason?: string;
    time: number;
  }
  /** An operator changed a room's modes. */
  | {
    type: "mode";
    room: string;
    by: string;
    change: ModeChange;
    target?: string;
    time: number;
  }
  /**
   * A room's topic: set or cleared (`text` `""`) by `by`, sent to the
   * room; or, with `asked`, the answer to asking for it.
   */
  | {
    type: "topic";
    room: string;
    text: string;
    by: string;
    time: number;
    asked?: true;
  }
  /**
   * Answer to `/who`: who is in a room, its operators, and (when any) who
   * has voice.
   */
  | {
    type: "members";
    room: string;
    names: string[];
    ops: string[];
    voiced?: string[];
  }
  /** Answer to `/rooms`: the rooms with most members first, and how many there are. */
  | { type: "rooms"; rooms: RoomSummary[]; total: number }
  /** Informational text for this user only (help, command results). */
  | { type: "info"; code: string; text: string }
  /**
   * Something this user asked for failed; the connection goes on. `target`
   * names the room or name it was about (IRC puts it in its numerics; the
   * native dialect leaves it out).
   */
  | { type: "error"; code: string; text: string; target?: string }
  /** The server is closing this connection; `reason` is a code, `text` the localised reason. */
  | { type: "bye"; reason: LeaveReason; text: string }
  /** Liveness probe; the client answers `pong` with the same id. */
  | { type: "ping"; id: number }
  /** Answer to a client's `ping`. */
  | { type: "pong"; id: number }
  /**
   * Answer to a `history` request (or `/history`): a room's lines, oldest
   * first; `more` when older lines exist.
   */
  | { type: "history"; room: string; lines: ChatLine[]; more: boolean }
  /**
   * Answer to a `search` request (or `/search`): the lines holding every
   * word, newest first; `more` when another page may hold more.
   */
  | {
    type: "search";
    room: string;
    words: string;
    lines: ChatLine[];
    more: boolean;
  }
  /**
   * Answer to `whois`: who a member is (user, cloaked host, real name),
   * which rooms it is in (`ops`: those it is an operator of), and its away
   * text. Only IRC asks for it now; the native and plain dialects show
   * nothing.
   */
  | {
    type: "whois";
    name: string;
    user: string;
    host: string;
    realname: string;
    rooms: string[];
    ops: string[];
    /** The rooms it has voice in, when any. */
    voiced?: string[];
    away?: string;
    oper?: true;
  }
  /** Answer to `lusers`: how many members and rooms the server has. */
  | { type: "lusers"; users: number; rooms: number; opers: number }
  /**
   * A member went away (`text`) or came back (no `text`): sent to it, and
   * to the members of its rooms; with `toSender`, to who sent it a private
   * message while it was away. Only IRC shows it now.
   */
  | {
    type: "away";
    name: string;
    text?: string;
    time: number;
    toSender?: true;
  }
  /** Answer to `bans`: the names a room bans, oldest first. IRC only now. */
  | { type: "bans"; room: string; names: string[] };

/** Why a name was refused. */
export type NameErrorCode =
  | "empty"
  | "too_long"
  | "invalid_chars"
  | "mixed_scripts"
  | "reserved"
  | "taken"
  /** Claimed by another key (or password): see "Names" in `docs/protocol.md`. */
  | "registered";

/** Why a member left. */
export type LeaveReason =
  | "quit"
  | "closed"
  | "error"
  | "shutdown"
  | "timeout"
  | "flood"
  | "slow"
  | "protocol"
  | "full"
  | "limit"
  | "password";

/**
 * Tells whether a message is a join, part, leave or rename notice: the
 * ones that go to everyone at once and may wait a few milliseconds to be
 * batched.
 *
 * @param message A server message.
 * @returns `true` for `join`, `part`, `leave` and `rename`.
 */
export function isNotice(message: ServerMessage): boolean {
  const type = message.type;
  return type === "join" || type === "leave" || type === "rename" ||
    type === "part";
}

/** The answers only IRC asks for now (`whois`, `lusers`, `away`, `bans`). */
export type IrcOnlyMessage = Extract<
  ServerMessage,
  { type: "whois" | "lusers" | "away" | "bans" }
>;

const IRC_ONLY: ReadonlySet<string> = new Set([
  "whois",
  "lusers",
  "away",
  "bans",
]);

/**
 * Tells whether a message is one only IRC shows now: the native and plain
 * dialects, the terminal client and the page skip it.
 *
 * @param message A server message.
 * @returns `true` for `whois`, `lusers`, `away` and `bans`.
 */
export function isIrcOnly(message: ServerMessage): message is IrcOnlyMessage {
  return IRC_ONLY.has(message.type);
}

/** The `type` of every {@linkcode ServerMessage}. */
export type ServerMessageType = ServerMessage["type"];
