/**
 * One room: its members in the order they joined, broadcast to them, and its
 * public history through a {@linkcode HistoryStore}. Names, private
 * messages, commands and flood control belong to the {@linkcode Hub} that
 * holds the rooms.
 *
 * @module
 */

import type { ChatLine, ServerMessage } from "../protocol/messages.ts";
import type { HistoryStore } from "../store/history_store.ts";
import type { Member } from "./member.ts";

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

/**
 * One room of the hub.
 *
 * @example Members hear what is said, newcomers read it back
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Room } from "./room.ts";
 * import type { Member } from "./member.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * function fake(name: string): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return { name, lang: "en", label: "test", got, deliver: (m) => got.push(m), close() {} };
 * }
 * const room = new Room("#general", { store: new MemoryStore() });
 * const ana = fake("ana");
 * const bob = fake("bob");
 * room.add(ana);
 * room.add(bob);
 * room.say(ana, { from: "ana", text: "hi", time: 0 });
 * assertEquals(bob.got, [{ type: "message", from: "ana", text: "hi", time: 0 }]);
 * assertEquals(ana.got, []);
 * assertEquals(room.recent(), [{ from: "ana", text: "hi", time: 0 }]);
 * ```
 */
export class Room {
  /** The room's key in the hub and the store (`#general`). */
  readonly key: string;
  // Join order, for broadcast loops and names(); the set answers has().
  #list: Member[] = [];
  #set = new Set<Member>();
  #store: HistoryStore;
  #historySize: number;

  /**
   * @param key The room's key.
   * @param options Where its history is kept, and how much is shown.
   */
  constructor(key: string, options: RoomOptions) {
    this.key = key;
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
   * Removes a member. Nobody is told.
   *
   * @param member The member.
   * @returns `true` if the member was in the room.
   */
  remove(member: Member): boolean {
    if (!this.#set.delete(member)) return false;
    this.#list.splice(this.#list.indexOf(member), 1);
    return true;
  }

  /**
   * Removes every member at once, for shutdown.
   *
   * @returns The members it had, in join order.
   */
  clear(): Member[] {
    const everyone = this.#list;
    this.#list = [];
    this.#set.clear();
    return everyone;
  }

  /**
   * Hands one message to every member, in join order. Every member gets the
   * SAME object: transports cache its encoding.
   *
   * @param message The message.
   * @param except A member not to send it to (its sender), or `null`.
   */
  broadcast(message: ServerMessage, except: Member | null): void {
    // Indexed loop over the live list: a member dropped during the loop
    // (slow reader) only leaves the room later, from its read loop.
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const member = list[i]!;
      if (member !== except) member.deliver(message);
    }
  }

  /**
   * Keeps a public line in the history and sends it to everyone but its
   * sender.
   *
   * @param from Who said it.
   * @param line The line, sanitised and stamped.
   */
  say(from: Member, line: ChatLine): void {
    this.#store.append(this.key, line);
    this.broadcast({ type: "message", ...line }, from);
  }

  /**
   * The recent public lines, oldest first, as they go on the wire.
   *
   * @returns A new array of at most `historySize` lines.
   */
  recent(): ChatLine[] {
    return this.#store.recent(this.key, this.#historySize).map((stored) =>
      stored.line
    );
  }
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
 * import type { ServerMessage } from "../protocol/messages.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 *
 * function fake(name: string): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return { name, lang: "en", label: "test", got, deliver: (m) => got.push(m), close() {} };
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
    for (const member of room.members) told.add(member);
  }
  for (const member of told) member.deliver(message);
}
