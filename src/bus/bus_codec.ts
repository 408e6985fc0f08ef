/**
 * Bus entries to text and back. What comes from Redis is not trusted (a
 * foreign writer, a corrupt or truncated entry, an older or newer node):
 * {@linkcode decodeEntry} checks every field and gives a reason instead of
 * an entry it cannot vouch for, and never throws.
 *
 * @module
 */

import type { Command } from "../protocol/commands.ts";
import type { ChatLine, LeaveReason } from "../protocol/messages.ts";
import type { ClaimRecord } from "../store/claim_store.ts";
import type { RoomBan, RoomRecord } from "../store/room_store.ts";
import type { BusBody, BusEntry, BusRoom } from "./bus.ts";

/** The longest entry read, in UTF-16 units; longer ones are skipped. */
export const MAX_ENTRY_LENGTH = 65_536;

/** The result of {@linkcode decodeEntry}. */
export type DecodedEntry =
  | { ok: true; entry: BusEntry }
  | { ok: false; why: string };

type _Field = "string" | "number" | "boolean" | "true" | "ctcp";

// Each command kind and its fields: required ones end with "!".
const COMMAND_FIELDS: Readonly<
  Record<Command["kind"], Record<string, _Field>>
> = {
  say: { "text!": "string" },
  msg: { "to!": "string", "text!": "string", action: "true", ctcp: "ctcp" },
  reply: { "text!": "string" },
  join: { "room!": "string", key: "string" },
  part: { room: "string", reason: "string" },
  switch: { "room!": "string" },
  rooms: {},
  who: { room: "string" },
  topic: { room: "string", text: "string" },
  nick: { "name!": "string" },
  history: {
    room: "string",
    limit: "number",
    before: "number",
    after: "number",
    around: "number",
    newerThan: "number",
    older: "true",
  },
  search: { room: "string", "words!": "string", before: "number" },
  me: { "text!": "string" },
  key: { room: "string", key: "string" },
  op: { room: "string", "name!": "string" },
  deop: { room: "string", "name!": "string" },
  voice: { room: "string", "name!": "string" },
  devoice: { room: "string", "name!": "string" },
  kick: { room: "string", "name!": "string", reason: "string" },
  ban: { room: "string", name: "string" },
  unban: { room: "string", "name!": "string" },
  "topic-lock": { room: "string", "on!": "boolean" },
  oper: { "password!": "string" },
  register: { "password!": "string" },
  "register-cert": {},
  identify: { "password!": "string" },
  help: {},
  quit: { reason: "string" },
  whois: { "name!": "string" },
  lusers: {},
  away: { text: "string" },
  bans: { room: "string" },
  usage: { "usage!": "string" },
  unknown: { "command!": "string" },
};

const LEAVE_REASONS: ReadonlySet<string> = new Set<LeaveReason>([
  "quit",
  "closed",
  "error",
  "shutdown",
  "timeout",
  "flood",
  "slow",
  "protocol",
  "full",
  "limit",
  "password",
]);

// The longest string field kept (a line is at most a few KB).
const MAX_FIELD_LENGTH = 16_384;

/**
 * An entry as the text stored in Redis.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeEntry, encodeEntry } from "./bus_codec.ts";
 *
 * const entry = {
 *   kind: "apply" as const, command: { kind: "say" as const, text: "hi" },
 *   node: "a/1", seq: 1, member: 2, time: 3,
 * };
 * assertEquals(decodeEntry(encodeEntry(entry)), { ok: true, entry });
 * ```
 *
 * @param entry The entry.
 * @returns Its text.
 */
export function encodeEntry(entry: BusEntry): string {
  return JSON.stringify(entry);
}

/**
 * Reads an entry, checking every field; never throws.
 *
 * @example A foreign writer's entry is refused with a reason
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeEntry } from "./bus_codec.ts";
 *
 * assertEquals(decodeEntry('{"kind":"say"}').ok, false);
 * assertEquals(decodeEntry("not json").ok, false);
 * ```
 *
 * @param text The stored text.
 * @returns The entry, or why it was refused.
 */
export function decodeEntry(text: unknown): DecodedEntry {
  if (typeof text !== "string") return _no("not text");
  if (text.length > MAX_ENTRY_LENGTH) return _no("too long");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return _no("not JSON");
  }
  if (!_isRecord(value)) return _no("not an object");
  const { node, seq, member, time } = value;
  if (!_isString(node) || node === "") return _no("no node");
  if (!_isCount(seq) || seq < 1) return _no("bad seq");
  if (!_isCount(member)) return _no("bad member");
  if (typeof time !== "number" || !Number.isFinite(time)) {
    return _no("bad time");
  }
  const body = _body(value);
  if (typeof body === "string") return _no(body);
  return { ok: true, entry: { ...body, node, seq, member, time } };
}

