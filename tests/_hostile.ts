/**
 * Helpers for the adversarial suite (`attacks_test.ts`, `chaos_test.ts`):
 * well-behaved members who check that every message they send arrives
 * everywhere in order, raw sockets for attackers, a check for characters
 * that act on a terminal, a seeded random source, and a subprocess server
 * whose memory can be read from `/proc`.
 *
 * @module
 */

import { assertEquals } from "@std/assert";
import type { LeaveReason, ServerMessage } from "../src/protocol/messages.ts";
import { STRINGS } from "../src/i18n/server_strings.ts";
import {
  ChatProcess,
  DEADLINE_MS,
  delay,
  eventually,
  LineClient,
  nativeUser,
  nextLine,
  plainUser,
} from "./_helpers.ts";

/**
 * Characters that must never reach a user: C0 controls except tab and the
 * line feed that ends a line, ESC, DEL, C1 controls, line and paragraph
 * separators, and the bidirectional embedding, override and isolate
 * characters.
 */
// deno-lint-ignore no-control-regex
export const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]/;

/** Describes the first unsafe character of `text`, or `undefined`. */
export function findUnsafe(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  if (match === null) return undefined;
  const code = match[0].codePointAt(0)!.toString(16).padStart(4, "0");
  return `U+${code.toUpperCase()} at ${match.index} in ${JSON.stringify(text)}`;
}

function _strings(value: unknown, into: string[]): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) { for (const v of value) _strings(v, into); }
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      _strings(v, into);
    }
  }
  return into;
}

/**
 * Fails if any received line, or any string inside a received JSON line
 * (what a native client would print), holds an unsafe character.
 */
export function assertSafeLines(lines: readonly string[], who: string): void {
  for (const line of lines) {
    const raw = findUnsafe(line);
    if (raw !== undefined) throw new Error(`${who} received ${raw}`);
    if (!line.startsWith("{")) continue;
    for (const text of _strings(JSON.parse(line), [])) {
      const inner = findUnsafe(text);
      if (inner !== undefined) {
        throw new Error(`${who} received, inside JSON, ${inner}`);
      }
    }
  }
}

/** The two wire dialects. */
export type Dialect = "plain" | "native";

/** What a member saw, decoded from either dialect. */
export type Seen =
  | { kind: "message"; from: string; text: string; action: boolean }
  | { kind: "private"; from: string; to: string; text: string }
  | { kind: "join"; name: string }
  | { kind: "leave"; line: string; name?: string; reason?: LeaveReason }
  | { kind: "bye"; line: string; reason?: LeaveReason }
  | { kind: "other"; line: string };

const PLAIN_MESSAGE = /^\[\d\d:\d\d\] ([^\s:]+): (.*)$/s;
const PLAIN_ACTION = /^\[\d\d:\d\d\] \* (\S+) (.*)$/s;
const PLAIN_PRIVATE = /^\[\d\d:\d\d\] \[(\S+) -> (\S+)\] (.*)$/s;
const PLAIN_JOIN = /^\[\d\d:\d\d\] -- (\S+) joined the chat!$/;
const PLAIN_LEAVE = /^\[\d\d:\d\d\] -- (\S+) left the chat! /;

/**
 * A well-behaved user: speaks one dialect, and decodes what it receives so
 * tests can ask who said what, in which order.
 */
export class Member {
  readonly name: string;
  readonly dialect: Dialect;
  readonly client: LineClient;
  #seen: Seen[] = [];
  #parsed = 0;

  constructor(name: string, dialect: Dialect, client: LineClient) {
    this.name = name;
    this.dialect = dialect;
    this.client = client;
  }

  /** Joins under `name` and waits for the welcome. */
  static async join(
    port: number,
    name: string,
    dialect: Dialect,
  ): Promise<Member> {
    const client = dialect === "plain"
      ? await plainUser(port, name)
      : await nativeUser(port, name);
    return new Member(name, dialect, client);
  }

  /** Every line received. */
  get lines(): readonly string[] {
    return this.client.lines;
  }

