/**
 * The hub: the chat itself, with no sockets. It keeps server-wide names,
 * the rooms (by name, unique by their look as names are), which rooms each
 * member is in and which one is its current room, private messages and
 * `/reply`, flood control, commands (room operators' and server
 * operators' included), renames and quits, and shutdown. The
 * {@linkcode Room}s keep their members, operators, topic, key, bans,
 * broadcast and history. It talks to members through {@linkcode Member}
 * and hands them typed messages.
 *
 * @module
 */

import { type Command, parseCommand } from "../protocol/commands.ts";
import type { Peer } from "../protocol/codec.ts";
import { constantTimeEqual } from "../protocol/constant_time_equal.ts";
import {
  checkName,
  lookalikeKeys,
  type NameCheck,
} from "../protocol/name_rules.ts";
import type {
  ChatLine,
  LeaveReason,
  ModeChange,
  RoomState,
  RoomSummary,
  ServerMessage,
} from "../protocol/messages.ts";
import {
  DEFAULT_HISTORY_PAGE,
  MAX_HISTORY_PAGE,
  PROTOCOL_VERSION,
} from "../protocol/messages.ts";
import { checkRoomName, roomKey } from "../protocol/room_name.ts";
import { SERVE_DEFAULTS } from "../config.ts";
import {
  sanitizeKeepingFormatting,
  sanitizeText,
} from "../protocol/sanitize.ts";
import {
  type RoomErrorCode,
  type RoomNameErrorCode,
  STRINGS,
} from "../i18n/server_strings.ts";
import { type HistoryStore, MAX_SEARCH_PAGE } from "../store/history_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { RoomRecord, RoomStore } from "../store/room_store.ts";
import { hashRoomKey, verifyRoomKey } from "../store/room_key.ts";
import type { StoreStatus } from "../store/sqlite_store.ts";
import type { Member } from "./member.ts";
import { NameIndex } from "./name_index.ts";
import { ClaimRegistry, type Credential } from "./claim_registry.ts";
import type { ClaimRecord } from "../store/claim_store.ts";
import { CLAIM_STRINGS } from "../i18n/claim_strings.ts";
import { MAX_PASSWORD_LENGTH } from "../store/password_hash.ts";
import { broadcastOnce, clipText, MAX_TOPIC_LENGTH, Room } from "./room.ts";
import {
  TokenBucket,
  type TokenBucketOptions,
} from "../protocol/token_bucket.ts";

/** Something the server's console should show. */
export type HubEvent =
  /** Someone came to the server (and was placed in its default room). */
  | { kind: "join"; name: string; label: string }
  | {
    kind: "leave";
    name: string;
    label: string;
    reason: LeaveReason;
    detail?: string;
  }
  | { kind: "rename"; from: string; to: string; label: string }
  | { kind: "flood"; name: string; label: string }
  /** A member already here joined a room. */
  | { kind: "room_join"; room: string; name: string; label: string }
  | {
    kind: "room_part";
    room: string;
    name: string;
    label: string;
    reason?: string;
  }
  /** `label` is the operator's. */
  | {
    kind: "kick";
    room: string;
    name: string;
    by: string;
    label: string;
    reason?: string;
  }
  /** A room's modes changed (operators, key, bans, topic lock); never the key itself. */
  | {
    kind: "mode";
    room: string;
    by: string;
    label: string;
    change: ModeChange;
    target?: string;
  }
  /** A room's topic was set, or cleared (`text` `""`). */
  | { kind: "topic"; room: string; by: string; label: string; text: string }
  /** Someone asked to be a server operator; never the password. */
  | { kind: "oper"; name: string; label: string; granted: boolean };

/** Options of {@linkcode Hub}. */
export interface HubOptions {
  /**
   * Public messages kept and shown to people who join a room.
   * @default {50}
   */
  historySize?: number;
  /**
   * Flood limit per member (whatever rooms it is in), or `null` for none.
   * @default {{ rate: 5, burst: 20 }}
   */
  rateLimit?: TokenBucketOptions | null;
  /**
   * Clock, in milliseconds since the epoch.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Receives joins, leaves, renames and room events for the log.
   * @default {() => {}}
   */
  onEvent?: (event: HubEvent) => void;
  /**
   * Name and version announced in `welcome`.
   * @default {"chat"}
   */
  serverName?: string;
  /**
   * Where public lines are kept; a join shows the last `historySize`, a
   * claimed name coming back up to `catchUp` of what was said since it left.
   * @default {a MemoryStore keeping `historySize` (or `catchUp`, if more) lines per room}
   */
  store?: HistoryStore;
  /**
   * Where rooms' records are kept across a restart: the hub restores the
   * rooms it finds at start (topic, key, topic lock, operators, bans) and
   * saves each change.
   * @default {undefined} rooms are forgotten when the program ends
   */
  rooms?: RoomStore;
  /**
   * The room every member is placed in on arrival; it always exists, and
   * has no operators but the server's.
   * @default {"#general"}
   */
  defaultRoom?: string;
  /**
   * Most rooms at once; a full server replaces the empty room that was
   * idle longest, and refuses a new room only when every room has members.
   * 0 = no limit.
   * @default {1000}
   */
  maxRooms?: number;
  /**
   * Most rooms one member may be in at once; 0 = no limit.
   * @default {20}
   */
  maxRoomsPerUser?: number;
  /**
   * The password of `/oper`, which makes a member a server operator (who
   * may do what room operators do, in every room, and join any room), or
   * `null` for none.
   * @default {null}
   */
  operPassword?: string | null;
  /**
   * The longest line the server takes, in bytes, told in `welcome` so that
   * clients check a line before they send it; left out of the welcome when
   * not given.
   * @default {undefined}
   */
  maxLineBytes?: number;
  /**
   * The claimed names (see {@linkcode ClaimRegistry}).
   * @default {a registry in memory, with the hub's clock}
   */
  claims?: ClaimRegistry;
  /**
   * Most lines per room shown to a claimed name coming back, of what was
   * said since it left (`--catch-up`); the history store must keep them.
   * @default {200}
   */
  catchUp?: number;
  /**
   * Where members' commands go before they are carried out, for a cluster
   * (see {@linkcode HubRelay}).
   * @default {undefined} carried out at once
   */
  relay?: HubRelay;
}

/**
 * What a cluster's node needs of the hub's traffic: each command of a
 * member (past the flood limit) and each arrival and leave. The relay
 * publishes them; every node then carries commands out in the bus's one
 * order, through {@linkcode Hub.replay}.
 */
export interface HubRelay {
  /**
   * A member's command, past the flood limit.
   *
   * @returns `true` if the relay took it (it comes back through
   * {@linkcode Hub.replay}), `false` to carry it out now.
   */
  command(member: Member, command: Command, options: ApplyOptions): boolean;
  /** A member was registered (told after its welcome). */
  joined(member: Member): void;
  /** A member left (told after its rooms were). */
  left(member: Member, reason: LeaveReason, detail: string | undefined): void;
  /**
   * How the cluster is, told to server operators with `/rooms`.
   * @default {undefined} no cluster: nothing is told
   */
  health?(): ClusterHealth | undefined;
}

/** How a node's cluster is: see {@linkcode HubRelay.health}. */
export interface ClusterHealth {
  /** This node's name on the bus. */
  node: string;
  /** Since when Redis is away (ms since the epoch), or `null`: connected. */
  degradedSince: number | null;
  /** Entries waiting for Redis. */
  waiting: number;
  /** Entries dropped over the bound. */
  dropped: number;
}

/** Where a member is, for another node: see {@linkcode Hub.snapshot}. */
export interface MemberSnapshot {
  /** Its rooms, in the order it joined them, and whether it is an operator of each (and has voice). */
  rooms: { room: string; op: boolean; voice?: boolean }[];
  /** Its current room. */
  current: string | null;
  /** Its away text. */
  away: string | null;
  /** Whether it is a server operator. */
  oper: boolean;
}