// The body of an entry, or why it is refused.
function _body(value: Record<string, unknown>): BusBody | string {
  switch (value.kind) {
    case "sync":
      if (value.since === undefined) return { kind: "sync" };
      return _isCount(value.since)
        ? { kind: "sync", since: value.since }
        : "bad since";
    case "line": {
      const line = _line(value.line);
      if (line === null || !_isString(value.room) || value.room === "") {
        return "bad line";
      }
      if (!_isString(value.for)) return "bad for";
      if (value.last !== undefined && value.last !== true) return "bad last";
      return {
        kind: "line",
        room: value.room,
        line,
        for: value.for,
        ...(value.last === true ? { last: true } : {}),
      };
    }
    case "reap":
      return _isString(value.dead) && value.dead !== ""
        ? { kind: "reap", dead: value.dead }
        : "bad reap";
    case "leave": {
      const { reason, detail } = value;
      if (typeof reason !== "string" || !LEAVE_REASONS.has(reason)) {
        return "bad leave reason";
      }
      if (detail !== undefined && !_isString(detail)) return "bad detail";
      const leave: BusBody = { kind: "leave", reason: reason as LeaveReason };
      if (detail !== undefined) leave.detail = detail;
      return leave;
    }
    case "apply": {
      const command = _command(value.command);
      if (command === null) return "bad command";
      if (value.room !== undefined && !_isString(value.room)) {
        return "bad room";
      }
      const apply: BusBody = { kind: "apply", command };
      if (value.room !== undefined) apply.room = value.room;
      return apply;
    }
    case "hello":
      return _hello(value);
    case "claim": {
      const record = _claim(value.record);
      if (record === null) return "bad claim";
      if (value.for !== undefined && !_isString(value.for)) return "bad for";
      return value.for === undefined
        ? { kind: "claim", record }
        : { kind: "claim", record, for: value.for };
    }
    case "room": {
      const record = _roomRecord(value.record);
      if (record === null) return "bad room record";
      if (!_isString(value.for)) return "bad for";
      return { kind: "room", record, for: value.for };
    }
    default:
      return "unknown kind";
  }
}

function _hello(value: Record<string, unknown>): BusBody | string {
  const { name, lang, user, realname, host, address, rooms, current } = value;
  const { away, oper, announce } = value;
  if (![name, user, realname, host, address].every(_isString)) {
    return "bad hello";
  }
  if (lang !== "en" && lang !== "pt") return "bad lang";
  if (!Array.isArray(rooms) || rooms.length > 1000) return "bad rooms";
  const list: BusRoom[] = [];
  for (const room of rooms) {
    if (
      !_isRecord(room) || !_isString(room.room) ||
      typeof room.op !== "boolean" ||
      (room.voice !== undefined && typeof room.voice !== "boolean")
    ) return "bad rooms";
    list.push(
      room.voice === true
        ? { room: room.room, op: room.op, voice: true }
        : { room: room.room, op: room.op },
    );
  }
  if (current !== null && !_isString(current)) return "bad current";
  if (away !== null && !_isString(away)) return "bad away";
  if (typeof oper !== "boolean" || typeof announce !== "boolean") {
    return "bad flags";
  }
  return {
    kind: "hello",
    name: name as string,
    lang,
    user: user as string,
    realname: realname as string,
    host: host as string,
    address: address as string,
    rooms: list,
    current,
    away,
    oper,
    announce,
  };
}

// A claim's record with every field of the right type, or null.
function _claim(value: unknown): ClaimRecord | null {
  if (!_isRecord(value)) return null;
  const { key, name, keyId, passwordHash, certFp, claimedAt, lastUsed } = value;
  const { leftAt, rooms } = value;
  if (!_isString(key) || key === "" || !_isString(name) || name === "") {
    return null;
  }
  if (![keyId, passwordHash, certFp].every(_isOptionalString)) return null;
  if (!_isCount(claimedAt) || !_isCount(lastUsed)) return null;
  if (leftAt !== undefined && !_isCount(leftAt)) return null;
  const list = _strings(rooms);
  if (list === null) return null;
  return {
    key,
    name,
    ...(keyId === undefined ? {} : { keyId: keyId as string }),
    ...(passwordHash === undefined
      ? {}
      : { passwordHash: passwordHash as string }),
    ...(certFp === undefined ? {} : { certFp: certFp as string }),
    claimedAt,
    lastUsed,
    ...(leftAt === undefined ? {} : { leftAt }),
    rooms: list,
  };
}

