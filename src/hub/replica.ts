/**
 * One node's share of a cluster: the {@linkcode HubRelay} that publishes
 * what this node's members do on the {@linkcode Bus}, and the
 * {@linkcode BusSink} that carries out what the bus gives back, every
 * node's entries in the bus's one order, on this node's hub. Members of
 * other nodes are {@linkcode RemoteMember}s here.
 *
 * With the {@linkcode LocalBus} an entry comes back in the same call, so a
 * single server takes this same path with nothing in between.
 *
 * @module
 */

import type { Command } from "../protocol/commands.ts";
import { checkName, lookalikeKeys } from "../protocol/name_rules.ts";
import type { LeaveReason } from "../protocol/messages.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import type {
  Bus,
  BusEntry,
  BusHello,
  BusSink,
  BusStatus,
} from "../bus/bus.ts";
import type { ClaimRecord } from "../store/claim_store.ts";
import type { ApplyOptions, ClusterHealth, Hub, HubRelay } from "./hub.ts";
import type { Member } from "./member.ts";
import { RemoteMember } from "./remote_member.ts";

/** Options of {@linkcode Replica}. */
export interface ReplicaOptions {
  /**
   * The node's clock, stamped on what it publishes.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Whether names are taken cluster-wide through the bus before the hub
   * takes them (a cluster); on one node the hub's own check is enough.
   * @default {false}
   */
  shared?: boolean;
  /**
   * Console lines: entries skipped, names held twice.
   * @default {() => {}}
   */
  log?: (line: string) => void;
  /**
   * Changes of the bus's health.
   * @default {() => {}}
   */
  onStatus?: (status: BusStatus) => void;
}

// Commands carried out on the member's own node only: secrets that must
// not be written to the bus (the server operator's password, a name's
// password), and answers that change nothing. A granted /oper is told to
// the other nodes as the member's new snapshot.
const LOCAL_ONLY: ReadonlySet<Command["kind"]> = new Set<Command["kind"]>([
  "oper",
  "register",
  "identify",
  "help",
  "usage",
  "unknown",
]);

// Most lines of one room, and in all, sent to a node that starts.
const BACKFILL_PER_ROOM = 500;
const BACKFILL_LINES = 10_000;

/**
 * A node's relay and sink; {@linkcode Replica.attach} it to the hub it
 * was given to.
 */
export class Replica implements HubRelay, BusSink {
  #bus: Bus;
  #hub: Hub | null = null;
  #now: () => number;
  #shared: boolean;
  #log: (line: string) => void;
  #onStatus: (status: BusStatus) => void;
  #ids = new Map<Member, number>();
  #locals = new Map<number, Member>();
  #nextId = 0;
  // The names each local member holds on the bus, as keys.
  #held = new Map<Member, readonly string[]>();
  // Other nodes' members, by node, then number.
  #remote = new Map<string, Map<number, RemoteMember>>();
  // This node's entries carried out at once (the bus was down), skipped
  // when they come back.
  #early = new Set<number>();
  // This node's commands published and not read back yet: carried out at
  // once if the bus goes down, so that they keep their order with what
  // its members say meanwhile.
  #inFlight = new Map<number, BusEntry & { kind: "apply" }>();
  // Commands waiting behind a rename's reservation, per member.
  #waiting = new Map<Member, (() => void)[]>();
  #closed = false;
  // Since when the bus is down, or null.
  #degradedSince: number | null = null;
  // The count of this node's last published change of each claim.
  #claimSeq = new Map<string, number>();
  // Lines stored from the answer to this node's start so far.
  #backfilled = 0;

  /**
   * A relay on a bus.
   *
   * @param bus The bus.
   * @param options The clock, whether names are shared, the log.
   */
  constructor(bus: Bus, options: ReplicaOptions = {}) {
    this.#bus = bus;
    this.#now = options.now ?? Date.now;
    this.#shared = options.shared ?? false;
    this.#log = options.log ?? (() => {});
    this.#onStatus = options.onStatus ?? (() => {});
  }

  /**
   * The hub entries are carried out on (made with this relay).
   *
   * @param hub The hub.
   */
  attach(hub: Hub): void {
    this.#hub = hub;
  }