  /** Sends one line of input: a message or a command. */
  say(text: string): Promise<void> {
    return this.dialect === "plain"
      ? this.client.send(text)
      : this.client.sendMessage({ type: "input", text });
  }

  /** Everything received so far, decoded. */
  seen(): readonly Seen[] {
    const lines = this.client.lines;
    for (; this.#parsed < lines.length; this.#parsed++) {
      const line = lines[this.#parsed]!;
      this.#seen.push(
        this.dialect === "plain" ? _decodePlain(line) : _decodeNative(line),
      );
    }
    return this.#seen;
  }

  /** Texts of public messages (not actions) from `from`, in arrival order. */
  messagesFrom(from: string): string[] {
    const texts: string[] = [];
    for (const seen of this.seen()) {
      if (seen.kind === "message" && !seen.action && seen.from === from) {
        texts.push(seen.text);
      }
    }
    return texts;
  }

  /** Tells whether `name`'s leave (with `reason`, if given) arrived. */
  sawLeave(name: string, reason?: LeaveReason): boolean {
    return this.seen().some((seen) => {
      if (seen.kind !== "leave") return false;
      if (this.dialect === "native") {
        return seen.name === name && (reason === undefined ||
          seen.reason === reason);
      }
      const prefix = reason === undefined
        ? `-- ${name} left the chat! (`
        : `-- ${STRINGS.en.left(name, reason).slice(0, -1)}`;
      return seen.line.includes(prefix);
    });
  }

  /** Waits for `name`'s leave with `reason`. */
  async expectLeave(name: string, reason: LeaveReason): Promise<void> {
    await eventually(
      () => this.sawLeave(name, reason),
      `${this.name} to see ${name} leave (${reason}); got:\n${
        this.lines.slice(-20).join("\n")
      }`,
    );
  }

  /** Tells whether `name`'s join arrived. */
  sawJoin(name: string): boolean {
    return this.seen().some((seen) =>
      seen.kind === "join" && seen.name === name
    );
  }

  /** Tells whether the server said goodbye to this member. */
  wasDisconnected(): boolean {
    return this.seen().some((seen) => seen.kind === "bye");
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.client.close();
  }
}

function _decodePlain(line: string): Seen {
  let m = PLAIN_JOIN.exec(line);
  if (m) return { kind: "join", name: m[1]! };
  m = PLAIN_LEAVE.exec(line);
  if (m) return { kind: "leave", line, name: m[1]! };
  if (line.includes("-- Disconnected by the server:")) {
    return { kind: "bye", line };
  }
  if (/^\[\d\d:\d\d\] (--|!!) /.test(line)) return { kind: "other", line };
  m = PLAIN_PRIVATE.exec(line);
  if (m) return { kind: "private", from: m[1]!, to: m[2]!, text: m[3]! };
  m = PLAIN_ACTION.exec(line);
  if (m) return { kind: "message", from: m[1]!, text: m[2]!, action: true };
  m = PLAIN_MESSAGE.exec(line);
  if (m) return { kind: "message", from: m[1]!, text: m[2]!, action: false };
  return { kind: "other", line };
}

function _decodeNative(line: string): Seen {
  const message = JSON.parse(line) as ServerMessage;
  switch (message.type) {
    case "message":
      return {
        kind: "message",
        from: message.from,
        text: message.text,
        action: message.action === true,
      };
    case "private":
      return {
        kind: "private",
        from: message.from,
        to: message.to,
        text: message.text,
      };
    case "join":
      return { kind: "join", name: message.name };
    case "leave":
      return {
        kind: "leave",
        line,
        name: message.name,
        reason: message.reason,
      };
    case "bye":
      return { kind: "bye", line, reason: message.reason };
    default:
      return { kind: "other", line };
  }
}