// A public line (no id: each store gives its own), or null.
function _line(value: unknown): ChatLine | null {
  if (!_isRecord(value)) return null;
  const { from, text, time, action } = value;
  if (!_isString(from) || from === "" || !_isString(text)) return null;
  if (!_isCount(time)) return null;
  if (action !== undefined && action !== true) return null;
  return action === true ? { from, text, time, action } : { from, text, time };
}

// A room's record with every field of the right type, or null.
function _roomRecord(value: unknown): RoomRecord | null {
  if (!_isRecord(value)) return null;
  const { room, name, topic, keyHash, modes, operators, voiced, bans } = value;
  if (!_isString(room) || room === "" || !_isString(name) || name === "") {
    return null;
  }
  if (![keyHash, modes].every(_isOptionalString)) return null;
  let kept: RoomRecord["topic"];
  if (topic !== undefined) {
    if (
      !_isRecord(topic) || !_isString(topic.text) || !_isString(topic.by) ||
      !_isCount(topic.time)
    ) return null;
    kept = { text: topic.text, by: topic.by, time: topic.time };
  }
  const ops = _strings(operators);
  const voices = voiced === undefined ? [] : _strings(voiced);
  if (ops === null || voices === null) return null;
  if (!Array.isArray(bans) || bans.length > 1000) return null;
  const list: RoomBan[] = [];
  for (const ban of bans) {
    if (!_isRecord(ban) || !_isString(ban.name) || ban.name === "") {
      return null;
    }
    if (![ban.address, ban.by].every(_isOptionalString)) return null;
    if (ban.time !== undefined && !_isCount(ban.time)) return null;
    list.push({
      name: ban.name,
      ...(ban.address === undefined ? {} : { address: ban.address as string }),
      ...(ban.by === undefined ? {} : { by: ban.by as string }),
      ...(ban.time === undefined ? {} : { time: ban.time }),
    });
  }
  return {
    room,
    name,
    ...(kept === undefined ? {} : { topic: kept }),
    ...(keyHash === undefined ? {} : { keyHash: keyHash as string }),
    ...(modes === undefined ? {} : { modes: modes as string }),
    operators: ops,
    ...(voiced === undefined ? {} : { voiced: voices }),
    bans: list,
  };
}

// A list of at most 1000 strings, or null.
function _strings(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length > 1000) return null;
  return value.every(_isString) ? [...value] : null;
}

function _isOptionalString(value: unknown): boolean {
  return value === undefined || _isString(value);
}

interface _FieldSpec {
  field: string;
  type: _Field;
  required: boolean;
}

// The table read once: each kind's fields, and the names allowed.
const COMMAND_SPECS: ReadonlyMap<
  string,
  { fields: readonly _FieldSpec[]; names: ReadonlySet<string> }
> = new Map(
  Object.entries(COMMAND_FIELDS).map(([kind, fields]) => {
    const list = Object.entries(fields).map(([spec, type]) => ({
      field: spec.endsWith("!") ? spec.slice(0, -1) : spec,
      type,
      required: spec.endsWith("!"),
    }));
    return [kind, {
      fields: list,
      names: new Set(["kind", ...list.map((spec) => spec.field)]),
    }];
  }),
);

// A command whose kind and fields are all as the table says, or null.
function _command(value: unknown): Command | null {
  if (!_isRecord(value) || typeof value.kind !== "string") return null;
  const spec = COMMAND_SPECS.get(value.kind);
  if (spec === undefined) return null;
  const command: Record<string, unknown> = { kind: value.kind };
  for (const { field, type, required } of spec.fields) {
    const got = value[field];
    if (got === undefined) {
      if (required) return null;
      continue;
    }
    if (!_fits(got, type)) return null;
    command[field] = got;
  }
  // No field but the table's (an extra one is a foreign writer's).
  for (const field in value) {
    if (!spec.names.has(field)) return null;
  }
  return command as Command;
}

function _fits(value: unknown, type: _Field): boolean {
  switch (type) {
    case "string":
      return _isString(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "true":
      return value === true;
    case "ctcp":
      return value === "query" || value === "reply";
  }
}

function _isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _isString(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_FIELD_LENGTH;
}

function _isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) &&
    value >= 0;
}

function _no(why: string): DecodedEntry {
  return { ok: false, why };
}
