/**
 * Join notices of a crowd, told together. One arrival is told to everyone
 * in the room at once, as always; but when many arrive within moments (a
 * class logging in, a benchmark, a server coming back), telling every join
 * to everyone costs O(N²) lines, and the server's memory and time go into
 * them. Past {@linkcode CROWD_JOINS} joins in {@linkcode CROWD_WINDOW_MS},
 * the room holds the next ones and tells them as one notice ("ana, bob and
 * 48 others joined"): at the next tick of the server, when
 * {@linkcode MAX_HELD_JOINS} wait, or before anything else is told in the
 * room, so nobody hears a newcomer before hearing that it came.
 *
 * @module
 */

import type { ServerMessage } from "../protocol/messages.ts";
import type { Member } from "./member.ts";

/** A join notice, as the hub tells it. */
export type JoinNotice = Extract<ServerMessage, { type: "join" }>;

/** Joins in one window told one by one before the room holds them. */
export const CROWD_JOINS = 8;
/** The window, in milliseconds of the hub's clock. */
export const CROWD_WINDOW_MS = 250;
/** Most joins held: reaching it tells them. */
export const MAX_HELD_JOINS = 64;
/**
 * Fewest names one notice tells together; fewer are told one by one, as
 * they would have been.
 */
export const MIN_TOLD_TOGETHER = 4;

interface _Held {
  readonly member: Member;
  readonly name: string;
}

/**
 * The held joins of one room.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import type { ServerMessage } from "../protocol/messages.ts";
 * import type { Member } from "./member.ts";
 * import { JoinCrowd } from "./join_crowd.ts";
 *
 * const got: ServerMessage[] = [];
 * const ana = {
 *   name: "ana", room: "#general", lang: "en", label: "", address: "",
 *   deliver: (m: ServerMessage) => got.push(m), close() {},
 * } as Member;
 * const crowd = new JoinCrowd();
 * const members: Member[] = [ana];
 * for (let i = 0; i < 20; i++) {
 *   const name = `u${i}`;
 *   const notice = { type: "join", room: "#general", name, time: 0 } as const;
 *   if (!crowd.hold({ ...ana, name } as Member, notice, members)) {
 *     got.push(notice);
 *   }
 * }
 * crowd.flush(members);
 * // Eight one by one, then the other twelve in one notice.
 * assertEquals(got.length, 9);
 * assertEquals(got[8], {
 *   type: "join", room: "#general", name: "u8", time: 0,
 *   others: ["u9", "u10", "u11", "u12", "u13", "u14", "u15", "u16", "u17", "u18", "u19"],
 * });
 * ```
 */
export class JoinCrowd {
  #held: _Held[] = [];
  // What the held notices share: the room, arrived or not, the last time.
  #last: JoinNotice | null = null;
  #windowStart = -Infinity;
  #inWindow = 0;

  /** Whether joins are held. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /**
   * Holds a join, if the room is in a crowd.
   *
   * @param joiner Who joins; not yet among `members`.
   * @param notice Its notice.
   * @param members The room's members (a live view).
   * @returns `true` when the join is held: the caller tells nobody now.
   * `false`: the caller tells it at once (what was held is told first).
   */
  hold(
    joiner: Member,
    notice: JoinNotice,
    members: readonly Member[],
  ): boolean {
    if (notice.time - this.#windowStart >= CROWD_WINDOW_MS) {
      this.#windowStart = notice.time;
      this.#inWindow = 0;
    }
    this.#inWindow++;
    const last = this.#last;
    const alike = last === null ||
      (last.room === notice.room && last.arrived === notice.arrived);
    if (
      notice.op || notice.voice || notice.others !== undefined || !alike ||
      (this.#held.length === 0 && this.#inWindow <= CROWD_JOINS)
    ) {
      this.flush(members);
      return false;
    }
    this.#held.push({ member: joiner, name: notice.name });
    this.#last = notice;
    if (this.#held.length >= MAX_HELD_JOINS) this.flush(members);
    return true;
  }

  /**
   * Tells what is held to every member: those from before the crowd hear
   * every name, one of the crowd only the names that came after it (what
   * it was shown on arriving had the others).
   *
   * @param members The room's members, in join order.
   */
  flush(members: readonly Member[]): void {
    const held = this.#held;
    const last = this.#last;
    if (held.length === 0 || last === null) return;
    this.#held = [];
    this.#last = null;
    const names = held.map((entry) => entry.name);
    const position = new Map<Member, number>();
    for (let i = 0; i < held.length; i++) position.set(held[i]!.member, i);
    const everyone = _notices(last, names, 0);
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      const at = position.get(member);
      const notices = at === undefined
        ? everyone
        : _notices(last, names, at + 1);
      for (const notice of notices) member.deliver(notice);
    }
  }
}

// The notices that tell names[from..]: one for them all, or one each when
// they are few.
function _notices(
  last: JoinNotice,
  names: readonly string[],
  from: number,
): JoinNotice[] {
  const told = names.slice(from);
  const base = {
    type: "join" as const,
    room: last.room,
    time: last.time,
    ...(last.arrived ? { arrived: true as const } : {}),
  };
  if (told.length < MIN_TOLD_TOGETHER) {
    return told.map((name) => ({ ...base, name }));
  }
  return [{ ...base, name: told[0]!, others: told.slice(1) }];
}