/** Joins well-behaved members, alternating plain and native from the first. */
export async function joinMembers(
  port: number,
  names: readonly string[],
  first: Dialect = "plain",
): Promise<Member[]> {
  const members: Member[] = [];
  for (const [i, name] of names.entries()) {
    const plain = (i % 2 === 0) === (first === "plain");
    members.push(await Member.join(port, name, plain ? "plain" : "native"));
  }
  // Everyone has seen everyone join before the test starts talking.
  for (const [i, member] of members.entries()) {
    for (const later of members.slice(i + 1)) {
      await eventually(
        () => member.sawJoin(later.name),
        `${member.name} to see ${later.name} join`,
      );
    }
  }
  return members;
}

/** Options of {@linkcode conversation}. */
export interface ConversationOptions {
  /**
   * Milliseconds between one round of messages (one from each member) and
   * the next; keeps members under the rate limit.
   * @default {0}
   */
  paceMs?: number;
  /**
   * How long to wait for everything to arrive.
   * @default {DEADLINE_MS}
   */
  timeoutMs?: number;
  /** Stops sending early (the checks still cover what was sent). */
  signal?: AbortSignal;
  /**
   * Pads every message with dots to this many characters (for large
   * messages).
   * @default {0}
   */
  padTo?: number;
}

/**
 * The numbered text member `name` sends as message `i` of `label`, padded
 * with dots to `padTo` characters.
 */
export function numbered(
  label: string,
  name: string,
  i: number,
  padTo = 0,
): string {
  const text = `${label} ${name} #${i}`;
  return text.length >= padTo
    ? text
    : `${text} ${".".repeat(padTo - text.length - 1)}`;
}

/**
 * Every member sends `count` numbered messages, round-robin; then every
 * member must have received every other member's messages of this
 * conversation, complete, in order, without gaps or duplicates.
 *
 * @returns How many messages each member sent.
 */
export async function conversation(
  members: readonly Member[],
  label: string,
  count: number,
  options: ConversationOptions = {},
): Promise<number> {
  let sent = 0;
  for (let i = 0; i < count && !options.signal?.aborted; i++) {
    await Promise.all(
      members.map((m) => m.say(numbered(label, m.name, i, options.padTo))),
    );
    sent++;
    if (options.paceMs) await delay(options.paceMs);
  }
  await assertConversation(members, label, sent, options);
  return sent;
}

/**
 * Checks that each member received `count` numbered messages of `label`
 * from each other member, in order, and nothing else of that label.
 */
