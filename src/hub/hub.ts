/**
 * The hub: the chat itself, with no sockets. It keeps server-wide names,
 * private messages and `/reply`, flood control, commands, renames and
 * quits, and shutdown; it holds the {@linkcode Room}s, which keep their
 * members, broadcast and history. It talks to members through
 * {@linkcode Member} and hands them typed messages.
 *
 * @module
 */

import { type Command, parseCommand } from "../protocol/commands.ts";
import { checkName, type NameCheck } from "../protocol/name_rules.ts";
import type {
  ChatLine,
  LeaveReason,
  ServerMessage,
} from "../protocol/messages.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { sanitizeText } from "../protocol/sanitize.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import type { HistoryStore } from "../store/history_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { Member } from "./member.ts";
import { NameIndex } from "./name_index.ts";
import { broadcastOnce, Room } from "./room.ts";
import {
  TokenBucket,
  type TokenBucketOptions,
} from "../protocol/token_bucket.ts";

/** Something the server's console should show. */
export type HubEvent =
  | { kind: "join"; name: string; label: string }
  | {
    kind: "leave";
    name: string;
    label: string;
    reason: LeaveReason;
    detail?: string;
  }
  | { kind: "rename"; from: string; to: string; label: string }
  | { kind: "flood"; name: string; label: string };

/** Options of {@linkcode Hub}. */
export interface HubOptions {
  /**
   * Public messages kept and shown to people who join later.
   * @default {50}
   */
  historySize?: number;
  /**
   * Flood limit per member, or `null` for none.
   * @default {{ rate: 5, burst: 20 }}
   */
  rateLimit?: TokenBucketOptions | null;
  /**
   * Clock, in milliseconds since the epoch.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Receives joins, leaves and renames for the log.
   * @default {() => {}}
   */
  onEvent?: (event: HubEvent) => void;
  /**
   * Name and version announced in `welcome`.
   * @default {"chat"}
   */
  serverName?: string;
  /**
   * Where public lines are kept; the welcome shows the last `historySize`.
   * @default {a MemoryStore keeping `historySize` lines per room}
   */
  store?: HistoryStore;
}

/** Longest quit reason kept, in characters. */
const MAX_REASON_LENGTH = 200;

/**
 * The room every member is in. Only the hub knows its key: nothing on the
 * wire or in the log names a room yet.
 */
const LOBBY = "#general";

/**
 * Milliseconds without a refused line after which a member is told how many
 * of its lines the flood limit dropped.
 */
export const DROPPED_QUIET_MS = 1000;

interface _MemberState {
  // One bucket per member, whatever rooms it is in.
  bucket: TokenBucket | null;
  // Lines refused in a row, told when the member is let through again or
  // has been quiet for a while (see Hub.tick).
  refused: number;
  // When the last line was refused.
  refusedAt: number;
  // Who `/reply` answers: a member, the name of one who has left since, or
  // nobody yet.
  lastPrivateFrom: Member | string | null;
  // The rooms the member is in; today always the lobby alone.
  rooms: Set<Room>;
}

/** Result of {@linkcode Hub.register}. */
export type RegisterResult = NameCheck;

/**
 * The chat: members under server-wide names, in rooms.
 *
 * @example A member joins and speaks
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Hub } from "./hub.ts";
 * import type { Member } from "./member.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 *
 * function fake(): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return { name: "", lang: "en", label: "test", got, deliver: (m) => got.push(m), close() {} };
 * }
 * const hub = new Hub({ now: () => 0 });
 * const ana = fake();
 * const bob = fake();
 * hub.register(ana, "ana");
 * hub.register(bob, "bob");
 * hub.input(ana, "hi bob");
 * assertEquals(bob.got.at(-1), { type: "message", from: "ana", text: "hi bob", time: 0 });
 * ```
 *
 * @example A decoded command goes in through apply()
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Hub } from "./hub.ts";
 * import type { Member } from "./member.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 *
 * function fake(): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return { name: "", lang: "en", label: "test", got, deliver: (m) => got.push(m), close() {} };
 * }
 * const hub = new Hub({ now: () => 0 });
 * const ana = fake();
 * const bob = fake();
 * hub.register(ana, "ana");
 * hub.register(bob, "bob");
 * hub.apply(ana, { kind: "msg", to: "bob", text: "psst" });
 * const message: ServerMessage = { type: "private", from: "ana", to: "bob", text: "psst", time: 0 };
 * assertEquals(bob.got.at(-1), message);
 * assertEquals(ana.got.at(-1), message);
 * ```
 */
