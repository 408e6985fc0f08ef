/**
 * The terminal client as a pure state machine: events in (a line from the
 * server, a line the user typed, end of input, Ctrl-C, the connection
 * closing or opening again, a timer firing), effects out (send this, print
 * that, set the prompt, arm a timer, connect, exit). `join.ts` drives it
 * with real I/O; tests drive it directly.
 *
 * Typed and piped lines go out at the pace of the server's flood limit
 * (`welcome.limits`), so the server never refuses one: a line is shown as
 * sent when it is sent, and the prompt counts the lines still waiting. At a
 * terminal, a lost connection is not the end: the client says so, tries
 * again after about 1, 2, 4... seconds (at most 30, as the page does),
 * rejoins with the same name and shows what was said meanwhile, from the
 * welcome's history, without repeating what it had shown already.
 *
 * @module
 */

import { parseCommand } from "../protocol/commands.ts";
import { checkName } from "../protocol/name_rules.ts";
import {
  type ClientMessage,
  isIrcOnly,
  type Lang,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.ts";
import { decodeServerMessage } from "../protocol/native_codec.ts";
import { isNamePrompt } from "../protocol/plain_codec.ts";
import {
  renderMessage,
  renderNotice,
  type RenderOptions,
  renderOwnMessage,
} from "./render.ts";
import { sanitizeText } from "../protocol/sanitize.ts";
import { textWidth } from "./text_width.ts";
import { mentions } from "./render.ts";
import { TokenBucket } from "../protocol/token_bucket.ts";
import { nameKey } from "../protocol/name_rules.ts";
import type { ChatLine } from "../protocol/messages.ts";
import type { PublicKeyInfo } from "../protocol/key_proof.ts";
import { CLIENT_STRINGS } from "../i18n/client_strings.ts";
import { STRINGS } from "../i18n/server_strings.ts";

const _utf8 = new TextEncoder();
/** How long to wait for the server's `bye` after asking to leave. */
export const LEAVE_TIMEOUT_MS = 2000;

/** Longest wait between two attempts to reconnect. */
export const MAX_RECONNECT_MS = 30_000;

/**
 * How long to wait before reconnection attempt `attempt` (1, 2...): about
 * 1, 2, 4... seconds, at most {@linkcode MAX_RECONNECT_MS}, give or take a
 * fifth so that clients dropped together do not come back together.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { reconnectDelay } from "./client_state.ts";
 *
 * assertEquals([1, 2, 3, 6, 9].map((n) => reconnectDelay(n, 0.5)), [1000, 2000, 4000, 30000, 30000]);
 * ```
 *
 * @param attempt The attempt, from 1.
 * @param random A number in [0, 1), for the jitter.
 * @returns Milliseconds.
 */
export function reconnectDelay(attempt: number, random: number): number {
  const base = Math.min(MAX_RECONNECT_MS, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

// Byes after which a terminal client comes back: the server restarted,
// lost track of it (a laptop that slept), or was full for a moment.
const _COME_BACK = new Set(["shutdown", "timeout", "slow", "full", "limit"]);

/** Something the driver must do. */
export type ClientEffect =
  /** Send a message to the server. */
  | { kind: "send"; message: ClientMessage }
  /** Show lines to the user; `alert` rings the bell on a terminal. */
  | { kind: "print"; text: string; alert: boolean }
  /**
   * Change the input prompt; `hidden` (for a password) shows nothing of
   * what is typed and keeps it out of the input history.
   */
  | { kind: "prompt"; text: string; hidden?: boolean }
  /**
   * Put text back into the input line to be edited (a line the server
   * would refuse, kept instead of sent).
   */
  | { kind: "restore"; text: string }
  /** Arm the one deadline (replacing any other), or clear it with `null`. */
  | { kind: "deadline"; ms: number | null }
  /**
   * Call {@linkcode ClientState.onWake} after `ms` (replacing any earlier
   * wake): lines are waiting for the flood limit.
   */
  | { kind: "wake"; ms: number }
  /**
   * Open a new connection to the server and report it with
   * {@linkcode ClientState.onConnected} or
   * {@linkcode ClientState.onConnectFailed}.
   */
  | { kind: "connect" }
  /** Close the connection; what it still delivers is ignored. */
  | { kind: "disconnect" }
  /**
   * End the session with an exit code; `error`, if any, is the one line to
   * write to standard error after the terminal is restored.
   */
  | { kind: "exit"; code: 0 | 1; error?: string }
  /**
   * Sign the server's challenge with the personal key (its
   * `proofText(nonce, channel)`) and send it as a `proof`.
   */
  | { kind: "prove"; nonce: string };

/**
 * Where the session is: waiting for the answer to `hello`, asking the user
 * for another name or for the server's password, chatting, leaving (waiting for `bye`), away (the
 * connection was lost: waiting to reconnect, or connecting), or done.
 */
export type ClientPhase =
  | "hello"
  | "naming"
  | "password"
  | "chat"
  | "leaving"
  | "away"
  | "done";

/** Options of {@linkcode ClientState}. */
export interface ClientStateOptions {
  /** The name to ask for first; checked already. */
  name: string;
  /**
   * The server's password, sent in `hello`, for a server that has one.
   *
   * @default {undefined}
   */
  password?: string;
  /**
   * The personal public key, sent in every `hello`: the server challenges
   * it, and the names it uses stay yours.
   *
   * @default {undefined} none: only unclaimed names
   */
  key?: PublicKeyInfo;
  /** `host:port` of the server, for messages. */
  address: string;
  /**
   * Language of the user.
   *
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Whether a person is at a terminal: a refused name is asked again, your
   * own messages are shown, the welcome and history are shown, and a lost
   * connection is reconnected; otherwise a refused name or a lost
   * connection ends the session and only what others send is shown.
   *
   * @default {false}
   */
  interactive?: boolean;
  /**
   * Whether to show the welcome and the history without a terminal too.
   *
   * @default {false}
   */
  verbose?: boolean;
  /**
   * Whether printed text may hold colours.
   *
   * @default {false}
   */
  color?: boolean;
  /**
   * Milliseconds to wait for the server's answer to `hello`.
   *
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * The clock, in milliseconds since the epoch.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Formats times at the start of lines.
   *
   * @default {formatClock} local `HH:MM`
   */
  formatTime?: (time: number) => string;
  /**
   * Columns of the terminal now, to wrap long lines under their text.
   *
   * @default {undefined} no wrapping
   */
  width?: () => number;
  /**
   * A number in [0, 1) for the jitter of reconnection delays.
   *
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * Milliseconds of silence from the server after which the client pings
   * it ({@linkcode ClientState.onTick}).
   *
   * @default {25000}
   */
  pingAfterMs?: number;
  /**
   * Milliseconds of silence after which the connection is given up as
   * lost (a network that dropped without a word).
   *
   * @default {60000}
   */
  deadAfterMs?: number;
}

/**
 * What the client knows of a room it is in: who is there (and who are its
 * operators) and its topic, as last heard from the server.
 */
export interface ClientRoom {
  /** Names of the members, in the order the server gave them. */
  members: string[];
  /** Names of its operators. */
  ops: string[];
  /** Its topic's text, or `""`. */
  topic: string;
}

/**
 * A line waiting to go out: typed or piped input, a request the client
 * makes itself (rejoining rooms after a reconnect), or the final quit.
 */
type _Outgoing =
  | { type: "input"; text: string }
  | { type: "request"; message: ClientMessage }
  | { type: "quit" };

/** Unread lines of a room other than the current one. */
export interface UnreadCount {
  /** How many lines arrived while it was not current. */
  count: number;
  /** Whether one of them mentions your name. */
  mention: boolean;
}

// Keys of public lines already shown, kept to skip them in a later history.
const SEEN_LIMIT = 1000;

/**
 * The client's state: phase, your name, who is online. Every method takes
 * one event and returns the effects to carry out, in order.
 *
 * Exit codes: 0 when the user leaves (`/quit`, end of input, Ctrl-C, even
 * if the server does not confirm in time or shuts down meanwhile); 1 when
 * the session ends for any other reason — the name was refused and cannot
 * be asked again, the connection was lost, the server sent `bye` for its
 * own reasons (flooding, time-out...; even while leaving, as lines may
 * have been lost). A server shutdown counts as 1 too: it is not the user's
 * fault, but the session ended before the user chose to leave, and
 * scripts need to know.
 *
 * @example Join and receive a message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ClientState } from "./client_state.ts";
 *
 * const state = new ClientState({ name: "ana", address: "10.0.0.2:50001" });
 * assertEquals(state.start()[0], {
 *   kind: "send",
 *   message: { type: "hello", version: 2, name: "ana", lang: "en" },
 * });
 * state.onServerLine(JSON.stringify({
 *   type: "welcome", name: "ana", room: "#general", members: ["ana", "bob"],
 *   ops: [], history: [], server: "chat", version: 2,
 * }));
 * assertEquals(state.phase, "chat");
 * assertEquals(state.members, ["ana", "bob"]);
 * assertEquals(state.chatPrompt, "#general ana> ");
 * ```
 */
export class ClientState {
  #options: ClientStateOptions;
  #phase: ClientPhase = "hello";
  // The server's line limit, from its welcome (`null`: not told).
  #maxLineBytes: number | null = null;
  #me: string;
  // The rooms you are in, by name, in the order you joined them, and the
  // current one (where what you type goes).
  #rooms = new Map<string, ClientRoom>();
  #room: string | null = null;
  // Lines not sent yet: before the welcome, while away, or paced.
  #outbox: _Outgoing[] = [];
  #bucket: TokenBucket | null = null;
  #paceMs = 0;
  #endAfterWelcome = false;
  // Whether a welcome came once: from then on a lost connection is retried.
  #joined = false;
  #attempt = 0;
  #connected = true;
  #lastHeard: number;
  #pinged = false;
  #shownPrompt: string | undefined;
  // Public lines shown, by key; the newest one's server time; your own
  // lines sent since the last welcome (the server does not echo them).
  #seen = new Set<string>();
  #newest = -Infinity;
  #ownSent: string[] = [];
  // The server's password: given, typed once when asked, or none.
  #password: string | undefined;
  #passwordAsked = false;
  // Keys of keyed rooms you joined with one, by room key (memory only),
  // and rooms heard of in a `/rooms` answer, for Tab.
  #keys = new Map<string, string>();
  #heard = new Map<string, string>();
  // Unread lines of the rooms other than the current one, by room name.
  #unread = new Map<string, UnreadCount>();
  // After a reconnect: the rooms being joined again (by room key) and the
  // newest line shown before the connection was lost.
  #restoring = new Set<string>();
  #restoreSince = -Infinity;
  #restoreCurrent: string | null = null;

  /** @param options Name, server address, language and display choices. */
  constructor(options: ClientStateOptions) {
    this.#options = options;
    this.#me = options.name;
    this.#password = options.password;
    this.#lastHeard = this.#now();
  }

  /** Where the session is. */
  get phase(): ClientPhase {
    return this.#phase;
  }

  /** Your name: the one asked for, then the one the server gave. */
  get me(): string {
    return this.#me;
  }

  /** Names of the members of your current room, as last heard from the server. */
  get members(): readonly string[] {
    return this.#current?.members ?? [];
  }

  /** Your current room, where what you type goes, or `null` for none. */
  get room(): string | null {
    return this.#room;
  }

  /** The rooms you are in, by name, in the order you joined them. */
  get rooms(): ReadonlyMap<string, Readonly<ClientRoom>> {
    return this.#rooms;
  }

  /**
   * Unread lines of the rooms other than the current one, by room name,
   * in the order you joined them; switching to a room clears its count.
   */
  get unread(): ReadonlyMap<string, Readonly<UnreadCount>> {
    return this.#unread;
  }

  /**
   * Room names Tab offers: the rooms you are in, then those heard of in a
   * `/rooms` answer.
   */
  get roomNames(): string[] {
    const names = new Map<string, string>();
    for (const room of this.#rooms.keys()) names.set(_roomKey(room), room);
    for (const [key, room] of this.#heard) {
      if (!names.has(key)) names.set(key, room);
    }
    return [...names.values()];
  }

  get #current(): ClientRoom | undefined {
    return this.#room === null ? undefined : this.#rooms.get(this.#room);
  }

  /**
   * The prompt for chat input: the unread counts of other rooms (`!` for
   * a mention; at most half the width, the rest as `[+N]`), your current
   * room, your name, and whether lines are waiting or the connection is
   * lost: `[#ops 3!] [#games 1] #general ana> `.
   */
  get chatPrompt(): string {
    const waiting = this.#waiting();
    const notes = [
      ...(this.#phase === "away" ? [this.#client.promptOffline] : []),
      ...(waiting > 0 ? [this.#client.promptWaiting(waiting)] : []),
    ];
    const who = this.#room === null ? this.#me : `${this.#room} ${this.#me}`;
    const prompt = notes.length === 0
      ? `${who}> `
      : `${who} (${notes.join(", ")})> `;
    return this.#unreadStatus() + prompt;
  }

  // `[#ops 3!] [#games 1] `, fitting in half the terminal's width.
  #unreadStatus(): string {
    const room = (this.#options.width?.() ?? 80) >> 1;
    const items = [...this.#unread].map(([name, unread]) =>
      `[${name} ${unread.count}${unread.mention ? "!" : ""}] `
    );
    let status = "";
    for (const [i, item] of items.entries()) {
      const rest = items.length - i - 1;
      const more = rest > 0 ? `[+${rest}] `.length : 0;
      if (textWidth(status + item) + more > room) {
        return `${status}[+${items.length - i}] `;
      }
      status += item;
    }
    return status;
  }

  /**
   * Opens the session: sends `hello` and waits for the answer.
   *
   * @returns The effects.
   */
  start(): ClientEffect[] {
    return this.#hello(this.#options.name);
  }

  /**
   * Handles one line from the server.
   *
   * @param line The line without its line ending.
   * @returns The effects.
   */
  onServerLine(line: string): ClientEffect[] {
    if (this.#phase === "done" || this.#phase === "away") return [];
    this.#lastHeard = this.#now();
    this.#pinged = false;
    let message: ServerMessage;
    try {
      message = decodeServerMessage(line);
    } catch {
      // Lines of unknown types are skipped (a newer server may send them);
      // but a first answer that is not JSON at all is not a chat server,
      // unless it is the plain name prompt of one that heard the hello late.
      if (
        this.#phase === "hello" && !_isJsonObject(line) && !isNamePrompt(line)
      ) {
        return this.#exit(1, this.#client.notChatServer(this.#options.address));
      }
      return [];
    }
    return this.#onMessage(message);
  }

  /**
   * Handles a line the user typed (or, without a terminal, read from
   * standard input).
   *
   * @param line The line without its line ending.
   * @returns The effects.
   */
  onInput(line: string): ClientEffect[] {
    switch (this.#phase) {
      case "away":
      case "hello":
        // Nobody to tell while away: leave now.
        if (this.#phase === "away" && parseCommand(line).kind === "quit") {
          return this.#exit(0);
        }
        // Typed before the welcome arrived, or while away: sent once
        // joined.
        if (line.trim() === "") return [];
        this.#outbox.push({ type: "input", text: line });
        return this.#promptIfChanged();
      case "naming":
        return this.#onNameAnswer(line);
      case "password":
        if (line === "") return [];
        this.#password = line;
        this.#phase = "away";
        return [
          { kind: "prompt", text: this.#shownPrompt ?? this.chatPrompt },
          { kind: "connect" },
        ];
      case "chat":
        return this.#say(line);
      default:
        return [];
    }
  }

  /**
   * Handles the end of input (Ctrl-D, or the end of piped input): leaves.
   * Before the welcome it waits for it, so that lines read before the end
   * are sent first.
   *
   * @returns The effects.
   */
  onEnd(): ClientEffect[] {
    if (this.#phase === "away" || this.#phase === "password") {
      return this.#exit(0);
    }
    if (this.#phase === "hello" && !this.#joined) {
      // Piped input can end before the welcome arrives: send what was read
      // first, then leave.
      this.#endAfterWelcome = true;
      return [];
    }
    return this.#leave();
  }

  /**
   * Handles Ctrl-C on an empty line, or a termination signal: leaves; a
   * second one while leaving exits at once. At a terminal, while typed
   * lines wait for the flood limit, it drops them instead (a paste sent by
   * mistake), and the next one leaves.
   *
   * @returns The effects.
   */
  onInterrupt(): ClientEffect[] {
    if (
      this.#phase === "leaving" || this.#phase === "away" ||
      this.#phase === "password"
    ) {
      return this.#exit(0);
    }
    const waiting = this.#waiting();
    if (this.#options.interactive && this.#phase === "chat" && waiting > 0) {
      this.#outbox = this.#outbox.filter((line) => line.type !== "input");
      return [
        ...this.#printNotice(this.#client.notSent(waiting)),
        ...this.#promptIfChanged(),
      ];
    }
    return this.#leave();
  }

  /**
   * Handles the server closing the connection (or a reset).
   *
   * @returns The effects.
   */
  onClosed(): ClientEffect[] {
    switch (this.#phase) {
      case "done":
      case "away":
      case "password":
        return [];
      case "leaving":
        return this.#exit(0);
      default:
        if (this.#comesBack) return this.#lost([]);
        return this.#exit(
          1,
          this.#client.connectionLost(this.#options.address),
        );
    }
  }

  /**
   * Handles the deadline passing.
   *
   * @returns The effects.
   */
  onDeadline(): ClientEffect[] {
    switch (this.#phase) {
      case "hello":
        // A server that takes the connection but never answers: try again.
        if (this.#comesBack) {
          return [{ kind: "disconnect" }, ...this.#retry(this.#stillOffline)];
        }
        return this.#exit(
          1,
          this.#client.noAnswer(this.#options.address, this.#timeoutMs / 1000),
        );
      case "leaving":
        return this.#exit(0);
      case "away":
        return [{ kind: "connect" }];
      default:
        return [];
    }
  }

  /**
   * Handles the wake timer: sends the lines the flood limit allows now.
   *
   * @returns The effects.
   */
  onWake(): ClientEffect[] {
    return this.#flush();
  }

  /**
   * Handles the clock, about once a second: pings a server that has been
   * quiet, and gives up a connection that stays silent after that (a
   * network that dropped without closing it).
   *
   * @returns The effects.
   */
  onTick(): ClientEffect[] {
    if (!this.#connected || this.#phase !== "chat") return [];
    const silent = this.#now() - this.#lastHeard;
    if (silent >= (this.#options.deadAfterMs ?? 60_000)) {
      return [{ kind: "disconnect" }, ...this.onClosed()];
    }
    if (silent >= (this.#options.pingAfterMs ?? 25_000) && !this.#pinged) {
      this.#pinged = true;
      return [{ kind: "send", message: { type: "ping", id: this.#now() } }];
    }
    return [];
  }

  /**
   * Handles a new connection, opened for a `connect` effect: says hello
   * again with the same name.
   *
   * @returns The effects.
   */
  onConnected(): ClientEffect[] {
    if (this.#phase === "done") return [{ kind: "disconnect" }];
    if (this.#phase !== "away") return [];
    this.#connected = true;
    this.#lastHeard = this.#now();
    this.#pinged = false;
    return this.#hello(this.#me);
  }

  /**
   * Handles a failed `connect`: tries again later.
   *
   * @returns The effects.
   */
  onConnectFailed(): ClientEffect[] {
    if (this.#phase !== "away") return [];
    return this.#retry(this.#stillOffline);
  }

  /** Whether a lost connection is retried: at a terminal, once joined. */
  get #comesBack(): boolean {
    return (this.#options.interactive ?? false) && this.#joined;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #waiting(): number {
    return this.#outbox.filter((line) => line.type === "input").length;
  }

  #promptIfChanged(): ClientEffect[] {
    if (
      this.#phase === "naming" || this.#phase === "done" ||
      this.#phase === "password"
    ) {
      return [];
    }
    if (this.#phase === "hello" && !this.#joined) return [];
    const text = this.chatPrompt;
    if (text === this.#shownPrompt) return [];
    this.#shownPrompt = text;
    return [{ kind: "prompt", text }];
  }

  #printNotice(text: string): ClientEffect[] {
    return [{
      kind: "print",
      text: renderNotice(text, this.#render),
      alert: false,
    }];
  }

  #stillOffline = (seconds: number) => this.#client.stillOffline(seconds);

  // The connection is gone: say so, and try again in a moment. Gone again
  // before the welcome, it was one more failed attempt.
  #lost(before: ClientEffect[]): ClientEffect[] {
    const effects: ClientEffect[] = [...before, { kind: "disconnect" }];
    if (this.#phase === "hello") {
      return [...effects, ...this.#retry(this.#stillOffline)];
    }
    this.#attempt = 0;
    return [
      ...effects,
      ...this.#retry((seconds) =>
        this.#client.reconnecting(this.#options.address, seconds)
      ),
    ];
  }

  #retry(say: (seconds: number) => string): ClientEffect[] {
    this.#phase = "away";
    this.#connected = false;
    this.#bucket = null;
    const ms = reconnectDelay(
      ++this.#attempt,
      (this.#options.random ?? Math.random)(),
    );
    return [
      ...this.#printNotice(say(Math.max(1, Math.round(ms / 1000)))),
      { kind: "deadline", ms },
      ...this.#promptIfChanged(),
    ];
  }

  get #client() {
    return CLIENT_STRINGS[this.#options.lang ?? "en"];
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? 10_000;
  }

  get #render(): RenderOptions {
    const options: RenderOptions = {
      me: this.#me,
      lang: this.#options.lang ?? "en",
      color: this.#options.color ?? false,
      now: (this.#options.now ?? Date.now)(),
      room: this.#room,
    };
    if (this.#options.formatTime) options.formatTime = this.#options.formatTime;
    if (this.#options.width) options.width = this.#options.width();
    return options;
  }

  #hello(name: string): ClientEffect[] {
    this.#phase = "hello";
    const hello: ClientMessage = {
      type: "hello",
      version: PROTOCOL_VERSION,
      name,
      lang: this.#options.lang ?? "en",
    };
    if (this.#password !== undefined) hello.password = this.#password;
    if (this.#options.key !== undefined) hello.key = this.#options.key;
    return [
      { kind: "send", message: hello },
      { kind: "deadline", ms: this.#timeoutMs },
    ];
  }

  #exit(code: 0 | 1, error?: string): ClientEffect[] {
    this.#phase = "done";
    const effects: ClientEffect[] = [{ kind: "deadline", ms: null }];
    effects.push(
      error === undefined ? { kind: "exit", code } : {
        kind: "exit",
        code,
        error,
      },
    );
    return effects;
  }

  #leave(): ClientEffect[] {
    if (this.#phase === "done" || this.#phase === "leaving") return [];
    this.#phase = "leaving";
    // After the lines still waiting, so they are sent first.
    this.#outbox.push({ type: "quit" });
    return this.#flush();
  }

  // Sends what the flood limit allows, in order; your own messages are
  // shown as they go (the server does not echo them).
  #flush(): ClientEffect[] {
    const effects: ClientEffect[] = [];
    while (this.#phase === "chat" || this.#phase === "leaving") {
      const next = this.#outbox[0];
      if (next === undefined) break;
      if (next.type !== "quit" && this.#bucket?.take(this.#now()) === false) {
        effects.push({ kind: "wake", ms: this.#paceMs });
        break;
      }
      this.#outbox.shift();
      if (next.type === "request") {
        effects.push({ kind: "send", message: next.message });
        continue;
      }
      effects.push({ kind: "send", message: next });
      if (next.type === "quit") {
        effects.push({ kind: "deadline", ms: LEAVE_TIMEOUT_MS });
      } else effects.push(...this.#sent(next.text));
    }
    effects.push(...this.#promptIfChanged());
    return effects;
  }

  // One input line was sent.
  #sent(line: string): ClientEffect[] {
    const command = parseCommand(line);
    if (command.kind === "quit") {
      // The server answers with `bye`; wait for it as when leaving.
      this.#phase = "leaving";
      return [{ kind: "deadline", ms: LEAVE_TIMEOUT_MS }];
    }
    if (command.kind === "join" && command.key !== undefined) {
      this.#keys.set(_roomKey(command.room), command.key);
    }
    if (command.kind === "key" && this.#room !== null) {
      // An operator's new key (or none) for the room it is in.
      const room = _roomKey(command.room ?? this.#room);
      if (command.key === undefined) this.#keys.delete(room);
      else this.#keys.set(room, command.key);
    }
    if (command.kind !== "say" && command.kind !== "me") return [];
    // Shown here as the others will see it (sanitised, trailing space
    // trimmed).
    const text = sanitizeText(command.text).trimEnd();
    if (text === "") return [];
    this.#ownSent.push(text);
    if (this.#ownSent.length > SEEN_LIMIT) this.#ownSent.shift();
    if (!this.#options.interactive) return [];
    return [{
      kind: "print",
      text: renderOwnMessage(text, this.#render, {
        action: command.kind === "me",
      }),
      alert: false,
    }];
  }

  #print(message: ServerMessage): ClientEffect[] {
    const rendered = renderMessage(message, this.#render);
    if (rendered === undefined) return [];
    return [{ kind: "print", text: rendered.text, alert: rendered.alert }];
  }

  #onMessage(message: ServerMessage): ClientEffect[] {
    if (isIrcOnly(message)) return [];
    switch (message.type) {
      case "ping":
        return [{ kind: "send", message: { type: "pong", id: message.id } }];
      case "pong":
        return [];
      case "bye":
        return this.#onBye(message);
      case "welcome":
        return this.#onWelcome(message);
      case "name_error":
        return this.#onNameError(message);
      case "challenge":
        return this.#phase === "hello" && typeof message.nonce === "string"
          ? [{ kind: "prove", nonce: message.nonce }]
          : [];
      case "catch_up":
        return this.#onCatchUp(message);
      default: {
        // Everything else belongs to the chat (a server may send notices
        // before the welcome; show them too). Printed before the room
        // changes, so that a line about the room you leave is not marked
        // as another room's.
        if (
          message.type === "joined" &&
          this.#restoring.has(_roomKey(_clean(message.room)))
        ) {
          return this.#onRestored(message);
        }
        const counted = message.type === "message" &&
          this.#onRoomLine(message);
        if (message.type === "rooms") this.#hear(message.rooms);
        if (message.type === "joined") {
          for (const line of _history(message.history)) this.#see(line);
        }
        const printed = this.#print(message);
        const prompt = this.#track(message) || counted;
        return [...printed, ...(prompt ? this.#promptIfChanged() : [])];
      }
    }
  }

  #onBye(message: Extract<ServerMessage, { type: "bye" }>): ClientEffect[] {
    // Leaving and the server confirms, or shuts down anyway: a clean leave.
    // Dropped for flooding or the like, even while leaving: lines were lost.
    if (
      message.reason === "quit" ||
      (this.#phase === "leaving" && message.reason === "shutdown")
    ) {
      return this.#exit(0);
    }
    if (message.reason === "password" && this.#phase === "hello") {
      return this.#onPasswordRefused();
    }
    const text = sanitizeText(String(message.text));
    // A restart, or a moment's trouble: at a terminal, come back.
    if (
      this.#comesBack && this.#phase !== "leaving" &&
      _COME_BACK.has(message.reason)
    ) {
      return this.#lost(this.#printNotice(text));
    }
    return this.#exit(1, text);
  }

  // The server wants a password: at a terminal, when none was given, ask
  // for it once (without echo) and say hello again on a new connection;
  // otherwise end, saying how to give it. The password is never printed.
  #onPasswordRefused(): ClientEffect[] {
    const address = this.#options.address;
    if (this.#password !== undefined) {
      return this.#exit(1, this.#client.passwordWrong(address));
    }
    if (!this.#options.interactive || this.#passwordAsked) {
      return this.#exit(1, this.#client.passwordRequired(address));
    }
    this.#passwordAsked = true;
    this.#phase = "password";
    this.#connected = false;
    this.#shownPrompt = undefined;
    return [
      { kind: "disconnect" },
      { kind: "deadline", ms: null },
      { kind: "prompt", text: `${this.#client.passwordPrompt} `, hidden: true },
    ];
  }

  #onWelcome(
    message: Extract<ServerMessage, { type: "welcome" }>,
  ): ClientEffect[] {
    if (this.#phase !== "hello") return [];
    const again = this.#joined;
    this.#phase = "chat";
    this.#joined = true;
    this.#attempt = 0;
    this.#me = sanitizeText(String(message.name));
    this.#maxLineBytes = typeof message.maxLineBytes === "number" &&
        message.maxLineBytes > 0
      ? message.maxLineBytes
      : null;
    // A welcome places you in the server's default room only; back after a
    // lost connection, the others are joined again (with their keys), and
    // the one that was current becomes current again.
    const before = [...this.#rooms.keys()];
    const current = this.#room;
    this.#rooms.clear();
    this.#room = null;
    if (typeof message.room === "string") this.#enter(message);
    if (again) {
      const restored = Array.isArray(message.restored)
        ? message.restored.map((room) => _clean(String(room)))
        : [];
      this.#restore(before, current, restored);
    }
    const limits = message.limits;
    this.#bucket = null;
    if (
      limits && typeof limits.rate === "number" &&
      typeof limits.burst === "number"
    ) {
      this.#pace(limits.rate, limits.burst);
    }
    const effects: ClientEffect[] = [{ kind: "deadline", ms: null }];
    if (again) effects.push(...this.#onRejoined(message));
    else {
      for (const line of _history(message.history)) this.#see(line);
      if (this.#options.interactive || this.#options.verbose) {
        effects.push(...this.#print(message));
      }
    }
    effects.push(...this.#flush());
    if (this.#endAfterWelcome) effects.push(...this.#leave());
    return effects;
  }

  // Queues the requests that put you back in the rooms you were in, before
  // anything typed meanwhile.
  #restore(
    before: string[],
    current: string | null,
    restored: readonly string[] = [],
  ): void {
    this.#restoring.clear();
    this.#restoreSince = this.#newest;
    this.#restoreCurrent = current;
    const here = this.#room;
    const requests: _Outgoing[] = [];
    const request = (message: ClientMessage) =>
      requests.push({ type: "request", message });
    // Where the server puts you once they are all joined: the rooms it
    // put you back in itself (a claimed name) come first, unasked.
    const byServer = new Set(restored.map(_roomKey));
    let landing = restored.at(-1) ?? here;
    for (const room of before) {
      if (here !== null && _roomKey(room) === _roomKey(here)) continue;
      this.#restoring.add(_roomKey(room));
      if (byServer.has(_roomKey(room))) continue;
      const secret = this.#keys.get(_roomKey(room));
      request(
        secret === undefined
          ? { type: "join", room }
          : { type: "join", room, key: secret },
      );
      landing = room;
    }
    if (
      here !== null && before.length > 0 &&
      !before.some((room) => _roomKey(room) === _roomKey(here))
    ) {
      request({ type: "part", room: here });
    }
    if (current !== null && landing !== null && current !== landing) {
      request({ type: "switch", room: current });
    }
    this.#outbox.unshift(...requests);
    for (const room of this.#unread.keys()) {
      if (!before.includes(room)) this.#unread.delete(room);
    }
  }

  // What was said in the room while away: the history less what was shown
  // already (lines older than the newest shown before) and your own lines.
  #missed(history: unknown, since: number): ChatLine[] {
    const me = nameKey(this.#me);
    const missed: ChatLine[] = [];
    for (const line of _history(history)) {
      const clean = {
        ...line,
        from: _clean(line.from),
        text: _clean(line.text),
      };
      if (this.#seen.has(_key(clean)) || clean.time < since) continue;
      const own = nameKey(clean.from) === me
        ? this.#ownSent.indexOf(clean.text)
        : -1;
      if (own >= 0) this.#ownSent.splice(own, 1);
      else missed.push(clean);
      this.#see(clean);
    }
    return missed;
  }

  // A room joined again after a reconnect: only what was missed there is
  // shown (marked, and counted as unread, unless it is the room that will
  // be current again).
  #onRestored(
    message: Extract<ServerMessage, { type: "joined" }>,
  ): ClientEffect[] {
    const room = _clean(message.room);
    this.#restoring.delete(_roomKey(room));
    const missed = this.#missed(message.history, this.#restoreSince);
    if (this.#restoring.size === 0) this.#ownSent = [];
    this.#enter(message);
    const effects: ClientEffect[] = [];
    const shownIn = this.#restoreCurrent;
    for (const line of missed) {
      const rendered = renderMessage(
        { type: "message", room, ...line },
        { ...this.#render, room: shownIn },
      );
      if (rendered) {
        effects.push({ kind: "print", text: rendered.text, alert: false });
      }
      if (shownIn !== null && room !== shownIn) this.#count(room, line.text);
    }
    return [...effects, ...this.#promptIfChanged()];
  }

  // What was said in a room since you left (a claimed name coming back):
  // under its separator, less what this client showed already, marked and
  // counted as the room's lines are, for the room you are back in.
  #onCatchUp(
    message: Extract<ServerMessage, { type: "catch_up" }>,
  ): ClientEffect[] {
    const room = _clean(String(message.room));
    const fresh = _history(message.lines).filter((line) =>
      !this.#seen.has(
        _key({ ...line, from: _clean(line.from), text: _clean(line.text) }),
      )
    );
    if (fresh.length === 0) return [];
    for (const line of fresh) this.#see(line);
    const shownIn = this.#restoreCurrent ?? this.#room;
    const rendered = renderMessage(
      { ...message, lines: fresh },
      { ...this.#render, room: shownIn },
    );
    if (shownIn !== null && _roomKey(room) !== _roomKey(shownIn)) {
      for (const line of fresh) this.#count(room, _clean(line.text));
    }
    return [
      ...(rendered
        ? [{ kind: "print" as const, text: rendered.text, alert: false }]
        : []),
      ...this.#promptIfChanged(),
    ];
  }

  // Back after a lost connection: what was said meanwhile (the history
  // less what was shown already and your own lines), then who is here.
  #onRejoined(
    message: Extract<ServerMessage, { type: "welcome" }>,
  ): ClientEffect[] {
    const missed = this.#missed(message.history, this.#newest);
    if (this.#restoring.size === 0) this.#ownSent = [];
    const effects = this.#printNotice(
      this.#client.reconnected(this.#options.address, missed.length),
    );
    for (const line of missed) {
      effects.push(
        ...this.#print({ type: "message", room: this.#room ?? "", ...line }),
      );
    }
    if (this.#room !== null) {
      effects.push(...this.#print({
        type: "members",
        room: this.#room,
        names: [...this.members],
        ops: [...(this.#current?.ops ?? [])],
      }));
    }
    return effects;
  }

  // Paces input to the server's flood limit, with a margin: lines can
  // arrive closer together than they were sent.
  #pace(rate: number, burst: number): void {
    const paced = {
      rate: Math.max(0.1, rate * 0.8),
      burst: Math.max(1, Math.floor(burst / 2)),
    };
    this.#bucket = new TokenBucket(paced, this.#now());
    this.#paceMs = Math.ceil(1000 / paced.rate);
  }

  // A public line: shown, and counted (`true`) when its room is not the
  // current one.
  #onRoomLine(message: Extract<ServerMessage, { type: "message" }>): boolean {
    this.#see(message);
    const room = _clean(message.room);
    if (room === this.#room || !this.#rooms.has(room)) return false;
    this.#count(room, _clean(message.text));
    return true;
  }

  #count(room: string, text: string): void {
    const unread = this.#unread.get(room) ?? { count: 0, mention: false };
    unread.count++;
    if (mentions(text, this.#me)) unread.mention = true;
    this.#unread.set(room, unread);
    // Kept in the order the rooms were joined.
    const order = [...this.#rooms.keys()];
    this.#unread = new Map(
      [...this.#unread].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
    );
  }

  // Rooms of a `/rooms` answer, kept for Tab (at most a few hundred).
  #hear(rooms: unknown): void {
    if (!Array.isArray(rooms)) return;
    for (const summary of rooms) {
      if (typeof summary?.room !== "string") continue;
      const room = _clean(summary.room);
      this.#heard.delete(_roomKey(room));
      this.#heard.set(_roomKey(room), room);
      if (this.#heard.size > 500) {
        this.#heard.delete(this.#heard.keys().next().value!);
      }
    }
  }

  // Notes a public line as shown.
  #see(line: ChatLine): void {
    const key = _key(line);
    this.#seen.add(key);
    if (this.#seen.size > SEEN_LIMIT) {
      this.#seen.delete(this.#seen.values().next().value!);
    }
    if (typeof line.time === "number" && line.time > this.#newest) {
      this.#newest = line.time;
    }
  }

  #onNameError(
    message: Extract<ServerMessage, { type: "name_error" }>,
  ): ClientEffect[] {
    if (this.#phase !== "hello") return [];
    if (!this.#options.interactive) {
      return this.#exit(1, sanitizeText(String(message.text)));
    }
    // Back, but the server has not yet noticed the lost connection that
    // holds the name: it will, soon.
    if (this.#joined && message.code === "taken") {
      return [
        { kind: "disconnect" },
        ...this.#retry((seconds) =>
          this.#client.nameStillHeld(this.#me, seconds)
        ),
      ];
    }
    if (!this.#joined) this.#outbox = [];
    // Input ended while waiting: there is nobody to ask.
    if (this.#endAfterWelcome) return this.#leave();
    this.#phase = "naming";
    this.#shownPrompt = this.namePrompt;
    return [
      { kind: "deadline", ms: null },
      ...this.#print(message),
      { kind: "prompt", text: this.namePrompt },
    ];
  }

  /** The prompt asking for another name. */
  get namePrompt(): string {
    return `${STRINGS[this.#options.lang ?? "en"].askAnotherName} `;
  }

  #onNameAnswer(line: string): ClientEffect[] {
    if (line.trim() === "") return [];
    const checked = checkName(line);
    if (!checked.ok) {
      const text = STRINGS[this.#options.lang ?? "en"].nameError(
        checked.code,
        checked.name,
      );
      return this.#print({ type: "error", code: `name_${checked.code}`, text });
    }
    this.#me = checked.name;
    return this.#hello(checked.name);
  }

  #say(line: string): ClientEffect[] {
    if (line.trim() === "") return [];
    const max = this.#maxLineBytes;
    if (max !== null) {
      // As the server counts it: the whole line of the native dialect.
      const bytes = _utf8.encode(
        JSON.stringify({ type: "input", text: line }),
      ).length;
      if (bytes > max) {
        return [
          ...this.#printNotice(this.#client.lineTooLong(bytes, max)),
          ...(this.#options.interactive
            ? [{ kind: "restore", text: line } as const]
            : []),
        ];
      }
    }
    this.#outbox.push({ type: "input", text: line });
    return this.#flush();
  }

  // Notes what a message changes in your rooms; `true` when the prompt may
  // have changed (your name, your current room).
  #track(message: ServerMessage): boolean {
    switch (message.type) {
      case "joined":
        this.#enter(message);
        return true;
      case "parted":
        this.#rooms.delete(_clean(message.room));
        this.#unread.delete(_clean(message.room));
        return true;
      case "current":
        this.#room = message.room === null ? null : _clean(message.room);
        if (this.#room !== null) this.#unread.delete(this.#room);
        return true;
      case "join":
        this.#update(message.room, (room) => {
          const name = _clean(message.name);
          if (!room.members.includes(name)) room.members.push(name);
          if (message.op) room.ops.push(name);
          // A crowd's joins come together: `others` joined with `name`.
          const others = Array.isArray(message.others) ? message.others : [];
          for (const other of others) {
            const clean = _clean(String(other));
            if (!room.members.includes(clean)) room.members.push(clean);
          }
        });
        return false;
      case "part":
        this.#update(message.room, (room) => _without(room, message.name));
        return false;
      case "kick":
        if (_clean(message.name) === this.#me) {
          this.#rooms.delete(_clean(message.room));
          this.#unread.delete(_clean(message.room));
          return true;
        } else {
          this.#update(message.room, (room) => _without(room, message.name));
        }
        return false;
      case "mode":
        if (message.change === "+o" || message.change === "-o") {
          this.#update(message.room, (room) => {
            const name = _clean(message.target ?? "");
            room.ops = room.ops.filter((op) => op !== name);
            if (message.change === "+o") room.ops.push(name);
          });
        }
        return false;
      case "topic":
        if (!message.asked) {
          this.#update(
            message.room,
            (room) => room.topic = _clean(message.text),
          );
        }
        return false;
      case "leave":
        for (const room of this.#rooms.values()) _without(room, message.name);
        return false;
      case "rename": {
        const from = _clean(message.from);
        const to = _clean(message.to);
        const renamed = (name: string) => name === from ? to : name;
        for (const room of this.#rooms.values()) {
          room.members = room.members.map(renamed);
          room.ops = room.ops.map(renamed);
        }
        if (from === this.#me) this.#me = to;
        return true;
      }
      case "members":
        this.#update(message.room, (room) => {
          room.members = _names(message.names);
          room.ops = _names(message.ops);
        });
        return false;
      default:
        return false;
    }
  }

  // You are in a room (a welcome's or a join's), and it is current.
  #enter(state: {
    room: unknown;
    members: unknown;
    ops: unknown;
    topic?: { text?: unknown } | undefined;
  }): void {
    const name = _clean(String(state.room));
    this.#rooms.set(name, {
      members: _names(state.members),
      ops: _names(state.ops),
      topic: state.topic?.text === undefined ? "" : _clean(state.topic.text),
    });
    this.#room = name;
    this.#unread.delete(name);
  }

  #update(room: unknown, change: (room: ClientRoom) => void): void {
    const known = this.#rooms.get(_clean(room));
    if (known !== undefined) change(known);
  }
}

// Room names are unique ignoring case.
function _roomKey(room: string): string {
  return room.toLowerCase();
}

function _without(room: ClientRoom, name: unknown): void {
  const gone = _clean(name);
  room.members = room.members.filter((member) => member !== gone);
  room.ops = room.ops.filter((op) => op !== gone);
}

function _history(value: unknown): ChatLine[] {
  return Array.isArray(value)
    ? value.filter((line): line is ChatLine =>
      typeof line === "object" && line !== null
    )
    : [];
}

function _clean(text: unknown): string {
  return sanitizeText(String(text));
}

function _key(line: ChatLine): string {
  return JSON.stringify([
    line.time,
    line.from,
    line.text,
    line.action ?? false,
  ]);
}

function _names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((name): name is string => typeof name === "string")
    .map(sanitizeText);
}

function _isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}
