/**
 * One room: its members in the order they joined, its operators, topic,
 * key, topic lock and bans, broadcast to its members, and its public
 * history through a {@linkcode HistoryStore}. Names, private messages,
 * commands, flood control and who may do what belong to the
 * {@linkcode Hub} that holds the rooms.
 *
 * @module
 */

import type {
  ChatLine,
  RoomState,
  RoomSummary,
  RoomTopic,
  ServerMessage,
} from "../protocol/messages.ts";
import { constantTimeEqual } from "../protocol/constant_time_equal.ts";
import { lookalikeKeys, nameKey } from "../protocol/name_rules.ts";
import { roomKey } from "../protocol/room_name.ts";
import type { HistoryStore, StoredLine } from "../store/history_store.ts";
import type { RoomRecord } from "../store/room_store.ts";
import type { Member } from "./member.ts";
import { JoinCrowd, type JoinNotice } from "./join_crowd.ts";

/** Options of {@linkcode Room}. */
export interface RoomOptions {
  /** Where the room's public lines are kept. */
  store: HistoryStore;
  /**
   * Most public lines {@linkcode Room.recent} returns.
   * @default {50}
   */
  historySize?: number;
}

/** A ban: a name (by its look, in any case), and the address it came from. */
export interface RoomBan {
  /** The banned name, as it was written. */
  readonly name: string;
  /** Its look-alike keys: a name sharing one is banned. */
  readonly keys: readonly string[];
  /** The address of the member banned, when it was online; never shown. */
  readonly address: string | null;
  /** Who banned it. */
  readonly by: string;
  /** When, in milliseconds since the epoch. */
  readonly time: number;
}

/** Longest topic text kept, in characters (code points). */
export const MAX_TOPIC_LENGTH = 300;

/** Longest topic shown in a room list, in characters. */
const LIST_TOPIC_LENGTH = 100;

/**
 * One room of the hub.
 *
 * @example Members hear what is said, newcomers read it back
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Room } from "./room.ts";
 * import type { Member } from "./member.ts";
import { JoinCrowd, type JoinNotice } from "./join_crowd.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * function fake(name: string): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return {
 *     name, room: null, lang: "en", label: "test", address: "10.0.0.1", got,
 *     deliver: (m) => got.push(m), close() {},
 *   };
 * }
 * const room = new Room("#general", { store: new MemoryStore() });
 * const ana = fake("ana");
 * const bob = fake("bob");
 * room.add(ana);
 * room.add(bob);
 * room.say(ana, { from: "ana", text: "hi", time: 0 });
 * assertEquals(bob.got, [{ type: "message", room: "#general", from: "ana", text: "hi", time: 0, id: 1 }]);
 * assertEquals(ana.got, []);
 * assertEquals(room.recent(), [{ from: "ana", text: "hi", time: 0, id: 1 }]);
 * ```
 */
export class Room {
  /** The room's name, as it was created (`#general`). */
  readonly name: string;
  /** The room's key in the store: its name ignoring case (`#general`). */
  readonly key: string;
  /** The topic, or `null`. */
  topic: RoomTopic | null = null;
  /** Whether only operators may set the topic. */
  topicLocked = false;
  /**
   * When the room was last joined, spoken in or changed, in milliseconds
   * since the epoch: a full server replaces the empty room idle longest.
   */
  lastActive = 0;
  // Join order, for broadcast loops and names(); the set answers has().
  #list: Member[] = [];
  #set = new Set<Member>();
  #ops = new Set<Member>();
  #voiced = new Set<Member>();
  #joinKey: string | null = null;
  // The key as kept across a restart: its salted hash, checked until a
  // right guess makes the key itself known again.
  #keyHash: string | null = null;
  // Name keys of operators who were not back yet since a restart: each
  // is an operator again on joining.
  #savedOps = new Set<string>();
  // The same for members with voice.
  #savedVoices = new Set<string>();
  #bans: RoomBan[] = [];
  #store: HistoryStore;
  #historySize: number;
  #crowd = new JoinCrowd();

  /**
   * @param name The room's name, already checked.
   * @param options Where its history is kept, and how much is shown.
   */
  constructor(name: string, options: RoomOptions) {
    this.name = name;
    this.key = roomKey(name);
    this.#store = options.store;
    this.#historySize = options.historySize ?? 50;
  }