export class Hub {
  // Every member, in the order they registered.
  #members = new Map<Member, _MemberState>();
  // Members with refused lines not yet counted to them.
  #flooding = new Set<Member>();
  #names = new NameIndex<Member>();
  #rooms = new Map<string, Room>();
  #lobby: Room;
  #rateLimit: TokenBucketOptions | null;
  #now: () => number;
  #onEvent: (event: HubEvent) => void;
  #serverName: string;

  /** @param options Limits, clock, log and history store. */
  constructor(options: HubOptions = {}) {
    const historySize = options.historySize ?? 50;
    const store = options.store ?? new MemoryStore({ capacity: historySize });
    this.#lobby = new Room(LOBBY, { store, historySize });
    this.#rooms.set(LOBBY, this.#lobby);
    this.#rateLimit = options.rateLimit === undefined
      ? { rate: 5, burst: 20 }
      : options.rateLimit;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#serverName = options.serverName ?? "chat";
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Names of the members, in the order they joined. */
  names(): string[] {
    return [...this.#members.keys()].map((member) => member.name);
  }

  /**
   * Tells whether a member is in the chat.
   *
   * @param member A member.
   * @returns `true` between a successful {@linkcode Hub.register} and the
   * leave.
   */
  has(member: Member): boolean {
    return this.#members.has(member);
  }

  /**
   * Adds a member under a name. On success the member gets `welcome` and
   * everyone else a `join`; on failure nothing is sent, and the caller
   * reports the returned reason (the member may try another name). A name
   * that looks like a member's, in any case (Cyrillic `рое` for `poe`), is
   * `taken`.
   *
   * @param member The new member.
   * @param requested The name asked for.
   * @returns The accepted name, or why it was refused.
   */
  register(member: Member, requested: string): RegisterResult {
    const check = this.#checkFree(requested, null);
    if (!check.ok) return check;
    const time = this.#now();
    member.name = check.name;
    const room = this.#lobby;
    room.broadcast({ type: "join", name: check.name, time }, null);
    room.add(member);
    this.#members.set(member, {
      bucket: this.#rateLimit ? new TokenBucket(this.#rateLimit, time) : null,
      refused: 0,
      refusedAt: 0,
      lastPrivateFrom: null,
      rooms: new Set([room]),
    });
    this.#names.claim(check.name, member);
    const welcome: ServerMessage = {
      type: "welcome",
      name: check.name,
      members: room.names(),
      history: room.recent(),
      server: this.#serverName,
      version: PROTOCOL_VERSION,
    };
    if (this.#rateLimit) {
      welcome.limits = {
        rate: this.#rateLimit.rate,
        burst: this.#rateLimit.burst,
      };
    }
    member.deliver(welcome);
    this.#onEvent({ kind: "join", name: check.name, label: member.label });
    return check;
  }

