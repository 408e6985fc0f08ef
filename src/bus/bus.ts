/**
 * What the nodes of a cluster tell each other, and the bus that carries it:
 * the {@linkcode LocalBus} of a single server (synchronous, nothing leaves
 * the process) or the {@linkcode RedisBus} of a cluster (one Redis stream,
 * read back in the same order by every node).
 *
 * The bus only carries; the hub decides. A node publishes what its own
 * members do and applies everything, its own entries included, in the
 * order the bus gives them back, so every node's hub makes the same
 * decisions in the same order.
 *
 * @module
 */

import type { Command } from "../protocol/commands.ts";
import type { ChatLine, Lang, LeaveReason } from "../protocol/messages.ts";
import type { ClaimRecord } from "../store/claim_store.ts";
import type { RoomRecord } from "../store/room_store.ts";

/** A room a member is in, as a snapshot tells it. */
export interface BusRoom {
  /** The room's name (`#general`). */
  room: string;
  /** Whether the member is one of its operators. */
  op: boolean;
  /**
   * Whether the member has voice there.
   * @default {false}
   */
  voice?: boolean;
}

/**
 * Who a member is and where it is: sent when it arrives (`announce`: its
 * rooms are told it joined) and again, silently, when another node starts
 * or comes back and asks (`sync`).
 */
export interface BusHello {
  kind: "hello";
  name: string;
  lang: Lang;
  user: string;
  realname: string;
  host: string;
  /** The address, for bans (never shown). */
  address: string;
  /** The rooms it is in, in the order it joined them. */
  rooms: BusRoom[];
  /** Its current room, or `null`. */
  current: string | null;
  away: string | null;
  /** Whether it is a server operator. */
  oper: boolean;
  /** Whether its rooms are told it joined (a new arrival) or not (a snapshot). */
  announce: boolean;
}

/** Something a member asked for, to be carried out on every node in order. */
export interface BusApply {
  kind: "apply";
  command: Command;
  /** The room the command was sent to, if it named one. */
  room?: string;
}

/** A member left. */
export interface BusLeave {
  kind: "leave";
  reason: LeaveReason;
  detail?: string;
}

/** A node started, or came back: every other node re-sends its members (silent `hello`s). */
export interface BusSync {
  kind: "sync";
  /**
   * The time of the newest line the node's store holds: the node that
   * answers sends the lines since then (what it missed while down).
   * @default {undefined} no lines asked for
   */
  since?: number;
}

/** A node stopped answering: its members are gone (one node says so, for all). */
export interface BusReap {
  kind: "reap";
  /** The node that died. */
  dead: string;
}

/**
 * A claimed name as it is now (claimed, used, left, given a password or a
 * certificate): every node keeps it in its own store. Sent by the node of
 * the member whose claim changed, or, with `for`, by the one node that
 * answers a `sync` (the node that asked adopts it; the others ignore it).
 */
export interface BusClaim {
  kind: "claim";
  record: ClaimRecord;
  /**
   * The node it answers (a snapshot for a node starting).
   * @default {undefined} a change, for every node
   */
  for?: string;
}

/**
 * A room's record (topic, key hash, modes, operators, voices, bans) as the
 * one node that answers a `sync` has it: the node that asked adopts it.
 */
export interface BusRoomRecord {
  kind: "room";
  record: RoomRecord;
  /** The node it answers. */
  for: string;
}

/**
 * A public line a room's history holds, sent by the one node that answers
 * a `sync` to the node that asked (`for`): it stores it, telling nobody.
 */
export interface BusLine {
  kind: "line";
  /** The room's key (`#general`). */
  room: string;
  /** The line, without its id (each store gives its own). */
  line: ChatLine;
  /** The node it answers. */
  for: string;
  /**
   * Whether it is the answer's last line.
   * @default {false}
   */
  last?: boolean;
}

/** What one entry says. */
export type BusBody =
  | BusHello
  | BusApply
  | BusLeave
  | BusSync
  | BusReap
  | BusClaim
  | BusRoomRecord
  | BusLine;

/**
 * One entry on the bus: who sent it (the node, its own count of what it
 * sent, the member it is about) and what it says, stamped with the
 * sender's clock.
 */
export type BusEntry = BusBody & {
  /** The node that sent it (its name and start, unique per run). */
  node: string;
  /** The node's count of entries sent, from 1: duplicates are dropped by it. */
  seq: number;
  /** The member it is about, by the node's number for it (0: none). */
  member: number;
  /** When, in milliseconds since the epoch. */
  time: number;
};

/** How the cluster is doing, as the console reports it. */
export type BusStatus =
  | { state: "up" }
  | { state: "degraded"; reason: string }
  | { state: "restored"; replayed: number; dropped: number };

/** What waits for Redis, and what did not fit, since the last outage began. */
export interface BusBacklog {
  /** Entries waiting to be sent. */
  waiting: number;
  /** Entries dropped over the bound. */
  dropped: number;
}

/** Who a bus hands what it reads to. */
export interface BusSink {
  /** An entry, in the bus's one order; `mine` when this node sent it. */
  entry(entry: BusEntry, mine: boolean): void;
  /** A change of the bus's health. */
  status(status: BusStatus): void;
  /** An entry that could not be read (a foreign writer, a corrupt entry), skipped. */
  skipped(id: string, why: string): void;
}

/** A bus: {@linkcode LocalBus} or {@linkcode RedisBus}. */
export interface Bus {
  /** This node's name on the bus (unique per run). */
  readonly node: string;
  /**
   * Whether what is published now comes back in order: always for the
   * local bus; for Redis, while connected. When not, the node applies its
   * own entries at once and the bus keeps them to publish later.
   */
  readonly up: boolean;
  /** What waits to be sent and what was dropped (zeros on the local bus). */
  readonly backlog: BusBacklog;
  /**
   * The id of the cluster, the same on every node sharing the bus
   * (announced on the LAN so clients take the nodes as one server);
   * `undefined` for the local bus.
   */
  readonly cluster?: string | undefined;
  /**
   * Starts reading; entries go to the sink, each once, in order.
   *
   * @param sink Where they go.
   */
  start(sink: BusSink): Promise<void>;
  /**
   * Sends an entry to every node (this one included); never throws.
   *
   * @param body What it says.
   * @param member The member it is about (0: none).
   * @param time The sender's clock.
   * @returns The entry as sent.
   */
  publish(body: BusBody, member: number, time: number): BusEntry;
  /**
   * Takes a name for a member of this node, cluster-wide: `false` when a
   * member of another node holds one of its keys.
   *
   * @param keys The name's look-alike keys.
   * @param member The member.
   * @returns Whether the name is this member's now.
   */
  reserve(keys: readonly string[], member: number): Promise<boolean>;
  /**
   * Lets a name go, if this member holds it.
   *
   * @param keys The name's look-alike keys.
   * @param member The member.
   */
  release(keys: readonly string[], member: number): void;
  /**
   * Chooses one node for a task, cluster-wide (answering a `sync`): the
   * first node to ask for `task` wins, the others are told `false`.
   *
   * @param task What is to be done, once (`answer:NODE`).
   * @returns Whether this node does it.
   */
  elect(task: string): Promise<boolean>;
  /** Stops; what is published after is dropped. Idempotent. */
  close(): Promise<void>;
}
