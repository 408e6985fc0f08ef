/**
 * A member of another node, as this node's hub holds it: in rooms, under
 * its name, with its address for bans and its host for IRC prefixes, but
 * never reached from here (its own node delivers to it).
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";
import type { Member } from "./member.ts";

/** What a {@linkcode RemoteMember} is made of. */
export interface RemoteMemberInit {
  /** The node it is on. */
  node: string;
  /** Its number on that node. */
  id: number;
  name: string;
  lang: Lang;
  address: string;
  host: string;
  user: string;
  realname: string;
}

/**
 * The stand-in of another node's member: what the hub sends it is dropped
 * (its node sends its own copy), and closing it does nothing (its node
 * closes it).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { RemoteMember } from "./remote_member.ts";
 *
 * const ana = new RemoteMember({
 *   node: "b/1", id: 3, name: "ana", lang: "en", address: "10.0.0.2",
 *   host: "h", user: "ana", realname: "",
 * });
 * ana.deliver({ type: "pong" } as never);
 * assertEquals(ana.label, "ana@b");
 * ```
 */
export class RemoteMember implements Member {
  /** Its name, kept by the hub. */
  name: string;
  /** Its current room, kept by the hub. */
  room: string | null = null;
  /** Its language. */
  readonly lang: Lang;
  /** `name@node` for the log. */
  readonly label: string;
  /** Its address, for bans. */
  readonly address: string;
  /** Its host, for IRC prefixes. */
  readonly host: string;
  /** Its user. */
  readonly user: string;
  /** Its real name. */
  readonly realname: string;
  /** The node it is on. */
  readonly node: string;
  /** Its number on that node. */
  readonly id: number;

  /**
   * A stand-in.
   *
   * @param init Who it is.
   */
  constructor(init: RemoteMemberInit) {
    this.name = init.name;
    this.lang = init.lang;
    this.address = init.address;
    this.host = init.host;
    this.user = init.user;
    this.realname = init.realname;
    this.node = init.node;
    this.id = init.id;
    this.label = `${init.name}@${init.node.split("/")[0]}`;
  }

  /** Dropped: its node delivers. */
  deliver(): void {}

  /** Nothing: its node closes it. */
  close(): void {}
}