  /**
   * Removes a member and tells everyone who shared a room with it why, once
   * each. Safe to call more than once.
   *
   * @param member The member leaving.
   * @param reason Why.
   * @param detail Extra words, such as a quit message.
   * @returns `true` if the member was in the chat.
   */
  leave(member: Member, reason: LeaveReason, detail?: string): boolean {
    const state = this.#members.get(member);
    if (state === undefined) return false;
    this.#members.delete(member);
    this.#flooding.delete(member);
    this.#names.release(member.name, member);
    for (const room of state.rooms) room.remove(member);
    // Keep only the name: `/reply` then says they left.
    for (const other of this.#members.values()) {
      if (other.lastPrivateFrom === member) other.lastPrivateFrom = member.name;
    }
    const clean = detail === undefined ? "" : _clip(sanitizeText(detail));
    const message: ServerMessage = {
      type: "leave",
      name: member.name,
      reason,
      time: this.#now(),
    };
    if (clean) message.detail = clean;
    // At shutdown everybody is told the server is going: N leave notices
    // to N members would only cost N² lines.
    if (reason !== "shutdown") broadcastOnce(state.rooms, message);
    const event: HubEvent = {
      kind: "leave",
      name: member.name,
      label: member.label,
      reason,
    };
    if (clean) event.detail = clean;
    this.#onEvent(event);
    return true;
  }

  /**
   * Handles one line a member typed: a message or a `/command`. Blank lines
   * are ignored; the rest is {@linkcode parseCommand parsed} and
   * {@linkcode Hub.apply applied}.
   *
   * @param member Who typed it.
   * @param line The line, without its line ending.
   */
  input(member: Member, line: string): void {
    if (line.trim() === "") return;
    this.apply(member, parseCommand(line));
  }