export async function assertConversation(
  members: readonly Member[],
  label: string,
  count: number,
  options: { timeoutMs?: number; padTo?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEADLINE_MS;
  const prefix = `${label} `;
  for (const receiver of members) {
    for (const sender of members) {
      if (sender === receiver) continue;
      const got = () =>
        receiver.messagesFrom(sender.name).filter((t) => t.startsWith(prefix));
      await eventually(
        () => got().length >= count,
        `${receiver.name} (${receiver.dialect}) to receive ${count} "${label}" messages from ${sender.name}; got ${got().length}${
          sender.lines.some((l) => /slow_down|Slow down/.test(l))
            ? ` (${sender.name} was told to slow down)`
            : ""
        }`,
        timeoutMs,
      );
      const expected = Array.from(
        { length: count },
        (_, i) => numbered(label, sender.name, i, options.padTo),
      );
      assertEquals(
        got(),
        expected,
        `${receiver.name} got ${sender.name}'s "${label}" messages`,
      );
    }
  }
}

/**
 * Answers every `ping` a native member receives, in the background, as
 * `chat join` does. Returns a function that stops answering.
 */
export function answerPings(member: Member): () => Promise<void> {
  let running = true;
  let answered = 0;
  const loop = (async () => {
    while (running) {
      const lines = member.lines;
      for (; answered < lines.length; answered++) {
        const message = JSON.parse(lines[answered]!) as ServerMessage;
        if (message.type === "ping") {
          await member.client.sendMessage({ type: "pong", id: message.id })
            .catch(() => {});
        }
      }
      await delay(10);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Closes every member and connection given, ignoring errors. */
export async function closeAll(
  ...things: (Member | LineClient | RawPeer | Deno.Conn | undefined)[]
): Promise<void> {
  await Promise.all(things.map(async (thing) => {
    if (thing === undefined) return;
    if (
      thing instanceof Member || thing instanceof LineClient ||
      thing instanceof RawPeer
    ) {
      await thing.close();
      return;
    }
    try {
      thing.close();
    } catch {
      // already closed
    }
  }));
}

/** Connects a raw socket to 127.0.0.1. */
export function rawConnect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Writes all of `data`; resolves with how many bytes went out before an error. */
export async function writeAll(
  conn: Deno.Conn,
  data: Uint8Array | string,
): Promise<{ written: number; error?: unknown }> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  let written = 0;
  try {
    while (written < bytes.length) {
      written += await conn.write(bytes.subarray(written));
    }
    return { written };
  } catch (error) {
    return { written, error };
  }
}

/**
 * Reads until the peer closes (or resets) the connection, or the deadline
 * passes; returns the text and whether the end was seen.
 */
export async function readToEnd(
  conn: Deno.Conn,
  timeoutMs: number = DEADLINE_MS,
): Promise<{ text: string; ended: boolean }> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65_536);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let ended = false;
  try {
    while (true) {
      const n = await Promise.race([conn.read(buffer), timeout]);
      if (n === "timeout") break;
      if (n === null) {
        ended = true;
        break;
      }
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    ended = true; // reset by the peer
  } finally {
    clearTimeout(timer);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder().decode(all), ended };
}

/**
 * An attacker's connection: writes raw bytes, and collects what it receives
 * as lines (reading with `conn.read`, so nothing received before a reset is
 * lost).
 */
export class RawPeer {
  /** Lines received so far. */
  readonly lines: string[] = [];
  /** Resolves when the server closed (or reset) the connection. */
  readonly ended: Promise<void>;
  readonly conn: Deno.TcpConn;
  #partial = "";
  #decoder = new TextDecoder();
  #seen = 0;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.ended = this.#pump();
  }

  /** Connects to a port on 127.0.0.1. */
  static async connect(port: number): Promise<RawPeer> {
    return new RawPeer(await rawConnect(port));
  }

  /** The local port, to find this peer in server logs. */
  get localPort(): number {
    return this.conn.localAddr.port;
  }

  async #pump(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    try {
      while (true) {
        const n = await this.conn.read(buffer);
        if (n === null) break;
        this.#take(
          this.#decoder.decode(buffer.subarray(0, n), { stream: true }),
        );
      }
    } catch {
      // reset by the peer, or closed by us
    }
    this.#take(this.#decoder.decode());
    if (this.#partial !== "") this.lines.push(this.#partial);
    this.#partial = "";
  }

  #take(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop()!;
    for (const part of parts) this.lines.push(part.replace(/\r$/, ""));
  }

  /** Writes bytes or text; resolves with how much went out before an error. */
  write(
    data: Uint8Array | string,
  ): Promise<{ written: number; error?: unknown }> {
    return writeAll(this.conn, data);
  }

  /** Sends one line. */
  send(line: string): Promise<{ written: number; error?: unknown }> {
    return this.write(line + "\n");
  }

  /** Waits for the next line (after the last one returned) that matches. */
  async expect(
    pattern: RegExp | string,
    timeoutMs: number = DEADLINE_MS,
  ): Promise<string> {
    const index = await nextLine(this.lines, this.#seen, pattern, timeoutMs);
    this.#seen = index + 1;
    return this.lines[index]!;
  }

  /** Closes the connection and waits for the reader. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.conn.close();
      } catch {
        // already closed
      }
    }
    await this.ended;
  }
}

/** A small deterministic PRNG (mulberry32) so runs can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `chat serve` as a subprocess on 127.0.0.1 port 0, with its port. */
export type ServerProcess = ChatProcess & { readonly port: number };

/** Starts servers for the attack and chaos tests. */
export const ServerProcess = {
  /** Starts `chat serve` with extra flags and waits until it listens. */
  async start(args: string[] = []): Promise<ServerProcess> {
    const { process, port } = await ChatProcess.server(args);
    return Object.assign(process, { port });
  },
};
