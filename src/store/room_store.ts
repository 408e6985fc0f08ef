/**
 * What the hub keeps of its rooms across a restart: the topic, the key (as
 * a salted hash, never the secret itself), the modes, the operators and the
 * bans. Members are not kept: they join anew.
 *
 * Changes are queued like lines and written by the same
 * {@linkcode HistoryStore.commit}, in the same transaction.
 *
 * @module
 */

import type { ClaimStore } from "./claim_store.ts";
import type { HistoryStore } from "./history_store.ts";

/** A room's topic, and who set it when. */
export interface RoomTopic {
  /** The topic's text. */
  readonly text: string;
  /** The name of who set it. */
  readonly by: string;
  /** When, in milliseconds since the epoch. */
  readonly time: number;
}

/** One ban of a room: a name, and the address it was seen from. */
export interface RoomBan {
  /** The banned name's key. */
  readonly name: string;
  /**
   * The address the banned member came from.
   * @default {undefined} the name only
   */
  readonly address?: string;
  /**
   * Who set the ban.
   * @default {undefined} not recorded
   */
  readonly by?: string;
  /**
   * When, in milliseconds since the epoch.
   * @default {undefined} not recorded
   */
  readonly time?: number;
}

/** Everything kept of one room. */
export interface RoomRecord {
  /** The room's key, as the history names it (`#general`). */
  readonly room: string;
  /** The room's name as shown (`#General`). */
  readonly name: string;
  /**
   * The topic.
   * @default {undefined} no topic
   */
  readonly topic?: RoomTopic;
  /**
   * The key, hashed by {@linkcode hashRoomKey}.
   * @default {undefined} anyone may join
   */
  readonly keyHash?: string;
  /**
   * Mode letters, IRC style (`"t"`: only operators set the topic).
   * @default {""}
   */
  readonly modes?: string;
  /** The operators' name keys. */
  readonly operators: readonly string[];
  /** The bans. */
  readonly bans: readonly RoomBan[];
}

/** Keeps the rooms' records. */
export interface RoomStore {
  /**
   * Every room saved and not forgotten, as the last
   * {@linkcode HistoryStore.commit} left it, in the order first saved.
   *
   * @returns New records.
   */
  loadRooms(): RoomRecord[];
  /**
   * Saves a room's whole record, replacing what was kept, with the next
   * commit.
   *
   * @param record The room as it is now.
   */
  saveRoom(record: RoomRecord): void;
  /**
   * Forgets a room's record with the next commit; its lines stay in the
   * history.
   *
   * @param room The room's key.
   */
  forgetRoom(room: string): void;
}

/**
 * A store of lines, rooms and claimed names: what the server opens, once,
 * for all three.
 */
export interface ChatStore extends HistoryStore, RoomStore, ClaimStore {}