  /**
   * Carries out what a member asks for, however its dialect wrote it: every
   * command costs one token of the member's flood bucket. A member over its
   * limit is told once that its lines are being refused, and when it is let
   * through again, first, how many were (both `error` `slow_down`); one that
   * goes on flooding is dropped. Commands from someone who is not a member
   * are ignored.
   *
   * @param member Who asks.
   * @param command What for.
   */
  apply(member: Member, command: Command): void {
    const state = this.#members.get(member);
    if (state === undefined) return;
    if (state.bucket !== null && !state.bucket.take(this.#now())) {
      this.#refuse(member, state);
      return;
    }
    if (state.refused > 0) this.#countDropped(member, state);
    this.#run(member, state, command);
  }

  /**
   * Tells each member whose lines were refused, once it has been quiet for
   * {@linkcode DROPPED_QUIET_MS}, how many were dropped: a netcat user who
   * pasted too much and stopped learns it without typing again. The
   * server's one ticker calls it.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void {
    for (const member of this.#flooding) {
      const state = this.#members.get(member);
      if (state === undefined) this.#flooding.delete(member);
      else if (now - state.refusedAt >= DROPPED_QUIET_MS) {
        this.#countDropped(member, state);
      }
    }
  }

  #countDropped(member: Member, state: _MemberState): void {
    this.#error(
      member,
      "slow_down",
      STRINGS[member.lang].dropped(state.refused),
    );
    state.refused = 0;
    this.#flooding.delete(member);
  }

  /**
   * Tells every member the server is shutting down and closes them, without
   * leave notices (everyone is going).
   */
  shutdown(): void {
    this.#flooding.clear();
    for (const room of this.#rooms.values()) room.clear();
    const everyone = [...this.#members.keys()];
    for (const member of everyone) {
      this.#members.delete(member);
      this.#names.release(member.name, member);
      member.deliver({
        type: "bye",
        reason: "shutdown",
        text: STRINGS[member.lang].shuttingDown,
      });
      member.close("shutdown");
    }
  }

  #refuse(member: Member, state: _MemberState): void {
    state.refused++;
    state.refusedAt = this.#now();
    this.#flooding.add(member);
    const burst = this.#rateLimit?.burst ?? 20;
    if (state.refused === 1) {
      this.#error(member, "slow_down", STRINGS[member.lang].slowDown);
    } else if (state.refused > burst * 2) {
      this.#onEvent({ kind: "flood", name: member.name, label: member.label });
      this.leave(member, "flood");
      member.deliver({
        type: "bye",
        reason: "flood",
        text: STRINGS[member.lang].bye("flood"),
      });
      member.close("flood");
    }
  }

  #run(member: Member, state: _MemberState, command: Command): void {
    const strings = STRINGS[member.lang];
    switch (command.kind) {
      case "say":
      case "me": {
        const text = sanitizeText(command.text).trimEnd();
        if (text === "") return;
        const line: ChatLine = { from: member.name, text, time: this.#now() };
        if (command.kind === "me") line.action = true;
        this.#lobby.say(member, line);
        return;
      }
      case "msg":
        this.#private(member, this.#names.holder(command.to), {
          to: command.to,
          text: command.text,
        });
        return;
      case "reply": {
        const to = state.lastPrivateFrom;
        if (to === null) {
          this.#error(member, "no_reply", strings.noOneToReply);
          return;
        }
        if (typeof to === "string") {
          this.#error(member, "no_reply", strings.replyTargetLeft(to));
          return;
        }
        this.#private(member, to, { to: to.name, text: command.text });
        return;
      }
      case "who":
        member.deliver({ type: "members", names: this.names() });
        return;
      case "nick":
        this.#rename(member, state, command.name);
        return;
      case "help":
        member.deliver({ type: "info", code: "help", text: strings.help });
        return;
      case "quit": {
        this.leave(member, "quit", command.reason);
        member.deliver({
          type: "bye",
          reason: "quit",
          text: strings.bye("quit"),
        });
        member.close("quit", command.reason);
        return;
      }
      case "usage":
        this.#error(member, "usage", strings.commandUsage(command.usage));
        return;
      case "unknown":
        this.#error(
          member,
          "unknown_command",
          strings.unknownCommand(sanitizeText(command.command).slice(0, 32)),
        );
        return;
    }
  }

  #private(
    from: Member,
    to: Member | undefined,
    request: { to: string; text: string },
  ): void {
    const strings = STRINGS[from.lang];
    const target = to === undefined ? undefined : this.#members.get(to);
    if (to === undefined || target === undefined) {
      const asked = sanitizeText(request.to).slice(0, 32);
      this.#error(from, "unknown_user", strings.unknownUser(asked));
      return;
    }
    if (to === from) {
      this.#error(from, "self", strings.cannotMessageYourself);
      return;
    }
    const text = sanitizeText(request.text).trimEnd();
    if (text === "") {
      this.#error(from, "empty", strings.emptyMessage);
      return;
    }
    const message: ServerMessage = {
      type: "private",
      from: from.name,
      to: to.name,
      text,
      time: this.#now(),
    };
    target.lastPrivateFrom = from;
    to.deliver(message);
    from.deliver(message);
  }

  #rename(member: Member, state: _MemberState, requested: string): void {
    const check = this.#checkFree(requested, member);
    if (!check.ok) {
      this.#error(
        member,
        `name_${check.code}`,
        STRINGS[member.lang].nameError(check.code, check.name),
      );
      return;
    }
    if (check.name === member.name) {
      this.#error(member, "name_unchanged", STRINGS[member.lang].nameUnchanged);
      return;
    }
    const from = member.name;
    this.#names.release(from, member);
    member.name = check.name;
    this.#names.claim(check.name, member);
    // The member is in its own rooms, so it hears of its rename too.
    broadcastOnce(state.rooms, {
      type: "rename",
      from,
      to: check.name,
      time: this.#now(),
    });
    this.#onEvent({
      kind: "rename",
      from,
      to: check.name,
      label: member.label,
    });
  }

  #checkFree(requested: string, self: Member | null): NameCheck {
    const check = checkName(requested);
    if (!check.ok) return check;
    if (this.#names.taken(check.name, self)) {
      return { ok: false, code: "taken", name: check.name };
    }
    return check;
  }

  #error(member: Member, code: string, text: string): void {
    member.deliver({ type: "error", code, text });
  }
}

function _clip(text: string): string {
  const chars = [...text.trim()];
  return chars.length > MAX_REASON_LENGTH
    ? chars.slice(0, MAX_REASON_LENGTH).join("") + "…"
    : chars.join("");
}