/** Options of {@linkcode Hub.register}. */
export interface RegisterOptions {
  /**
   * What the connection proved (a key, a name's password), that may hold
   * claimed names; the session checks it before.
   * @default {null} nothing: only unclaimed names
   */
  credential?: Credential | null;
  /**
   * The SHA-256 fingerprint of the TLS client certificate the connection
   * showed (IRC CertFP), which `/register` claims the name for too.
   * @default {undefined} none
   */
  certFp?: string;
}

/** Options of {@linkcode Hub.apply} and {@linkcode Hub.input}. */
export interface ApplyOptions {
  /**
   * The room the line was sent to (a page's open room): a message goes
   * there, and a room command acts on it, unless the command names
   * another.
   * @default {undefined} the member's current room
   */
  room?: string;
}

/** Options of {@linkcode Hub.input}: those of {@linkcode Hub.apply}. */
export type InputOptions = ApplyOptions;

/** Longest quit, part or kick reason kept, in characters. */
const MAX_REASON_LENGTH = 200;

/** Most rooms a `/rooms` answer lists. */
const MAX_LISTED_ROOMS = 100;

/** Wrong `/oper` passwords after which a member may not try again. */
const MAX_OPER_TRIES = 3;

/** Slow checks of a key known by its hash, server-wide. */
const KEY_HASH_CHECKS: TokenBucketOptions = { rate: 5, burst: 10 };

/**
 * Most text of one page of history, in UTF-16 units (at least one line):
 * well within a member's outbound queue, whatever the store.
 */
const MAX_PAGE_CHARS = 65_536;

/** Longest search text kept, in characters. */
const MAX_SEARCH_LENGTH = 200;

/** Longest room key, in characters. */
const MAX_KEY_LENGTH = 64;

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
  // The rooms the member is in, in the order it joined them.
  rooms: Set<Room>;
  // Whether `/oper` made it a server operator, and its wrong tries.
  oper: boolean;
  operTries: number;
  // What the connection proved, and a registered name it asked for (for
  // `/identify`).
  credential: Credential | null;
  // A stand-in of another node's member: its node checked its claims.
  mirrored?: boolean;
  pendingName: string | null;
  // The TLS client certificate's fingerprint, if the connection showed one.
  certFp: string | null;
  // The id of the oldest line shown of each room (`/history` pages back
  // from it); absent: none shown yet, the next page is the newest.
  shown: Map<Room, number>;
  // The last search, for `/search` alone (the next page).
  lastSearch: { room: Room; words: string; before: number } | null;
  // Its away text (IRC's AWAY), or null.
  away: string | null;
}

// A new member's state: nothing yet but its flood bucket and what it proved.
function _memberState(
  bucket: TokenBucket | null,
  credential: Credential | null,
): _MemberState {
  return {
    bucket,
    refused: 0,
    refusedAt: 0,
    lastPrivateFrom: null,
    rooms: new Set(),
    oper: false,
    operTries: 0,
    credential,
    pendingName: null,
    certFp: null,
    shown: new Map(),
    lastSearch: null,
    away: null,
  };
}