  /** How many members other nodes have here. */
  get remoteCount(): number {
    let count = 0;
    for (const members of this.#remote.values()) count += members.size;
    return count;
  }

  /**
   * Takes a name cluster-wide for a member of this node, before the hub
   * registers it; always `true` on one node.
   *
   * @param member The member (not yet registered).
   * @param name The name it asks for.
   * @returns Whether no other node's member holds it.
   */
  async reserve(member: Member, name: string): Promise<boolean> {
    if (!this.#shared) return true;
    const check = checkName(name);
    if (!check.ok) return true; // the hub refuses it with its reason
    const keys = lookalikeKeys(check.name);
    const good = await this.#bus.reserve(keys, this.#idOf(member));
    if (good) this.#hold(member, keys);
    return good;
  }

  /**
   * Lets go of a name reserved for a member the hub then refused.
   *
   * @param member The member.
   */
  unreserve(member: Member): void {
    if (this.#hub?.has(member)) return;
    this.#letGo(member);
    const id = this.#ids.get(member);
    if (id !== undefined && !this.#locals.has(id)) this.#ids.delete(member);
  }

  // --- HubRelay -----------------------------------------------------------

  /**
   * Publishes a local member's command; it is carried out when the bus
   * gives it back (at once on the local bus).
   *
   * @param member Who asks.
   * @param command What for.
   * @param options The room it was sent to.
   * @returns Whether the relay took it.
   */
  command(member: Member, command: Command, options: ApplyOptions): boolean {
    if (member instanceof RemoteMember || this.#closed) return false;
    if (LOCAL_ONLY.has(command.kind)) {
      if (command.kind === "oper") {
        queueMicrotask(() => this.#hello(member, false));
      }
      return false;
    }
    const waiting = this.#waiting.get(member);
    if (waiting !== undefined) {
      waiting.push(() => this.#send(member, command, options));
      return true;
    }
    if (command.kind === "nick" && this.#shared) {
      this.#renaming(member, command.name, () => {
        this.#send(member, command, options);
      });
      return true;
    }
    return this.#send(member, command, options);
  }

  /**
   * Publishes a local member's arrival.
   *
   * @param member The member.
   */
  joined(member: Member): void {
    if (member instanceof RemoteMember) return;
    const id = this.#idOf(member);
    this.#locals.set(id, member);
    if (this.#shared && !this.#held.has(member)) {
      // Registered without a reservation (no cluster when it came).
      const keys = lookalikeKeys(member.name);
      this.#hold(member, keys);
      this.#bus.reserve(keys, id).then((good) => {
        if (!good) this.#log(`${member.name}: name held on another node too`);
      });
    }
    this.#hello(member, true);
  }

  /**
   * Publishes a local member's leave and lets go of its name.
   *
   * @param member The member.
   * @param reason Why.
   * @param detail Its words.
   */
  left(member: Member, reason: LeaveReason, detail: string | undefined): void {
    if (member instanceof RemoteMember) return;
    const id = this.#ids.get(member);
    if (id === undefined) return;
    const body = detail === undefined
      ? { kind: "leave" as const, reason }
      : { kind: "leave" as const, reason, detail };
    if (!this.#closed) this.#publish(body, id);
    this.#letGo(member);
    this.#locals.delete(id);
    this.#ids.delete(member);
    this.#waiting.delete(member);
  }

  /**
   * How the cluster is, for server operators' `/rooms`; `undefined` on one
   * node.
   *
   * @returns The node, since when Redis is away, what waits and what was
   * dropped.
   */
  health(): ClusterHealth | undefined {
    if (!this.#shared) return undefined;
    return {
      node: this.#bus.node,
      degradedSince: this.#degradedSince,
      ...this.#bus.backlog,
    };
  }

  /**
   * Sends a claim this node changed (a member of it claimed a name, used
   * it, left, gave it a password or a certificate) to the other nodes,
   * which keep it too; nothing on one node.
   *
   * @param record The claim as it is now.
   */
  claimed(record: ClaimRecord): void {
    // Also while the node stops: its members' claims note where they were.
    if (!this.#shared) return;
    const entry = this.#publish({ kind: "claim", record }, 0);
    this.#claimSeq.set(record.key, entry.seq);
  }

  // --- BusSink ------------------------------------------------------------

  /**
   * Carries out an entry, in the bus's order.
   *
   * @param entry The entry.
   * @param mine Whether this node sent it.
   */
  entry(entry: BusEntry, mine: boolean): void {
    const hub = this.#hub;
    if (hub === null) return;
    // A reap is carried out wherever it was sent from (the reaper may be
    // this node).
    if (mine && entry.kind !== "reap") {
      this.#mine(hub, entry);
      return;
    }
    switch (entry.kind) {
      case "hello":
        this.#mirror(hub, entry);
        return;
      case "apply": {
        const member = this.#remote.get(entry.node)?.get(entry.member);
        if (member === undefined) return;
        hub.replay(member, entry.command, _options(entry.room), entry.time);
        return;
      }
      case "leave": {
        const members = this.#remote.get(entry.node);
        const member = members?.get(entry.member);
        if (member === undefined) return;
        members!.delete(entry.member);
        hub.leave(member, entry.reason, entry.detail);
        return;
      }
      case "sync":
        for (const member of this.#locals.values()) this.#hello(member, false);
        this.#answer(hub, entry.node, entry.since);
        return;
      case "claim":
        // A change for every node, in the stream's order; or the answer to
        // this node's start, unless a change read since is newer.
        if (entry.for === undefined) hub.claims.adopt(entry.record);
        else if (entry.for === this.#bus.node) {
          hub.claims.adopt(entry.record, { unlessNewer: true });
        }
        return;
      case "room":
        if (entry.for === this.#bus.node) hub.adoptRoom(entry.record);
        return;
      case "line":
        if (entry.for !== this.#bus.node) return;
        if (hub.backfill(entry.room, entry.line)) this.#backfilled++;
        if (entry.last === true) {
          hub.endBackfill();
          this.#log(
            `cluster: stored ${this.#backfilled} lines said while this node was away`,
          );
          this.#backfilled = 0;
        }
        return;
      case "reap":
        // Its own reap: this node is stopping, or another took it for dead.
        if (entry.dead === this.#bus.node) {
          if (!mine && !this.#closed) this.#reapedAlive();
        } else {
          const reason = entry.node === entry.dead ? "closed" : "timeout";
          this.#forgetNode(hub, entry.dead, reason);
        }
        return;
    }
  }

  /**
   * Hands on a change of the bus's health; once it is back, asks the
   * others for their members (what changed meanwhile).
   *
   * @param status The change.
   */
  status(status: BusStatus): void {
    this.#degradedSince = status.state === "degraded"
      ? this.#degradedSince ?? this.#now()
      : null;
    if (status.state === "degraded") {
      const pending = [...this.#inFlight.values()];
      this.#inFlight.clear();
      for (const entry of pending) {
        this.#early.add(entry.seq);
        const member = this.#locals.get(entry.member);
        if (member === undefined) continue;
        this.#hub?.replay(
          member,
          entry.command,
          _options(entry.room),
          entry.time,
        );
      }
    }
    this.#onStatus(status);
  }

  /**
   * Logs an entry the bus could not read.
   *
   * @param id Its id on the bus.
   * @param why Why.
   */
  skipped(id: string, why: string): void {
    this.#log(`cluster: skipped entry ${id}: ${why}`);
  }

  /**
   * Asks the other nodes for their members (a node starting).
   */
  sync(): void {
    const since = this.#hub?.newestLineTime();
    this.#publish(
      since === undefined ? { kind: "sync" } : { kind: "sync", since },
      0,
    );
  }

  /**
   * Tells the other nodes that this node's members are gone (a shutdown);
   * nothing is published after.
   */
  close(): void {
    if (this.#closed) return;
    this.#publish({ kind: "reap", dead: this.#bus.node }, 0);
    this.#closed = true;
  }

  // --- What this node publishes ---------------------------------------------

  #idOf(member: Member): number {
    let id = this.#ids.get(member);
    if (id === undefined) {
      id = ++this.#nextId;
      this.#ids.set(member, id);
    }
    return id;
  }

  #publish(body: Parameters<Bus["publish"]>[0], member: number): BusEntry {
    return this.#bus.publish(body, member, this.#now());
  }

  // Publishes a command; when the bus is down it is carried out at once
  // (the relay does not take it) and skipped when it comes back.
  #send(member: Member, command: Command, options: ApplyOptions): boolean {
    const id = this.#ids.get(member);
    if (id === undefined || !this.#hub?.has(member)) return true;
    const body = options.room === undefined
      ? { kind: "apply" as const, command }
      : { kind: "apply" as const, command, room: options.room };
    if (this.#bus.up) {
      const entry = this.#publish(body, id) as BusEntry & { kind: "apply" };
      if (this.#shared) this.#inFlight.set(entry.seq, entry);
      return true;
    }
    const entry = this.#publish(body, id);
    this.#early.add(entry.seq);
    return false;
  }

  #hello(member: Member, announce: boolean): void {
    const id = this.#ids.get(member);
    const snapshot = this.#hub?.snapshot(member);
    if (id === undefined || snapshot === undefined || this.#closed) return;
    const hello: BusHello = {
      kind: "hello",
      name: member.name,
      lang: member.lang,
      user: member.user ?? "chat",
      realname: member.realname ?? "",
      host: member.host ?? "unknown",
      address: member.address,
      ...snapshot,
      announce,
    };
    this.#publish(hello, id);
  }

  // A rename reserves the new name first; the member's next commands wait.
  #renaming(member: Member, name: string, then: () => void): void {
    const check = checkName(name);
    if (
      !check.ok ||
      lookalikeKeys(check.name).every((key) =>
        this.#held.get(member)?.includes(key)
      )
    ) {
      then(); // the hub answers a bad name, or its own look
      return;
    }
    const waiting: (() => void)[] = [];
    this.#waiting.set(member, waiting);
    const keys = lookalikeKeys(check.name);
    this.#bus.reserve(keys, this.#idOf(member)).then((good) => {
      if (this.#waiting.get(member) !== waiting) return; // left meanwhile
      this.#waiting.delete(member);
      if (good) {
        this.#hold(member, [...(this.#held.get(member) ?? []), ...keys]);
        then();
      } else {
        member.deliver({
          type: "error",
          code: "name_taken",
          text: STRINGS[member.lang].nameError("taken", check.name),
        });
      }
      for (const next of waiting) next();
    });
  }

  #hold(member: Member, keys: readonly string[]): void {
    this.#held.set(member, [...new Set(keys)]);
  }

  #letGo(member: Member): void {
    const keys = this.#held.get(member);
    const id = this.#ids.get(member);
    this.#held.delete(member);
    if (keys !== undefined && id !== undefined && this.#shared) {
      this.#bus.release(keys, id);
    }
  }

  // --- What the bus gives back ------------------------------------------------

  #mine(hub: Hub, entry: BusEntry): void {
    if (entry.kind === "claim" && entry.for === undefined) {
      // This node's last change of a claim, back in the stream's order:
      // taken again, over what another node's change put there meanwhile,
      // so that the last change in the stream holds on every node.
      const key = entry.record.key;
      if (this.#claimSeq.get(key) === entry.seq) {
        this.#claimSeq.delete(key);
        hub.claims.adopt(entry.record);
      }
      return;
    }
    if (entry.kind !== "apply") return;
    this.#inFlight.delete(entry.seq);
    if (this.#early.delete(entry.seq)) return;
    const member = this.#locals.get(entry.member);
    if (member === undefined) return;
    hub.replay(member, entry.command, _options(entry.room), entry.time);
    if (entry.command.kind === "nick" && this.#shared) {
      // Keep the keys of the name it has now, let the other go.
      const now = new Set(lookalikeKeys(member.name));
      const held = this.#held.get(member) ?? [];
      const free = held.filter((key) => !now.has(key));
      if (free.length > 0) {
        this.#bus.release(free, entry.member);
        this.#hold(member, held.filter((key) => now.has(key)));
      }
    }
  }

  #mirror(hub: Hub, hello: BusEntry & BusHello): void {
    let members = this.#remote.get(hello.node);
    if (members === undefined) {
      members = new Map();
      this.#remote.set(hello.node, members);
    }
    let member = members.get(hello.member);
    const known = member !== undefined;
    member ??= new RemoteMember({ ...hello, id: hello.member });
    const { rooms, current, away, oper } = hello;
    if (!hub.mirror(member, { rooms, current, away, oper }, hello.announce)) {
      this.#log(`cluster: ${hello.name} of ${hello.node}: name held here`);
      return;
    }
    if (!known) members.set(hello.member, member);
  }

  // One node (the first to win the task on Redis) tells a node that
  // started what it missed: the rooms' records and the claimed names.
  #answer(hub: Hub, node: string, since: number | undefined): void {
    if (!this.#shared) return;
    this.#bus.elect(`answer:${node}`).then((won) => {
      if (!won || this.#closed) return;
      for (const record of hub.roomRecords()) {
        this.#publish({ kind: "room", record, for: node }, 0);
      }
      const claims = hub.claims.records();
      for (const record of claims) {
        this.#publish({ kind: "claim", record, for: node }, 0);
      }
      const lines = since === undefined
        ? []
        : hub.linesSince(since, BACKFILL_PER_ROOM).slice(-BACKFILL_LINES);
      lines.forEach(({ room, line }, i) => {
        const last = i === lines.length - 1 ? { last: true } : {};
        this.#publish({ kind: "line", room, line, for: node, ...last }, 0);
      });
      this.#log(
        `cluster: told ${node} the rooms' records, ${claims.length} claimed names and ${lines.length} lines`,
      );
    });
  }

  // A node's members are gone: it stopped (`closed`), or died (`timeout`).
  #forgetNode(hub: Hub, node: string, reason: LeaveReason): void {
    const members = this.#remote.get(node);
    this.#remote.delete(node);
    if (members === undefined) return;
    for (const member of members.values()) hub.leave(member, reason);
  }

  // Another node took this one for dead (Redis was away too long): it is
  // back, with its members and their names.
  #reapedAlive(): void {
    for (const member of this.#locals.values()) {
      const keys = this.#held.get(member);
      const id = this.#ids.get(member);
      if (keys !== undefined && id !== undefined) {
        this.#bus.reserve(keys, id).then((good) => {
          if (!good) this.#log(`${member.name}: name held on another node too`);
        });
      }
      this.#hello(member, true);
    }
  }
}

function _options(room: string | undefined): ApplyOptions {
  return room === undefined ? {} : { room };
}
