/**
 * DNS messages as LAN discovery reads and writes them: the bytes are
 * encoded and decoded by the npm package `dns-packet` (the one
 * `multicast-dns` uses), and what it decodes is checked into
 * {@linkcode DnsMessage}, keeping only the records discovery knows (PTR,
 * SRV, TXT, A, AAAA) with data of the right shape. Anything else in a
 * packet from the network, hostile or broken, is left out, never trusted.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import packet, { type Answer, type Packet } from "dns-packet";

/** One question. */
export interface DnsQuestion {
  /** The name asked about, such as `_chat._tcp.local`. */
  name: string;
  /** The record type asked for: `PTR`, `SRV`, `TXT`, `A`, `AAAA`, `ANY`. */
  type: string;
  /** mDNS: the querier asks for a unicast answer (the QU bit). */
  unicast: boolean;
}

/** What every record has. */
interface _Record {
  /** The owner name. */
  name: string;
  /** Seconds it may be kept; 0 says it is gone (a goodbye). */
  ttl: number;
  /** mDNS: the cache-flush bit of a record only its owner announces. */
  flush: boolean;
}

/** A service instance's address and port. */
export interface SrvData {
  /** The host name the service runs on, such as `box.local`. */
  target: string;
  /** The port. */
  port: number;
}

/** The records discovery reads and writes. */
export type DnsRecord =
  | _Record & { type: "PTR"; data: string }
  | _Record & { type: "SRV"; data: SrvData }
  | _Record & { type: "TXT"; data: string[] }
  | _Record & { type: "A" | "AAAA"; data: string };

/** A query or a response. */
export interface DnsMessage {
  /** The message id; mDNS leaves it 0, one-shot queriers set it. */
  id: number;
  /** Whether it asks or answers. */
  kind: "query" | "response";
  /** What it asks. */
  questions: DnsQuestion[];
  /** Its answers (in a query: the answers the querier already knows). */
  answers: DnsRecord[];
  /** mDNS probes put the records they want to own here. */
  authorities: DnsRecord[];
  /** Records that come with the answers (SRV, TXT, addresses). */
  additionals: DnsRecord[];
}

const _decoder = new TextDecoder();

function _isName(value: unknown): value is string {
  return typeof value === "string" && value.length <= 1024;
}

function _question(value: unknown): DnsQuestion | undefined {
  const q = value as Partial<Record<string, unknown>> | null;
  if (q === null || typeof q !== "object") return undefined;
  if (!_isName(q.name) || typeof q.type !== "string") return undefined;
  // dns-packet leaves the QU bit in the class, which it then cannot name.
  const unicast = q.class === "UNKNOWN_32769";
  if (q.class !== "IN" && q.class !== "ANY" && !unicast) return undefined;
  return { name: q.name, type: q.type, unicast };
}

function _text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) {
    return _decoder.decode(value);
  }
  return undefined;
}

function _record(value: Answer): DnsRecord | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { name, type, data } = value;
  if (!_isName(name) || value.class !== "IN") return undefined;
  const ttl = typeof value.ttl === "number" ? value.ttl : 0;
  const base = { name, ttl, flush: value.flush === true };
  switch (type) {
    case "PTR":
      return _isName(data) ? { ...base, type, data } : undefined;
    case "A":
    case "AAAA":
      return typeof data === "string" ? { ...base, type, data } : undefined;
    case "SRV": {
      const srv = data as Partial<Record<string, unknown>> | null;
      if (srv === null || typeof srv !== "object") return undefined;
      if (!_isName(srv.target) || typeof srv.port !== "number") {
        return undefined;
      }
      return { ...base, type, data: { target: srv.target, port: srv.port } };
    }
    case "TXT": {
      const parts = Array.isArray(data) ? data : [data];
      const strings = parts.map(_text);
      if (strings.some((s) => s === undefined)) return undefined;
      return { ...base, type, data: strings as string[] };
    }
    default:
      return undefined;
  }
}

function _records(value: unknown): DnsRecord[] {
  if (!Array.isArray(value)) return [];
  const records: DnsRecord[] = [];
  for (const item of value) {
    const record = _record(item as Answer);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/**
 * Checks a message that `dns-packet` decoded (as `multicast-dns` hands
 * it over) into a {@linkcode DnsMessage}: questions and records of a
 * shape discovery does not know are left out.
 *
 * @param decoded What `dns-packet` made of a datagram.
 * @returns The message, with only what discovery reads.
 * @throws {SyntaxError} `Cannot read the DNS message: it is neither a
 * query nor a response` when it is no message at all.
 */
export function readDnsMessage(decoded: Packet): DnsMessage {
  if (
    decoded === null || typeof decoded !== "object" ||
    (decoded.type !== "query" && decoded.type !== "response")
  ) {
    throw new SyntaxError(
      "Cannot read the DNS message: it is neither a query nor a response",
    );
  }
  const questions: DnsQuestion[] = [];
  for (const q of Array.isArray(decoded.questions) ? decoded.questions : []) {
    const question = _question(q);
    if (question !== undefined) questions.push(question);
  }
  return {
    id: typeof decoded.id === "number" ? decoded.id : 0,
    kind: decoded.type,
    questions,
    answers: _records(decoded.answers),
    authorities: _records(decoded.authorities),
    additionals: _records(decoded.additionals),
  };
}

/**
 * Decodes a datagram into a {@linkcode DnsMessage}.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeDnsMessage, encodeDnsMessage } from "./dns_message.ts";
 *
 * const query = encodeDnsMessage({
 *   id: 7,
 *   kind: "query",
 *   questions: [{ name: "_chat._tcp.local", type: "PTR", unicast: false }],
 *   answers: [],
 *   authorities: [],
 *   additionals: [],
 * });
 * assertEquals(decodeDnsMessage(query).questions[0]?.name, "_chat._tcp.local");
 * ```
 *
 * @param bytes The datagram.
 * @returns The message.
 * @throws {SyntaxError} `Cannot read the DNS message: <why>` when the
 * bytes are not one (cut short, a name pointing outside, garbage).
 */
export function decodeDnsMessage(bytes: Uint8Array): DnsMessage {
  let decoded: Packet;
  try {
    // dns-packet reads with Buffer's methods.
    decoded = packet.decode(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    );
  } catch (error) {
    throw new SyntaxError(
      `Cannot read the DNS message: ${(error as Error).message}`,
    );
  }
  return readDnsMessage(decoded);
}

/**
 * A message in the shape `dns-packet` (and so `multicast-dns`) encodes.
 *
 * @param message The message; a response is sent as authoritative.
 * @returns The package's shape of it.
 */
export function toPacket(message: DnsMessage): Packet {
  const record = (r: DnsRecord): Answer => ({
    name: r.name,
    type: r.type,
    class: "IN",
    ttl: r.ttl,
    flush: r.flush,
    data: r.data,
  });
  return {
    id: message.id,
    type: message.kind,
    flags: message.kind === "response" ? packet.AUTHORITATIVE_ANSWER : 0,
    questions: message.questions.map((q) => ({ name: q.name, type: q.type })),
    answers: message.answers.map(record),
    authorities: message.authorities.map(record),
    additionals: message.additionals.map(record),
  };
}

/**
 * Encodes a message for the network.
 *
 * @param message The message; a response is sent as authoritative.
 * @returns The datagram.
 */
export function encodeDnsMessage(message: DnsMessage): Uint8Array {
  // A plain copy: a Buffer's slice() would share its bytes.
  return new Uint8Array(packet.encode(toPacket(message)));
}