  /** Number of members. */
  get size(): number {
    return this.#list.length;
  }

  /** The members, in the order they joined (a live view: do not keep it). */
  get members(): readonly Member[] {
    return this.#list;
  }

  /** Names of the members, in the order they joined. */
  names(): string[] {
    return this.#list.map((member) => member.name);
  }

  /** Names of the operators, in the order they joined. */
  opNames(): string[] {
    if (this.#ops.size === 0) return [];
    return this.#list.filter((member) => this.#ops.has(member)).map((
      member,
    ) => member.name);
  }

  /** Names of the members with voice, in the order they joined. */
  voicedNames(): string[] {
    if (this.#voiced.size === 0) return [];
    return this.#list.filter((member) => this.#voiced.has(member)).map((
      member,
    ) => member.name);
  }

  /**
   * Tells whether a member is in the room.
   *
   * @param member A member.
   * @returns `true` between {@linkcode Room.add} and {@linkcode Room.remove}.
   */
  has(member: Member): boolean {
    return this.#set.has(member);
  }

  /**
   * Adds a member after everyone already in. Nobody is told: the hub
   * decides what to announce.
   *
   * @param member The member; adding one already in changes nothing.
   */
  add(member: Member): void {
    if (this.#set.has(member)) return;
    this.#set.add(member);
    this.#list.push(member);
  }

  /**
   * Removes a member, and its operator status with it. Nobody is told.
   *
   * @param member The member.
   * @returns `true` if the member was in the room.
   */
  remove(member: Member): boolean {
    if (!this.#set.has(member)) return false;
    this.flushJoins();
    this.#set.delete(member);
    this.#ops.delete(member);
    this.#voiced.delete(member);
    this.#list.splice(this.#list.indexOf(member), 1);
    return true;
  }

  /**
   * Removes every member at once, for shutdown.
   *
   * @returns The members it had, in join order.
   */
  clear(): Member[] {
    this.flushJoins();
    const everyone = this.#list;
    this.#list = [];
    this.#set.clear();
    this.#ops.clear();
    this.#voiced.clear();
    return everyone;
  }

  /**
   * Tells whether a member is an operator of the room.
   *
   * @param member A member.
   * @returns `true` for an operator (always a member).
   */
  isOp(member: Member): boolean {
    return this.#ops.has(member);
  }

  /**
   * Makes a member an operator, or no longer one.
   *
   * @param member A member of the room.
   * @param on Whether it is to be one.
   * @returns `true` if that changed anything.
   */
  setOp(member: Member, on: boolean): boolean {
    if (!this.#set.has(member) || this.#ops.has(member) === on) return false;
    if (on) this.#ops.add(member);
    else this.#ops.delete(member);
    return true;
  }

  /**
   * Tells whether a member has voice in the room (`/voice`, IRC `+v`).
   *
   * @param member A member.
   * @returns `true` for a member with voice.
   */
  isVoiced(member: Member): boolean {
    return this.#voiced.has(member);
  }

  /**
   * Gives a member voice, or takes it away.
   *
   * @param member A member of the room.
   * @param on Whether it is to have it.
   * @returns `true` if that changed anything.
   */
  setVoice(member: Member, on: boolean): boolean {
    if (!this.#set.has(member) || this.#voiced.has(member) === on) {
      return false;
    }
    if (on) this.#voiced.add(member);
    else this.#voiced.delete(member);
    return true;
  }

  /**
   * Whether the store should hear of a member leaving: it was an operator
   * or had voice, which the room's record loses with it.
   *
   * @param member A member.
   * @returns `true` when its leaving changes the record.
   */
  keepsStatusOf(member: Member): boolean {
    return this.#ops.has(member) || this.#voiced.has(member);
  }

  /** Whether joining needs a key. */
  get hasKey(): boolean {
    return this.#joinKey !== null || this.#keyHash !== null;
  }

  /**
   * Sets or removes the key that joining needs.
   *
   * @param key The key, or `null` for none.
   * @param hash The key's salted hash, as the store keeps it
   * (`hashRoomKey`), or `null` when it is not kept.
   */
  setKey(key: string | null, hash: string | null = null): void {
    this.#joinKey = key;
    this.#keyHash = key === null ? null : hash;
  }

  /**
   * Gives the room back the key it had before a restart: only its hash is
   * known until someone gives the key.
   *
   * @param hash What `hashRoomKey` made of the key.
   */
  restoreKey(hash: string): void {
    this.#joinKey = null;
    this.#keyHash = hash;
  }

  /** The key's salted hash, when the store keeps it. */
  get keyHash(): string | null {
    return this.#keyHash;
  }

  /**
   * Whether checking a guess costs a slow hash (the key is known by its
   * hash only, since a restart): the hub rations those checks.
   */
  get checksHash(): boolean {
    return this.#joinKey === null && this.#keyHash !== null;
  }

  /**
   * Tells whether a guess is the room's key, in constant time.
   *
   * @param guess What the joiner gave, or `undefined`.
   * @param verify Checks a guess against the key's hash (`verifyRoomKey`),
   * when only the hash is known.
   * @returns `true` when the room has no key, or the guess is it.
   */
  keyMatches(
    guess: string | undefined,
    verify?: (guess: string, hash: string) => boolean,
  ): boolean {
    const key = this.#joinKey;
    const hash = this.#keyHash;
    if (key === null && hash === null) return true;
    if (guess === undefined) return false;
    if (key !== null) return constantTimeEqual(guess, key);
    if (verify === undefined || !verify(guess, hash!)) return false;
    // Known again: later guesses are checked without the hash.
    this.#joinKey = guess;
    return true;
  }

  /**
   * Whether the room stays when its last member leaves: it has a topic or
   * a key.
   */
  get lasting(): boolean {
    return this.topic !== null || this.hasKey;
  }

  /**
   * Makes names operators again when they come back (after a restart).
   *
   * @param keys The operators' name keys (`nameKey`).
   */
  restoreOps(keys: readonly string[]): void {
    for (const key of keys) this.#savedOps.add(key);
  }

  /**
   * Gives names voice again when they come back (after a restart).
   *
   * @param keys The name keys (`nameKey`) of the members with voice.
   */
  restoreVoices(keys: readonly string[]): void {
    for (const key of keys) this.#savedVoices.add(key);
  }

  /**
   * Tells whether a member joining had voice before a restart, and
   * forgets it: the caller gives it voice again.
   *
   * @param member The member joining.
   * @returns `true` once for each member with voice that comes back.
   */
  claimsVoice(member: Member): boolean {
    return this.#savedVoices.size > 0 &&
      this.#savedVoices.delete(nameKey(member.name));
  }

  /** Whether operators from before a restart are still to come back. */
  get awaitsOps(): boolean {
    return this.#savedOps.size > 0;
  }

  /**
   * Tells whether a member joining was an operator before a restart, and
   * forgets it: the caller makes it one again.
   *
   * @param member The member joining.
   * @returns `true` once for each operator that comes back.
   */
  claimsOp(member: Member): boolean {
    return this.#savedOps.delete(nameKey(member.name));
  }

  /**
   * Takes a kept record of the room (after a restart, from the store; in a
   * cluster, from the node that answered this one's start), replacing its
   * topic, key, topic lock, bans, and the operators and members with voice
   * still to come back (those here keep what they have).
   *
   * @param record The record.
   * @param lobby Whether this is the default room, which has no operators
   * but the server's.
   */
  adopt(record: RoomRecord, lobby = false): void {
    this.topic = record.topic === undefined ? null : { ...record.topic };
    if (record.keyHash !== undefined) this.restoreKey(record.keyHash);
    else this.setKey(null);
    this.topicLocked = record.modes?.includes("t") ?? false;
    const here = new Set(this.#list.map((member) => nameKey(member.name)));
    const away = (keys: readonly string[]) =>
      new Set(keys.filter((key) => !here.has(key)));
    this.#savedOps = lobby ? new Set() : away(record.operators);
    this.#savedVoices = away(record.voiced ?? []);
    this.#bans = [];
    for (const ban of record.bans) {
      this.ban({
        name: ban.name,
        keys: lookalikeKeys(ban.name),
        address: ban.address ?? null,
        by: ban.by ?? "",
        time: ban.time ?? 0,
      });
    }
  }

  /**
   * What the store keeps of the room: topic, key hash, topic lock,
   * operators and members with voice (those here, and those not back
   * since a restart) and bans.
   *
   * @returns A new record.
   */
  record(): RoomRecord {
    const operators = new Set(this.#savedOps);
    for (const member of this.#ops) operators.add(nameKey(member.name));
    const voiced = new Set(this.#savedVoices);
    for (const member of this.#voiced) voiced.add(nameKey(member.name));
    return {
      room: this.key,
      name: this.name,
      ...(this.topic === null ? {} : { topic: this.topic }),
      ...(this.#keyHash === null ? {} : { keyHash: this.#keyHash }),
      ...(this.topicLocked ? { modes: "t" } : {}),
      operators: [...operators],
      ...(voiced.size === 0 ? {} : { voiced: [...voiced] }),
      bans: this.#bans.map((ban) => ({
        name: ban.name,
        ...(ban.address === null ? {} : { address: ban.address }),
        by: ban.by,
        time: ban.time,
      })),
    };
  }

  /** The bans, oldest first. */
  get bans(): readonly RoomBan[] {
    return this.#bans;
  }

  /**
   * Tells whether a member may not join: its name looks like a banned one,
   * or it comes from a banned address.
   *
   * @param member A member.
   * @returns `true` when banned.
   */
  isBanned(member: Member): boolean {
    if (this.#bans.length === 0) return false;
    const keys = lookalikeKeys(member.name);
    return this.#bans.some((ban) =>
      ban.address === member.address ||
      ban.keys.some((key) => keys.includes(key))
    );
  }

  /**
   * Bans a name and, when given, an address; a name already banned gets
   * the new address too.
   *
   * @param ban The ban.
   * @returns `false` when that name and address were banned already.
   */
  ban(ban: RoomBan): boolean {
    const same = this.#bans.findIndex((old) =>
      old.keys.some((key) => ban.keys.includes(key))
    );
    if (same < 0) {
      this.#bans.push(ban);
      return true;
    }
    const old = this.#bans[same]!;
    if (ban.address === null || old.address === ban.address) return false;
    this.#bans[same] = { ...old, address: ban.address };
    return true;
  }

  /**
   * Lifts the bans of a name (by its look), and of the addresses that came
   * with it.
   *
   * @param name A name.
   * @returns The name as it was banned, or `undefined` when it was not.
   */
  unban(name: string): string | undefined {
    const keys = lookalikeKeys(name);
    const lifted = this.#bans.filter((ban) =>
      ban.keys.some((key) => keys.includes(key))
    );
    if (lifted.length === 0) return undefined;
    this.#bans = this.#bans.filter((ban) => !lifted.includes(ban));
    return lifted[0]!.name;
  }

  /**
   * Hands one message to every member, in join order. Every member gets the
   * SAME object: transports cache its encoding.
   *
   * @param message The message.
   * @param except A member not to send it to (its sender), or `null`.
   */
  broadcast(message: ServerMessage, except: Member | null): void {
    if (this.#crowd.holding) this.#crowd.flush(this.#list);
    // Indexed loop over the live list: a member dropped during the loop
    // (slow reader) only leaves the room later, from its read loop.
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const member = list[i]!;
      if (member !== except) member.deliver(message);
    }
  }

  /**
   * Tells the room that someone joins, before it is added: at once, or,
   * when a crowd is arriving, with the joins around it (see
   * {@linkcode JoinCrowd}).
   *
   * @param joiner Who joins.
   * @param notice Its join notice.
   */
  announceJoin(joiner: Member, notice: JoinNotice): void {
    if (!this.#crowd.hold(joiner, notice, this.#list)) {
      this.broadcast(notice, null);
    }
  }

  /** Tells the joins held for a crowd now (the server's tick calls it). */
  flushJoins(): void {
    if (this.#crowd.holding) this.#crowd.flush(this.#list);
  }

  /**
   * Keeps a public line in the history and sends it to everyone but its
   * sender.
   *
   * @param from Who said it.
   * @param line The line, sanitised and stamped.
   */
  say(from: Member, line: ChatLine): void {
    const { id } = this.#store.append(this.key, line);
    this.lastActive = line.time;
    this.broadcast(
      { type: "message", room: this.name, ...line, id },
      from.echoes ? null : from,
    );
  }

  /**
   * The recent public lines, oldest first, as they go on the wire (each
   * with its id).
   *
   * @param limit Most lines.
   * @param before Only lines whose id is below this one.
   * @returns A new array of at most `limit` lines.
   */
  recent(limit: number = this.#historySize, before?: number): ChatLine[] {
    return _withIds(this.#store.recent(this.key, limit, before));
  }

  /**
   * The room's oldest lines newer than an id, oldest first, each with its
   * id.
   *
   * @param limit Most lines returned.
   * @param after Only lines whose id is above this one.
   * @returns At most `limit` lines.
   */
  following(limit: number, after: number): ChatLine[] {
    return _withIds(this.#store.following(this.key, limit, after));
  }

  /**
   * Tells whether the room has lines older than an id.
   *
   * @param id A line's id.
   * @returns `true` when at least one is kept.
   */
  hasOlder(id: number): boolean {
    return this.#store.recent(this.key, 1, id).length > 0;
  }

  /**
   * The room's lines holding every word, newest first, each with its id.
   *
   * @param words What to look for.
   * @param before Only lines whose id is below this one.
   * @returns At most 20 lines.
   */
  search(words: string, before?: number): ChatLine[] {
    return _withIds(
      this.#store.search(
        this.key,
        words,
        before === undefined ? {} : { before },
      ),
    );
  }

  /**
   * What a member learns of the room on joining it.
   *
   * @returns Its members, operators, topic, key and lock, and history.
   */
  state(): RoomState {
    const state: RoomState = {
      room: this.name,
      members: this.names(),
      ops: this.opNames(),
      history: this.recent(),
    };
    if (this.#voiced.size > 0) state.voiced = this.voicedNames();
    if (this.topic !== null) state.topic = this.topic;
    if (this.hasKey) state.key = true;
    if (this.topicLocked) state.topicLocked = true;
    return state;
  }

  /**
   * The room's line in a room list.
   *
   * @returns Its name, member count, shortened topic and key.
   */
  summary(): RoomSummary {
    const summary: RoomSummary = { room: this.name, members: this.size };
    if (this.topic !== null) {
      summary.topic = clipText(this.topic.text, LIST_TOPIC_LENGTH);
    }
    if (this.hasKey) summary.key = true;
    return summary;
  }
}

// Stored lines as they go on the wire: the line and its id.
function _withIds(stored: readonly StoredLine[]): ChatLine[] {
  return stored.map(({ id, line }) => ({ ...line, id }));
}

/**
 * Cuts a text to at most `max` characters (code points), marking the cut
 * with `…`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { clipText } from "./room.ts";
 *
 * assertEquals(clipText("abcdef", 3), "abc…");
 * assertEquals(clipText("abc", 3), "abc");
 * ```
 *
 * @param text The text.
 * @param max Most characters kept.
 * @returns The text, or its start and `…`.
 */
export function clipText(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join("") + "…" : text;
}

/**
 * Hands one message (the same object) exactly once to every member of the
 * given rooms, however many of them a member is in: how a rename or a quit
 * reaches everyone who shares a room with the member.
 *
 * @example A member in two rooms hears of a rename once
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { broadcastOnce, Room } from "./room.ts";
 * import type { Member } from "./member.ts";
import { JoinCrowd, type JoinNotice } from "./join_crowd.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * function fake(name: string): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return {
 *     name, room: null, lang: "en", label: "test", address: "10.0.0.1", got,
 *     deliver: (m) => got.push(m), close() {},
 *   };
 * }
 * const store = new MemoryStore();
 * const general = new Room("#general", { store });
 * const games = new Room("#games", { store });
 * const ana = fake("ana");
 * const bob = fake("bob");
 * general.add(ana);
 * general.add(bob);
 * games.add(bob);
 * broadcastOnce(new Set([general, games]), { type: "rename", from: "bob", to: "bo", time: 0 });
 * assertEquals(ana.got.length, 1);
 * assertEquals(bob.got.length, 1);
 * ```
 *
 * @param rooms The rooms.
 * @param message The message.
 */
export function broadcastOnce(
  rooms: ReadonlySet<Room>,
  message: ServerMessage,
): void {
  if (rooms.size === 1) {
    // The common case needs no set of recipients.
    for (const room of rooms) room.broadcast(message, null);
    return;
  }
  const told = new Set<Member>();
  for (const room of rooms) {
    room.flushJoins();
    for (const member of room.members) told.add(member);
  }
  for (const member of told) member.deliver(message);
}