// What a member arriving in a room is shown (see Hub.#arrival).
interface _Arrival {
  view: RoomState;
  missed: ChatLine[];
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
 *   return {
 *     name: "", room: null, lang: "en", label: "test", address: "10.0.0.1",
 *     got, deliver: (m) => got.push(m), close() {},
 *   };
 * }
 * const hub = new Hub({ now: () => 0 });
 * const ana = fake();
 * const bob = fake();
 * hub.register(ana, "ana");
 * hub.register(bob, "bob");
 * hub.input(ana, "hi bob");
 * assertEquals(bob.got.at(-1), {
 *   type: "message", room: "#general", from: "ana", text: "hi bob", time: 0,
 * });
 * ```
 *
 * @example Rooms: a message to #games reaches only its members
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Hub } from "./hub.ts";
 * import type { Member } from "./member.ts";
 * import type { ServerMessage } from "../protocol/messages.ts";
 *
 * function fake(): Member & { got: ServerMessage[] } {
 *   const got: ServerMessage[] = [];
 *   return {
 *     name: "", room: null, lang: "en", label: "test", address: "10.0.0.1",
 *     got, deliver: (m) => got.push(m), close() {},
 *   };
 * }
 * const hub = new Hub({ now: () => 0 });
 * const [ana, bob, cid] = [fake(), fake(), fake()];
 * hub.register(ana, "ana");
 * hub.register(bob, "bob");
 * hub.register(cid, "cid");
 * hub.input(ana, "/join #games");
 * hub.input(bob, "/join #games");
 * cid.got.length = 0;
 * hub.input(ana, "gg");
 * assertEquals(bob.got.at(-1), {
 *   type: "message", room: "#games", from: "ana", text: "gg", time: 0,
 * });
 * assertEquals(cid.got, []);
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
 *   return {
 *     name: "", room: null, lang: "en", label: "test", address: "10.0.0.1",
 *     got, deliver: (m) => got.push(m), close() {},
 *   };
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
  // Rooms by their look, and all of them.
  #roomNames = new NameIndex<Room>();
  #rooms = new Set<Room>();
  #defaultRoom: Room;
  #store: HistoryStore;
  #roomStore: RoomStore | null;
  // Guesses at a key known by its hash only (since a restart) cost a slow
  // hash each: at most a few a second, server-wide.
  #hashChecks: TokenBucket;
  // Why the history is not being stored, told to server operators.
  #storeFailing: string | null = null;
  #historySize: number;
  #maxRooms: number;
  #maxRoomsPerMember: number;
  #operPassword: string | null;
  #maxLineBytes: number | undefined;
  #rateLimit: TokenBucketOptions | null;
  #now: () => number;
  #onEvent: (event: HubEvent) => void;
  #serverName: string;
  // The member leaving, while its leave is told: its name is free by then,
  // but IRC readers still write it as nick!user@host.
  #departing: Member | null = null;
  #claims: ClaimRegistry;
  // The lines each room's store held when a backfill began, as keys.
  #backfilled = new Map<string, Set<string>>();
  #catchUp: number;
  #relay: HubRelay | undefined;

  /**
   * @param options Limits, clock, log, history store and rooms.
   * @throws {RangeError} If `defaultRoom` is not a valid room name.
   */
  constructor(options: HubOptions = {}) {
    this.#historySize = options.historySize ?? 50;
    this.#relay = options.relay;
    this.#catchUp = options.catchUp ?? 200;
    this.#store = options.store ??
      new MemoryStore({
        capacity: Math.max(this.#historySize, this.#catchUp),
      });
    this.#maxRooms = options.maxRooms ?? SERVE_DEFAULTS.maxRooms;
    this.#maxRoomsPerMember = options.maxRoomsPerUser ??
      SERVE_DEFAULTS.maxRoomsPerUser;
    this.#operPassword = options.operPassword ?? null;
    this.#maxLineBytes = options.maxLineBytes;
    this.#rateLimit = options.rateLimit === undefined
      ? { rate: 5, burst: 20 }
      : options.rateLimit;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#serverName = options.serverName ?? "chat";
    this.#claims = options.claims ?? new ClaimRegistry({ now: this.#now });
    const lobby = checkRoomName(options.defaultRoom ?? SERVE_DEFAULTS.room);
    if (!lobby.ok) {
      throw new RangeError(
        `Cannot use the default room "${lobby.name}": ${
          STRINGS.en.roomNameError(lobby.code as RoomNameErrorCode, lobby.name)
        }`,
      );
    }
    this.#roomStore = options.rooms ?? null;
    this.#hashChecks = new TokenBucket(KEY_HASH_CHECKS, this.#now());
    this.#defaultRoom = this.#newRoom(lobby.name);
    if (this.#roomStore !== null) this.#restoreRooms(this.#roomStore);
  }

  /**
   * Tells server operators (`/oper`) that storing the history stopped, or
   * works again; one who becomes an operator while it fails is told too.
   *
   * @param status What happened.
   */
  storeStatus(status: StoreStatus): void {
    this.#storeFailing = status.state === "failing" ? status.reason : null;
    for (const [member, state] of this.#members) {
      if (state.oper) this.#tellStoreStatus(member, status);
    }
  }

  #tellStoreStatus(member: Member, status: StoreStatus): void {
    const strings = STRINGS[member.lang];
    member.deliver(
      status.state === "failing"
        ? {
          type: "error",
          code: "store_failing",
          text: strings.storeFailing(status.reason),
        }
        : {
          type: "info",
          code: "store_ok",
          text: strings.storeResumed(status.dropped),
        },
    );
  }

  // The rooms kept from before a restart, as many as the server holds.
  #restoreRooms(store: RoomStore): void {
    for (const record of store.loadRooms()) {
      const lobby = record.room === this.#defaultRoom.key;
      if (!lobby && this.#maxRooms > 0 && this.#rooms.size >= this.#maxRooms) {
        break;
      }
      const check = checkRoomName(record.name);
      if (!check.ok || (!lobby && this.#roomNames.holder(check.name))) continue;
      const room = lobby ? this.#defaultRoom : this.#newRoom(check.name);
      // The default room has no operators but the server's.
      room.adopt(record, lobby);
    }
  }

  /**
   * The records of every room that has one worth keeping (a node starting
   * in a cluster takes them from one that was running).
   *
   * @returns New records, the default room first.
   */
  roomRecords(): RoomRecord[] {
    return [...this.#rooms].map((room) => room.record());
  }

  /**
   * Takes a room's record as another node has it (this node started, and
   * its own store may be older), making the room if it is not here; saved
   * with the next commit.
   *
   * @param record The record.
   */
  adoptRoom(record: RoomRecord): void {
    const check = checkRoomName(record.name);
    if (!check.ok) return;
    const room = this.#roomNames.holder(check.name) ??
      this.#createRoom(check.name);
    if (room === null) return;
    room.adopt(record, room === this.#defaultRoom);
    this.#persist(room);
  }

  // Saves a room's record with the next commit.
  #persist(room: Room): void {
    if (this.#roomStore !== null && this.#rooms.has(room)) {
      this.#roomStore.saveRoom(room.record());
    }
  }

  /**
   * The time of the newest public line stored in any room this hub has
   * (a node starting asks for the lines since).
   *
   * @returns Milliseconds since the epoch; 0 when there are none.
   */
  newestLineTime(): number {
    let newest = 0;
    for (const room of this.#rooms) {
      const time = this.#store.recent(room.key, 1)[0]?.line.time ?? 0;
      if (time > newest) newest = time;
    }
    return newest;
  }

  /**
   * The public lines each room holds since a time (for a node that was
   * down), oldest first in each room, without their ids.
   *
   * @param since Lines of this time or later.
   * @param perRoom Most lines of one room (the newest).
   * @returns The rooms' keys and lines.
   */
  linesSince(
    since: number,
    perRoom: number,
  ): { room: string; line: ChatLine }[] {
    const lines: { room: string; line: ChatLine }[] = [];
    for (const room of this.#rooms) {
      for (const { line } of this.#store.recent(room.key, perRoom)) {
        if (line.time < since) continue;
        const { from, text, time, action } = line;
        lines.push({
          room: room.key,
          line: action === true
            ? { from, text, time, action }
            : { from, text, time },
        });
      }
    }
    return lines;
  }

  /**
   * Stores a public line another node kept while this one was down, unless
   * the store has it already (carried out here since this node started);
   * nobody is told.
   *
   * @param room The room's key.
   * @param line The line.
   * @returns Whether it was stored.
   */
  backfill(room: string, line: ChatLine): boolean {
    // Only a room's own key (nothing made up by a foreign writer).
    const check = checkRoomName(room);
    if (!check.ok || roomKey(check.name) !== room) return false;
    let known = this.#backfilled.get(room);
    if (known === undefined) {
      known = new Set(
        this.#store.recent(room, BACKFILL_CHECK).map(({ line }) =>
          _lineKey(line)
        ),
      );
      this.#backfilled.set(room, known);
    }
    const key = _lineKey(line);
    if (known.has(key)) return false;
    known.add(key);
    this.#store.append(room, line);
    return true;
  }

  /** Forgets what {@linkcode Hub.backfill} checked lines against. */
  endBackfill(): void {
    this.#backfilled.clear();
  }

  /** The claimed names: the seam other dialects prove names through. */
  get claims(): ClaimRegistry {
    return this.#claims;
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Names of the members, in the order they joined. */
  names(): string[] {
    return [...this.#members.keys()].map((member) => member.name);
  }

  /** Names of the rooms, the default room first, then as they were made. */
  roomNames(): string[] {
    return [...this.#rooms].map((room) => room.name);
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
   * Adds a member under a name. On success the member is placed in the
   * default room (unless banned from it) and gets `welcome`, and the
   * room's members a `join`; on failure nothing is sent, and the caller
   * reports the returned reason (the member may try another name). A name
   * that looks like a member's, in any case (Cyrillic `рое` for `poe`), is
   * `taken`.
   *
   * A name claimed by another key (or password) is `registered`; a
   * claimed name coming back is put back in the rooms it was in, and shown
   * what was said there since it left (`catch_up`).
   *
   * @param member The new member.
   * @param requested The name asked for.
   * @param options What the connection proved.
   * @returns The accepted name, or why it was refused.
   */
  register(
    member: Member,
    requested: string,
    options: RegisterOptions = {},
  ): RegisterResult {
    const credential = options.credential ?? null;
    const check = this.#checkFree(requested, null, credential);
    if (!check.ok) return check;
    const back = this.#claims.use(check.name, credential);
    const time = this.#now();
    member.name = check.name;
    const state = _memberState(
      this.#rateLimit ? new TokenBucket(this.#rateLimit, time) : null,
      credential,
    );
    state.certFp = options.certFp ?? null;
    this.#members.set(member, state);
    this.#names.claim(check.name, member);
    const room = this.#defaultRoom;
    const banned = room.isBanned(member);
    if (!banned) {
      room.announceJoin(member, {
        type: "join",
        room: room.name,
        name: check.name,
        time,
        arrived: true,
      });
      this.#enter(member, state, room, time);
    } else member.room = null;
    const since = back?.leftAt;
    const restored = since === undefined ? [] : this.#toRestore(member, back!);
    const arrival = banned ? null : this.#arrival(state, room, since);
    const welcome: ServerMessage = {
      type: "welcome",
      name: check.name,
      server: this.#serverName,
      version: PROTOCOL_VERSION,
      ...(arrival === null
        ? { room: null, members: [], ops: [], history: [] }
        : arrival.view),
    };
    if (this.#rateLimit) {
      welcome.limits = {
        rate: this.#rateLimit.rate,
        burst: this.#rateLimit.burst,
      };
    }
    if (this.#maxLineBytes !== undefined) {
      welcome.maxLineBytes = this.#maxLineBytes;
    }
    if (restored.length > 0) welcome.restored = restored;
    member.deliver(welcome);
    if (banned) this.#roomError(member, "banned", room.name);
    this.#onEvent({ kind: "join", name: check.name, label: member.label });
    if (since !== undefined) {
      if (arrival !== null) this.#catchUpOn(member, room, since, arrival);
      for (const name of restored) {
        this.#join(member, state, name, undefined, since);
      }
      // The default room was the current one: it is again.
      const last = back!.rooms.at(-1);
      if (
        !banned && last !== undefined && restored.length > 0 &&
        this.#roomNames.holder(last) === room
      ) this.#setCurrent(member, room);
    }
    this.#relay?.joined(member);
    return check;
  }

  /**
   * Who a member is, by name (IRC writes members as `nick!user@host`),
   * the member whose leave is being told included.
   *
   * @param name A name, in any case.
   * @returns Its user, host, real name and away text, or `undefined`.
   */
  identity(name: string): Peer | undefined {
    let member = this.#names.holder(name);
    if (member === undefined && this.#departing?.name === name) {
      member = this.#departing;
    }
    if (member === undefined) return undefined;
    const away = this.#members.get(member)?.away ?? null;
    const peer = {
      user: member.user ?? "chat",
      host: member.host ?? "unknown",
      realname: member.realname ?? "",
    };
    return away === null ? peer : { ...peer, away };
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
    this.#noteLeft(member, state);
    for (const room of state.rooms) {
      const kept = room.keepsStatusOf(member);
      room.remove(member);
      if (kept) this.#persist(room);
    }
    member.room = null;
    // Keep only the name: `/reply` then says they left.
    for (const other of this.#members.values()) {
      if (other.lastPrivateFrom === member) other.lastPrivateFrom = member.name;
    }
    const clean = _reason(detail);
    const message: ServerMessage = {
      type: "leave",
      name: member.name,
      reason,
      time: this.#now(),
    };
    if (clean) message.detail = clean;
    // At shutdown everybody is told the server is going: N leave notices
    // to N members would only cost N² lines.
    if (reason !== "shutdown") {
      this.#departing = member;
      try {
        broadcastOnce(state.rooms, message);
      } finally {
        this.#departing = null;
      }
    }
    for (const room of state.rooms) this.#dropIfDeserted(room);
    const event: HubEvent = {
      kind: "leave",
      name: member.name,
      label: member.label,
      reason,
    };
    if (clean) event.detail = clean;
    this.#onEvent(event);
    this.#relay?.left(member, reason, clean || undefined);
    return true;
  }

  /**
   * Handles one line a member typed: a message or a `/command`. Blank lines
   * are ignored; the rest is {@linkcode parseCommand parsed} and
   * {@linkcode Hub.apply applied}.
   *
   * @param member Who typed it.
   * @param line The line, without its line ending.
   * @param options The room the line was sent to.
   */
  input(member: Member, line: string, options: InputOptions = {}): void {
    if (line.trim() === "") return;
    this.apply(member, parseCommand(line), options);
  }

  /**
   * Carries out what a member asks for, however its dialect wrote it: every
   * command costs one token of the member's flood bucket, shared by all
   * its rooms. A member over its limit is told once that its lines are
   * being refused, and when it is let through again, first, how many were
   * (both `error` `slow_down`); one that goes on flooding is dropped.
   * Commands from someone who is not a member are ignored.
   *
   * @param member Who asks.
   * @param command What for.
   * @param options The room the command was sent to.
   */
  apply(member: Member, command: Command, options: ApplyOptions = {}): void {
    const state = this.#members.get(member);
    if (state === undefined) return;
    if (state.bucket !== null && !state.bucket.take(this.#now())) {
      this.#refuse(member, state);
      return;
    }
    if (state.refused > 0) this.#countDropped(member, state);
    // A name claimed by another is refused here, before the bus: the other
    // nodes do not know what this member proved.
    if (command.kind === "nick" && this.#claimedByOther(command.name, state)) {
      this.#rename(member, state, command.name);
      return;
    }
    if (this.#relay?.command(member, command, options)) return;
    this.#run(member, state, command, options);
  }

  /**
   * Carries out a command a relay took (see {@linkcode HubRelay}), in the
   * bus's order, on the clock of the node it came from: past the flood
   * limit (the member's node applied it).
   *
   * @param member Who asked (a member of this node, or of another).
   * @param command What for.
   * @param options The room the command was sent to.
   * @param time When it was asked, on its node's clock.
   */
  replay(
    member: Member,
    command: Command,
    options: ApplyOptions,
    time: number,
  ): void {
    const state = this.#members.get(member);
    if (state === undefined) return;
    const now = this.#now;
    this.#now = () => time;
    try {
      this.#run(member, state, command, options);
    } finally {
      this.#now = now;
    }
  }

  /**
   * Where a member is, as another node needs it to mirror it.
   *
   * @param member A member.
   * @returns Its rooms, current room, away text and operator status, or
   * `undefined` for someone who is not a member.
   */
  snapshot(member: Member): MemberSnapshot | undefined {
    const state = this.#members.get(member);
    if (state === undefined) return undefined;
    return {
      rooms: [...state.rooms].map((room) => ({
        room: room.name,
        op: room.isOp(member),
        ...(room.isVoiced(member) ? { voice: true } : {}),
      })),
      current: member.room,
      away: state.away,
      oper: state.oper,
    };
  }

  /**
   * Adds (or updates) a member of another node, as its node tells it: no
   * checks but the name's look (its node reserved the name), no welcome,
   * no flood limit (its node keeps it). With `announce`, its rooms are
   * told it joined; without, it was there already (a node catching up).
   *
   * @param member The stand-in of the other node's member.
   * @param snapshot Where it is.
   * @param announce Whether its rooms are told.
   * @returns `false` when its name is held here by someone else.
   */
  mirror(
    member: Member,
    snapshot: MemberSnapshot,
    announce: boolean,
  ): boolean {
    let state = this.#members.get(member);
    if (state === undefined) {
      const check = checkName(member.name);
      if (!check.ok || this.#names.taken(check.name, null)) return false;
      state = _memberState(null, null);
      state.mirrored = true;
      this.#members.set(member, state);
      this.#names.claim(member.name, member);
    }
    state.oper = snapshot.oper;
    state.away = snapshot.away;
    const time = this.#now();
    for (const { room: name, op, voice } of snapshot.rooms) {
      const check = checkRoomName(name);
      if (!check.ok) continue;
      const room = this.#roomNames.holder(check.name) ??
        this.#createRoom(check.name);
      if (room === null || room.has(member)) continue;
      if (announce) {
        room.broadcast({
          type: "join",
          room: room.name,
          name: member.name,
          time,
          ...(room === this.#defaultRoom ? { arrived: true as const } : {}),
          ...(op ? { op: true as const } : {}),
        }, null);
      }
      this.#enter(member, state, room, time);
      if (op) room.setOp(member, true);
      if (voice === true) room.setVoice(member, true);
    }
    const current = snapshot.current === null
      ? undefined
      : this.#roomNames.holder(snapshot.current);
    if (current !== undefined && state.rooms.has(current)) {
      member.room = current.name;
    }
    return true;
  }

  /**
   * Tells each member whose lines were refused, once it has been quiet for
   * {@linkcode DROPPED_QUIET_MS}, how many were dropped: a netcat user who
   * pasted too much and stopped learns it without typing again; and tells
   * the joins the rooms hold for a crowd. The server's one ticker calls it.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void {
    for (const room of this.#rooms) room.flushJoins();
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
    for (const room of this.#rooms) room.clear();
    const everyone = [...this.#members.keys()];
    for (const member of everyone) {
      const state = this.#members.get(member)!;
      this.#members.delete(member);
      this.#names.release(member.name, member);
      this.#noteLeft(member, state);
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

  #run(
    member: Member,
    state: _MemberState,
    command: Command,
    options: ApplyOptions,
  ): void {
    const strings = STRINGS[member.lang];
    switch (command.kind) {
      case "say":
      case "me": {
        const text = sanitizeKeepingFormatting(command.text).trimEnd();
        if (text === "") return;
        const room = this.#inRoom(member, state, undefined, options);
        if (room === null) return;
        const line: ChatLine = { from: member.name, text, time: this.#now() };
        if (command.kind === "me") line.action = true;
        room.say(member, line);
        return;
      }
      case "msg":
        this.#private(member, this.#names.holder(command.to), {
          to: command.to,
          text: command.text,
          ...(command.action ? { action: true as const } : {}),
          ...(command.ctcp ? { ctcp: command.ctcp } : {}),
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
      case "join":
        this.#join(member, state, command.room, command.key);
        return;
      case "part":
        this.#part(member, state, command, options);
        return;
      case "switch": {
        const room = this.#inRoom(member, state, command.room, options);
        if (room !== null) this.#setCurrent(member, room);
        return;
      }
      case "rooms":
        member.deliver(this.#roomList());
        if (state.oper) this.#tellHealth(member);
        return;
      case "who":
      case "bans": {
        // Who is in a room, or whom it bans (IRC's MODE +b list).
        const room = this.#room(member, command.room, options);
        if (room === null) return;
        member.deliver(
          command.kind === "who"
            ? {
              type: "members",
              room: room.name,
              names: room.names(),
              ops: room.opNames(),
              ..._voiced(room),
            }
            : {
              type: "bans",
              room: room.name,
              names: room.bans.map((ban) => ban.name),
            },
        );
        return;
      }
      case "topic":
        this.#topic(member, state, command, options);
        return;
      case "key":
      case "op":
      case "deop":
      case "voice":
      case "devoice":
      case "kick":
      case "ban":
      case "unban":
      case "topic-lock": {
        const room = this.#room(member, command.room, options);
        if (room === null) return;
        if (!room.isOp(member) && !state.oper) {
          this.#roomError(member, "not_op", room.name);
          return;
        }
        this.#operate(member, room, command);
        this.#persist(room);
        this.#dropIfDeserted(room);
        return;
      }
      case "oper":
        this.#oper(member, state, command.password);
        return;
      case "register":
        this.#registerName(member, state, command.password);
        return;
      case "identify":
        this.#identify(member, state, command.password);
        return;
      case "register-cert":
        this.#registerCert(member, state);
        return;
      case "history":
        this.#history(member, state, command, options);
        return;
      case "search":
        this.#search(member, state, command, options);
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
      case "whois":
        this.#whois(member, command.name);
        return;
      case "lusers":
        member.deliver({
          type: "lusers",
          users: this.#members.size,
          rooms: this.#rooms.size,
          opers: [...this.#members.values()].filter((s) => s.oper).length,
        });
        return;
      case "away":
        this.#away(member, state, command.text);
        return;
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

  // --- Rooms --------------------------------------------------------------

  #newRoom(name: string): Room {
    const room = new Room(name, {
      store: this.#store,
      historySize: this.#historySize,
    });
    room.lastActive = this.#now();
    this.#roomNames.claim(name, room);
    this.#rooms.add(room);
    return room;
  }

  // A new room, making space when the server is full by replacing the empty
  // room idle longest; `null` when every room has members.
  #createRoom(name: string): Room | null {
    if (this.#maxRooms > 0 && this.#rooms.size >= this.#maxRooms) {
      let idle: Room | null = null;
      for (const room of this.#rooms) {
        if (room.size > 0 || room === this.#defaultRoom) continue;
        if (idle === null || room.lastActive < idle.lastActive) idle = room;
      }
      if (idle === null) return null;
      this.#removeRoom(idle);
    }
    return this.#newRoom(name);
  }

  #removeRoom(room: Room): void {
    this.#roomNames.release(room.name, room);
    this.#rooms.delete(room);
    this.#store.forget?.(room.key);
    this.#roomStore?.forgetRoom(room.key);
  }

  // A room with no members and no topic or key goes, unless it is the
  // default room.
  #dropIfDeserted(room: Room): void {
    if (room.size === 0 && !room.lasting && room !== this.#defaultRoom) {
      if (this.#rooms.has(room)) this.#removeRoom(room);
    }
  }

  // Puts a member in a room (nobody told) and makes it its current room.
  #enter(member: Member, state: _MemberState, room: Room, time: number): void {
    room.add(member);
    room.lastActive = time;
    state.rooms.add(room);
    member.room = room.name;
  }

  // Takes a member out of a room (nobody told); if it was the current room,
  // the room it joined last of those left becomes current, and it is told.
  #exitRoom(member: Member, state: _MemberState, room: Room): void {
    room.remove(member);
    state.rooms.delete(room);
    if (member.room !== room.name) return;
    let next: Room | null = null;
    for (const other of state.rooms) next = other;
    member.room = next?.name ?? null;
    member.deliver({ type: "current", room: member.room });
  }

  #setCurrent(member: Member, room: Room): void {
    member.room = room.name;
    member.deliver({ type: "current", room: room.name });
  }

  // The room a name points to, checked: a bad name and a missing room are
  // told as errors, and give `null`.
  #find(member: Member, requested: string): Room | null {
    const check = checkRoomName(requested);
    if (!check.ok) {
      this.#badRoomName(member, check);
      return null;
    }
    const room = this.#roomNames.holder(check.name);
    if (room === undefined) this.#roomError(member, "no_such_room", check.name);
    return room ?? null;
  }

  // The room a command is about: the one it names, else the one the line
  // was sent to, else the current room.
  #room(
    member: Member,
    named: string | undefined,
    options: ApplyOptions,
  ): Room | null {
    const name = named ?? options.room ?? member.room;
    if (name === null) {
      this.#roomError(member, "no_room", "");
      return null;
    }
    return this.#find(member, name);
  }

  // As #room(), for what only a member of the room may do.
  #inRoom(
    member: Member,
    state: _MemberState,
    named: string | undefined,
    options: ApplyOptions,
  ): Room | null {
    // The usual case, every line said: a room the member is in, by its
    // exact name, needs neither the name checked nor its lookalikes
    // looked up again.
    const name = named ?? options.room ?? member.room;
    for (const joined of state.rooms) if (joined.name === name) return joined;
    const room = this.#room(member, named, options);
    if (room === null || state.rooms.has(room)) return room;
    this.#roomError(member, "not_in_room", room.name);
    return null;
  }

  #join(
    member: Member,
    state: _MemberState,
    requested: string,
    key: string | undefined,
    since?: number,
  ): void {
    const check = checkRoomName(requested);
    if (!check.ok) {
      this.#badRoomName(member, check);
      return;
    }
    let room = this.#roomNames.holder(check.name) ?? null;
    if (room !== null && state.rooms.has(room)) {
      this.#setCurrent(member, room);
      return;
    }
    const max = this.#maxRoomsPerMember;
    if (max > 0 && state.rooms.size >= max) {
      this.#roomError(member, "too_many_rooms", check.name, String(max));
      return;
    }
    if (room === null) {
      room = this.#createRoom(check.name);
      if (room === null) {
        this.#roomError(
          member,
          "server_rooms_full",
          check.name,
          String(this.#maxRooms),
        );
        return;
      }
    } else if (!state.oper) {
      if (room.isBanned(member)) {
        this.#roomError(member, "banned", room.name);
        return;
      }
      if (
        key !== undefined && room.checksHash &&
        !this.#hashChecks.take(this.#now())
      ) {
        this.#error(member, "slow_down", STRINGS[member.lang].slowDown);
        return;
      }
      if (!room.keyMatches(key, verifyRoomKey)) {
        this.#roomError(
          member,
          key === undefined ? "key_needed" : "bad_key",
          room.name,
        );
        return;
      }
    }
    const time = this.#now();
    // The first member of a room is its operator, unless operators from
    // before a restart are still to come back, as each of them is; the
    // default room has the server's operators only.
    const op = room !== this.#defaultRoom &&
      (room.claimsOp(member) || (room.size === 0 && !room.awaitsOps));
    const voice = room.claimsVoice(member);
    room.announceJoin(member, {
      type: "join",
      room: room.name,
      name: member.name,
      time,
      ...(op ? { op: true as const } : {}),
      ...(voice ? { voice: true as const } : {}),
    });
    this.#enter(member, state, room, time);
    if (voice) room.setVoice(member, true);
    if (op) room.setOp(member, true);
    if (op || voice) this.#persist(room);
    const arrival = this.#arrival(state, room, since);
    member.deliver({ type: "joined", ...arrival.view });
    if (since !== undefined) this.#catchUpOn(member, room, since, arrival);
    this.#onEvent({
      kind: "room_join",
      room: room.name,
      name: member.name,
      label: member.label,
    });
  }

  #part(
    member: Member,
    state: _MemberState,
    command: Extract<Command, { kind: "part" }>,
    options: ApplyOptions,
  ): void {
    const room = this.#inRoom(member, state, command.room, options);
    if (room === null) return;
    const reason = _reason(command.reason);
    const because = reason ? { reason } : {};
    const kept = room.keepsStatusOf(member);
    room.remove(member);
    if (kept) this.#persist(room);
    room.broadcast({
      type: "part",
      room: room.name,
      name: member.name,
      time: this.#now(),
      ...because,
    }, null);
    member.deliver({ type: "parted", room: room.name });
    this.#exitRoom(member, state, room);
    this.#onEvent({
      kind: "room_part",
      room: room.name,
      name: member.name,
      label: member.label,
      ...because,
    });
    this.#dropIfDeserted(room);
  }

  // A server operator's `/rooms` tells how the cluster is.
  #tellHealth(member: Member): void {
    const health = this.#relay?.health?.();
    if (health === undefined) return;
    const strings = STRINGS[member.lang];
    const since = health.degradedSince;
    member.deliver(
      since === null
        ? {
          type: "info",
          code: "cluster_ok",
          text: strings.clusterConnected(health.node),
        }
        : {
          type: "error",
          code: "cluster_degraded",
          text: strings.clusterDegraded(
            new Date(since).toISOString().slice(11, 16),
            health.waiting,
            health.dropped,
          ),
        },
    );
  }

  #roomList(): ServerMessage {
    const rooms = [...this.#rooms].sort((a, b) =>
      b.size - a.size || a.key.localeCompare(b.key)
    );
    const listed: RoomSummary[] = rooms.slice(0, MAX_LISTED_ROOMS).map((
      room,
    ) => room.summary());
    return { type: "rooms", rooms: listed, total: rooms.length };
  }

  #topic(
    member: Member,
    state: _MemberState,
    command: Extract<Command, { kind: "topic" }>,
    options: ApplyOptions,
  ): void {
    const room = this.#room(member, command.room, options);
    if (room === null) return;
    if (command.text === undefined) {
      const topic = room.topic;
      if (topic === null) {
        member.deliver({
          type: "info",
          code: "no_topic",
          text: STRINGS[member.lang].noTopic(room.name),
        });
      } else {
        member.deliver({
          type: "topic",
          room: room.name,
          ...topic,
          asked: true,
        });
      }
      return;
    }
    if (!state.rooms.has(room) && !state.oper) {
      this.#roomError(member, "not_in_room", room.name);
      return;
    }
    if (room.topicLocked && !room.isOp(member) && !state.oper) {
      this.#roomError(member, "not_op", room.name);
      return;
    }
    const text = clipText(
      sanitizeKeepingFormatting(command.text).trim(),
      MAX_TOPIC_LENGTH,
    );
    if (text === "" && room.topic === null) {
      this.#roomError(member, "unchanged", room.name);
      return;
    }
    const time = this.#now();
    room.topic = text === "" ? null : { text, by: member.name, time };
    room.lastActive = time;
    this.#persist(room);
    this.#tell(member, room, {
      type: "topic",
      room: room.name,
      text,
      by: member.name,
      time,
    });
    this.#onEvent({
      kind: "topic",
      room: room.name,
      by: member.name,
      label: member.label,
      text,
    });
    this.#dropIfDeserted(room);
  }

  // What an operator of the room (or a server operator) asked for.
  #operate(
    member: Member,
    room: Room,
    command: Extract<
      Command,
      {
        kind:
          | "key"
          | "op"
          | "deop"
          | "voice"
          | "devoice"
          | "kick"
          | "ban"
          | "unban"
          | "topic-lock";
      }
    >,
  ): void {
    switch (command.kind) {
      case "key": {
        const key = command.key;
        if (key === undefined) {
          if (!room.hasKey) this.#roomError(member, "unchanged", room.name);
          else {
            room.setKey(null);
            this.#mode(member, room, "-k");
          }
          return;
        }
        if (
          [...key].length > MAX_KEY_LENGTH || /\s/u.test(key) ||
          sanitizeText(key) !== key
        ) {
          this.#roomError(member, "bad_key_format", room.name);
          return;
        }
        room.setKey(key, this.#roomStore === null ? null : hashRoomKey(key));
        this.#mode(member, room, "+k");
        return;
      }
      case "op":
      case "deop": {
        const target = this.#memberOf(member, room, command.name);
        if (target === null) return;
        if (!room.setOp(target, command.kind === "op")) {
          this.#roomError(member, "unchanged", room.name);
          return;
        }
        this.#mode(member, room, command.kind === "op" ? "+o" : "-o", target);
        return;
      }
      case "voice":
      case "devoice": {
        const target = this.#memberOf(member, room, command.name);
        if (target === null) return;
        const on = command.kind === "voice";
        if (!room.setVoice(target, on)) {
          this.#roomError(member, "unchanged", room.name);
          return;
        }
        this.#mode(member, room, on ? "+v" : "-v", target);
        return;
      }
      case "kick": {
        const target = this.#memberOf(member, room, command.name);
        if (target !== null) this.#kick(member, room, target, command.reason);
        return;
      }
      case "ban":
        this.#ban(member, room, command.name);
        return;
      case "unban": {
        const lifted = room.unban(command.name);
        if (lifted === undefined) {
          this.#roomError(
            member,
            "not_banned",
            room.name,
            _quoted(command.name),
          );
          return;
        }
        this.#mode(member, room, "-b", lifted);
        return;
      }
      case "topic-lock":
        if (room.topicLocked === command.on) {
          this.#roomError(member, "unchanged", room.name);
          return;
        }
        room.topicLocked = command.on;
        this.#mode(member, room, command.on ? "+t" : "-t");
        return;
    }
  }

  // The member of the room a name points to, or an error and `null`.
  #memberOf(member: Member, room: Room, name: string): Member | null {
    const target = this.#names.holder(name);
    if (target === undefined || !room.has(target)) {
      this.#roomError(member, "not_member", room.name, _quoted(name));
      return null;
    }
    return target;
  }

  #ban(member: Member, room: Room, name: string | undefined): void {
    if (name === undefined) {
      member.deliver({
        type: "info",
        code: "bans",
        text: STRINGS[member.lang].banList(
          room.name,
          room.bans.map((ban) => ban.name),
        ),
      });
      return;
    }
    const target = this.#names.holder(name);
    const check = checkName(name);
    const banned = target?.name ?? (check.ok ? check.name : null);
    if (banned === null) {
      this.#roomError(member, "not_member", room.name, _quoted(name));
      return;
    }
    const added = room.ban({
      name: banned,
      keys: lookalikeKeys(banned),
      address: target?.address ?? null,
      by: member.name,
      time: this.#now(),
    });
    if (!added) {
      this.#roomError(member, "unchanged", room.name);
      return;
    }
    this.#mode(member, room, "+b", banned);
    if (target !== undefined && room.has(target)) {
      this.#kick(member, room, target, undefined);
    }
  }

  #kick(
    member: Member,
    room: Room,
    target: Member,
    reason: string | undefined,
  ): void {
    const clean = _reason(reason);
    const because = clean ? { reason: clean } : {};
    // The one kicked hears it too, then is out at once: its next line to
    // the room is refused.
    this.#tell(member, room, {
      type: "kick",
      room: room.name,
      name: target.name,
      by: member.name,
      time: this.#now(),
      ...because,
    });
    this.#exitRoom(target, this.#members.get(target)!, room);
    this.#onEvent({
      kind: "kick",
      room: room.name,
      name: target.name,
      by: member.name,
      label: member.label,
      ...because,
    });
  }

  #mode(
    member: Member,
    room: Room,
    change: ModeChange,
    target?: Member | string,
  ): void {
    const time = this.#now();
    room.lastActive = time;
    const name = typeof target === "string" ? target : target?.name;
    const on = name === undefined ? {} : { target: name };
    this.#tell(member, room, {
      type: "mode",
      room: room.name,
      by: member.name,
      change,
      time,
      ...on,
    });
    this.#onEvent({
      kind: "mode",
      room: room.name,
      by: member.name,
      label: member.label,
      change,
      ...on,
    });
  }

  // A room event to the room, and to who caused it if it is not in the
  // room (a server operator).
  #tell(actor: Member, room: Room, message: ServerMessage): void {
    room.broadcast(message, null);
    if (!room.has(actor)) actor.deliver(message);
  }

  #oper(member: Member, state: _MemberState, password: string): void {
    const strings = STRINGS[member.lang];
    const secret = this.#operPassword;
    if (secret === null) {
      this.#error(member, "no_oper", strings.operNone);
      return;
    }
    if (state.operTries >= MAX_OPER_TRIES) {
      this.#error(member, "bad_password", strings.badPassword);
      return;
    }
    const granted = constantTimeEqual(password, secret);
    this.#onEvent({
      kind: "oper",
      name: member.name,
      label: member.label,
      granted,
    });
    if (!granted) {
      state.operTries++;
      this.#error(member, "bad_password", strings.badPassword);
      return;
    }
    state.oper = true;
    member.deliver({ type: "info", code: "oper", text: strings.operGranted });
    if (this.#storeFailing !== null) {
      this.#tellStoreStatus(member, {
        state: "failing",
        reason: this.#storeFailing,
      });
    }
  }

  // --- History and search -------------------------------------------------

  // Older lines of a room: before the id asked, or the oldest shown.
  #history(
    member: Member,
    state: _MemberState,
    command: Extract<Command, { kind: "history" }>,
    options: ApplyOptions,
  ): void {
    const limit = command.limit ?? DEFAULT_HISTORY_PAGE;
    if (
      !_isCount(limit, MAX_HISTORY_PAGE) || !_isId(command.before) ||
      !_isId(command.after) || !_isId(command.around) ||
      !_isId(command.newerThan)
    ) {
      this.#badPage(member);
      return;
    }
    const room = this.#inRoom(member, state, command.room, options);
    if (room === null) return;
    const before = command.older ? state.shown.get(room) : command.before;
    const lines = _newestWithin(
      _page(room, limit, {
        before,
        after: command.after,
        around: command.around,
        newerThan: command.newerThan,
      }),
      MAX_PAGE_CHARS,
    );
    const oldest = lines[0]?.id;
    _noteShown(state, room, lines);
    member.deliver({
      type: "history",
      room: room.name,
      lines,
      more: oldest !== undefined && room.hasOlder(oldest),
    });
  }

  // A page of a full-text search; `/search` alone, the next page.
  #search(
    member: Member,
    state: _MemberState,
    command: Extract<Command, { kind: "search" }>,
    options: ApplyOptions,
  ): void {
    if (!_isId(command.before)) {
      this.#badPage(member);
      return;
    }
    let room: Room | null;
    let words = clipText(sanitizeText(command.words).trim(), MAX_SEARCH_LENGTH);
    let before = command.before;
    if (words === "") {
      const last = state.lastSearch;
      if (last === null || !state.rooms.has(last.room)) {
        this.#error(
          member,
          "usage",
          STRINGS[member.lang].searchNeedsWords,
        );
        return;
      }
      ({ room, words, before } = last);
    } else room = this.#inRoom(member, state, command.room, options);
    if (room === null) return;
    const lines = room.search(words, before);
    const more = lines.length >= MAX_SEARCH_PAGE;
    state.lastSearch = more ? { room, words, before: lines.at(-1)!.id! } : null;
    member.deliver({ type: "search", room: room.name, words, lines, more });
  }

  #badPage(member: Member): void {
    this.#error(
      member,
      "bad_page",
      STRINGS[member.lang].badHistoryPage(MAX_HISTORY_PAGE),
    );
  }

  // --- Private messages and names -----------------------------------------

  #whois(member: Member, name: string): void {
    const target = this.#names.holder(name);
    const state = target === undefined ? undefined : this.#members.get(target);
    if (target === undefined || state === undefined) {
      const asked = sanitizeText(name).slice(0, 32);
      this.#error(
        member,
        "unknown_user",
        STRINGS[member.lang].unknownUser(asked),
        asked,
      );
      return;
    }
    const peer = this.identity(target.name)!;
    const rooms = [...state.rooms];
    member.deliver({
      type: "whois",
      name: target.name,
      user: peer.user,
      host: peer.host,
      realname: peer.realname,
      rooms: rooms.map((room) => room.name),
      ops: rooms.filter((room) => room.isOp(target)).map((room) => room.name),
      ...(rooms.some((room) => room.isVoiced(target))
        ? {
          voiced: rooms.filter((room) => room.isVoiced(target)).map((room) =>
            room.name
          ),
        }
        : {}),
      ...(state.away === null ? {} : { away: state.away }),
      ...(state.oper ? { oper: true as const } : {}),
    });
  }

  // Away with a text, or back: the member is told, and so are its rooms.
  #away(member: Member, state: _MemberState, text: string | undefined): void {
    const clean = _reason(text);
    state.away = clean === "" ? null : clean;
    const message: ServerMessage = {
      type: "away",
      name: member.name,
      time: this.#now(),
      ...(clean === "" ? {} : { text: clean }),
    };
    if (state.rooms.size > 0) broadcastOnce(state.rooms, message);
    else member.deliver(message);
  }

  #private(
    from: Member,
    to: Member | undefined,
    request: {
      to: string;
      text: string;
      action?: true;
      ctcp?: "query" | "reply";
    },
  ): void {
    const strings = STRINGS[from.lang];
    const target = to === undefined ? undefined : this.#members.get(to);
    if (to === undefined || target === undefined) {
      const asked = sanitizeText(request.to).slice(0, 32);
      this.#error(from, "unknown_user", strings.unknownUser(asked), asked);
      return;
    }
    if (to === from) {
      this.#error(from, "self", strings.cannotMessageYourself);
      return;
    }
    const text = sanitizeKeepingFormatting(request.text).trimEnd();
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
      ...(request.action ? { action: true as const } : {}),
      ...(request.ctcp ? { ctcp: request.ctcp } : {}),
    };
    // A CTCP between IRC clients is no conversation: no reply target.
    if (request.ctcp === undefined) target.lastPrivateFrom = from;
    to.deliver(message);
    from.deliver(message);
    if (target.away !== null && request.ctcp === undefined) {
      from.deliver({
        type: "away",
        name: to.name,
        text: target.away,
        time: message.time,
        toSender: true,
      });
    }
  }

  #claimedByOther(requested: string, state: _MemberState): boolean {
    if (this.#relay === undefined) return false;
    const check = checkName(requested);
    return check.ok &&
      this.#claims.check(check.name, state.credential).status === "registered";
  }

  #rename(member: Member, state: _MemberState, requested: string): void {
    const check = this.#checkFree(
      requested,
      member,
      state.credential,
      state.mirrored === true,
    );
    if (!check.ok) {
      const registered = check.code === "registered";
      state.pendingName = registered ? check.name : null;
      this.#error(
        member,
        `name_${check.code}`,
        registered && this.#claims.hasPassword(check.name)
          ? CLAIM_STRINGS[member.lang].identifyHint(check.name)
          : STRINGS[member.lang].nameError(check.code, check.name),
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
    state.pendingName = null;
    this.#claims.use(check.name, state.credential);
    const rename: ServerMessage = {
      type: "rename",
      from,
      to: check.name,
      time: this.#now(),
    };
    // The member is in its own rooms, so it hears of its rename too; in
    // none, it is told alone.
    if (state.rooms.size > 0) broadcastOnce(state.rooms, rename);
    else member.deliver(rename);
    for (const room of state.rooms) {
      if (room.keepsStatusOf(member)) this.#persist(room);
    }
    this.#onEvent({
      kind: "rename",
      from,
      to: check.name,
      label: member.label,
    });
  }

  #checkFree(
    requested: string,
    self: Member | null,
    credential: Credential | null,
    claimsChecked = false,
  ): NameCheck {
    const check = checkName(requested);
    if (!check.ok) return check;
    if (this.#names.taken(check.name, self)) {
      return { ok: false, code: "taken", name: check.name };
    }
    if (
      !claimsChecked &&
      this.#claims.check(check.name, credential).status === "registered"
    ) {
      return { ok: false, code: "registered", name: check.name };
    }
    return check;
  }

  // --- Claimed names ------------------------------------------------------

  // A member holding its name leaves: the claim keeps its rooms, the
  // current one last, so that coming back makes it current again.
  #noteLeft(member: Member, state: _MemberState): void {
    if (state.credential === null) return;
    const rooms = [...state.rooms].map((room) => room.name);
    const current = rooms.indexOf(member.room ?? "");
    if (current >= 0) rooms.push(...rooms.splice(current, 1));
    this.#claims.left(member.name, state.credential, rooms);
  }

  // Back under a claimed name: the rooms it was in, to join again (not
  // the default room, where it is already, nor those that now need a key
  // or ban it: a client that knows the key joins them itself); the one
  // that was current last, so it is current again.
  #toRestore(member: Member, back: ClaimRecord): string[] {
    return back.rooms.filter((name) => {
      const room = this.#roomNames.holder(name);
      return room !== this.#defaultRoom &&
        !(room !== undefined && (room.hasKey || room.isBanned(member)));
    });
  }

  // What a member arriving in a room is shown of it: the room's state,
  // with its replay in `history`. A claimed name coming back (`since`: when
  // it left) is also shown what was said since (`missed`, at most
  // `catchUp` lines, in a `catch_up` after the state), and the replay is
  // then the lines before those, said before it left: a line of the very
  // millisecond it left goes to the catch-up, never in both. `/history`
  // pages back from the oldest line shown of either.
  #arrival(
    state: _MemberState,
    room: Room,
    since: number | undefined,
  ): _Arrival {
    const view = room.state();
    const missed = since === undefined || this.#catchUp <= 0
      ? []
      : room.recent(this.#catchUp).filter((line) => line.time >= since);
    if (since !== undefined) {
      const first = missed[0]?.id;
      const before = first === undefined
        ? view.history
        : room.recent(this.#historySize, first);
      view.history = before.filter((line) => line.time < since);
    }
    _replayed(state, room, view.history);
    _noteShown(state, room, missed);
    return { view, missed };
  }

  // What was said in a room since a member left, as one `catch_up`.
  #catchUpOn(
    member: Member,
    room: Room,
    since: number,
    arrival: _Arrival,
  ): void {
    if (arrival.missed.length === 0) return;
    member.deliver({
      type: "catch_up",
      room: room.name,
      since,
      lines: arrival.missed,
    });
  }

  // `/register <password>`: claims the member's name with a password, or
  // changes it (being under the name is the proof).
  #registerName(member: Member, state: _MemberState, password: string): void {
    const words = CLAIM_STRINGS[member.lang];
    if (this.#claims.open) {
      this.#error(member, "claims_off", words.claimsOff);
      return;
    }
    if (password.length > MAX_PASSWORD_LENGTH) {
      this.#error(
        member,
        "bad_password",
        words.passwordTooLong(MAX_PASSWORD_LENGTH),
      );
      return;
    }
    const name = member.name;
    this.#claims.setPassword(name, state.credential, password).then(
      (credential) => {
        if (!this.#members.has(member) || member.name !== name) return;
        if (credential === null) {
          this.#error(
            member,
            "name_registered",
            STRINGS[member.lang].nameError("registered", name),
          );
          return;
        }
        // A key keeps the name; a password is the only proof otherwise.
        state.credential ??= credential;
        // A client certificate shown claims the name too (IRC CertFP).
        if (state.certFp !== null) {
          this.#claims.setCertFp(name, credential, state.certFp);
        }
        member.deliver({
          type: "info",
          code: "registered",
          text: words.registered(name),
        });
      },
    );
  }

  // IRC's `REGISTER` alone: claims the member's name for the TLS client
  // certificate its connection showed.
  #registerCert(member: Member, state: _MemberState): void {
    const words = CLAIM_STRINGS[member.lang];
    if (this.#claims.open) {
      this.#error(member, "claims_off", words.claimsOff);
      return;
    }
    if (state.certFp === null) {
      this.#error(member, "no_certificate", words.noCertificate);
      return;
    }
    const credential = this.#claims.setCertFp(
      member.name,
      state.credential,
      state.certFp,
    );
    if (credential === null) {
      this.#error(
        member,
        "name_registered",
        STRINGS[member.lang].nameError("registered", member.name),
      );
      return;
    }
    state.credential ??= credential;
    member.deliver({
      type: "info",
      code: "registered",
      text: words.registeredCert(member.name),
    });
  }

  // `/identify <password>`: proves the registered name the member asked
  // for with `/nick`, and takes it.
  #identify(member: Member, state: _MemberState, password: string): void {
    const words = CLAIM_STRINGS[member.lang];
    const name = state.pendingName;
    if (name === null) {
      this.#error(member, "nothing_to_identify", words.nothingToIdentify);
      return;
    }
    this.#claims.verifyPassword(name, password, member.address).then(
      ({ result, credential }) => {
        if (!this.#members.has(member)) return;
        if (result === "ok" && credential !== undefined) {
          state.credential = credential;
          // Through the relay, as any rename: every node renames it.
          const nick = { kind: "nick" as const, name };
          if (this.#relay?.command(member, nick, {})) return;
          this.#rename(member, state, name);
          return;
        }
        this.#error(
          member,
          "bad_password",
          result === "slow"
            ? words.tooManyGuesses
            : words.wrongNamePassword(name),
        );
      },
    );
  }

  #error(member: Member, code: string, text: string, target?: string): void {
    member.deliver(
      target === undefined
        ? { type: "error", code, text }
        : { type: "error", code, text, target },
    );
  }

  #roomError(
    member: Member,
    code: RoomErrorCode,
    room: string,
    detail?: string,
  ): void {
    this.#error(
      member,
      code,
      STRINGS[member.lang].roomError(code, room, detail),
      room,
    );
  }

  #badRoomName(
    member: Member,
    check: Extract<NameCheck, { ok: false }>,
  ): void {
    this.#error(
      member,
      "bad_room_name",
      STRINGS[member.lang].roomNameError(
        check.code as RoomNameErrorCode,
        check.name,
      ),
      check.name,
    );
  }
}

// A quit, part or kick reason as others see it: sanitised, trimmed and
// clipped; `""` for none.
function _reason(text: string | undefined): string {
  return text === undefined
    ? ""
    : clipText(sanitizeText(text).trim(), MAX_REASON_LENGTH);
}

// Remembers the oldest line shown of a room, for `/history`.
function _noteShown(
  state: _MemberState,
  room: Room,
  lines: readonly ChatLine[],
): void {
  const oldest = lines[0]?.id;
  if (oldest === undefined) return;
  const shown = state.shown.get(room);
  if (shown === undefined || oldest < shown) state.shown.set(room, oldest);
}

// A join's replay: `/history` pages back from its oldest line.
function _replayed(
  state: _MemberState,
  room: Room,
  lines: readonly ChatLine[],
): void {
  state.shown.delete(room);
  _noteShown(state, room, lines);
}

// The newest of some lines (oldest first) whose texts fit in `max`, at
// least one.
function _newestWithin(lines: ChatLine[], max: number): ChatLine[] {
  let chars = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    chars += lines[i]!.text.length;
    if (chars > max && i < lines.length - 1) return lines.slice(i + 1);
  }
  return lines;
}

// A page size: a whole number from 1 to `max`.
function _isCount(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= max;
}

// A line id to page back from: absent, or a whole number of 1 or more.
// A page of a room's lines, oldest first: before an id (or the newest),
// after one, around one (the line itself and older ones first), or the
// newest of those after one.
function _page(
  room: Room,
  limit: number,
  at: {
    before: number | undefined;
    after: number | undefined;
    around: number | undefined;
    newerThan: number | undefined;
  },
): ChatLine[] {
  if (at.after !== undefined) return room.following(limit, at.after);
  if (at.newerThan !== undefined) {
    const after = at.newerThan;
    return room.recent(limit).filter((line) => (line.id ?? 0) > after);
  }
  if (at.around === undefined) return room.recent(limit, at.before);
  const older = room.recent(Math.ceil(limit / 2), at.around + 1);
  return [...older, ...room.following(limit - older.length, at.around)];
}

function _isId(value: number | undefined): boolean {
  return value === undefined || (Number.isSafeInteger(value) && value >= 1);
}

// A name someone typed, safe and short enough to quote back.
function _quoted(name: string): string {
  return sanitizeText(name).slice(0, 32);
}

// Lines of a room's store a backfilled line is checked against.
const BACKFILL_CHECK = 1000;

// A line as a backfill compares it: when, who, what.
function _lineKey(line: ChatLine): string {
  return `${line.time}\n${line.from}\n${line.action === true}\n${line.text}`;
}

// A room's members with voice, as a `members` answer carries them (left
// out when nobody has it).
function _voiced(room: Room): { voiced?: string[] } {
  const voiced = room.voicedNames();
  return voiced.length === 0 ? {} : { voiced };
}
