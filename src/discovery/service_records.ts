/**
 * The DNS-SD records of a chat server, and what a querier learns from
 * them; pure. A server is one service instance of type `_chat._tcp.local`
 * (RFC 6763):
 *
 * - `_chat._tcp.local PTR <instance>._chat._tcp.local`, so browsers find it
 *   (and `_services._dns-sd._udp.local PTR _chat._tcp.local`);
 * - `<instance>._chat._tcp.local SRV 0 0 <port> <host>.local`;
 * - `<instance>._chat._tcp.local TXT txtvers=1 proto=1 name=… web=50002
 *   tls=true fp=SHA256:… [people=N]` (`tls=false` and no `fp` from a server without TLS);
 * - `<host>.local A` (and `AAAA`) with the addresses of the interface the
 *   answer goes out on.
 *
 * The same messages answer one-shot queries over multicast (port 5353)
 * and over the UDP broadcast fallback.
 *
 * @module
 */

import { DISCOVERY_DEFAULTS } from "../config.ts";
import type { DnsMessage, DnsQuestion, DnsRecord } from "./dns_message.ts";

/** The TXT record's keys and values, as a server announces them. */
export interface ServiceTxt {
  /** `proto`: the version of the native dialect (`PROTOCOL_VERSION`). */
  version: number;
  /** `name`: the server's name as people see it (the instance name). */
  name: string;
  /** `web`: the browser client's port, or `null` for none. */
  webPort: number | null;
  /** `tls`: whether the chat port speaks TLS. */
  tls: boolean;
  /**
   * `fp`: the server's identity fingerprint; shown to people, never
   * trusted by itself.
   * @default {absent}
   */
  fingerprint?: string;
  /**
   * `people`: members online when the answer was made.
   * @default {absent}
   */
  people?: number;
  /**
   * `cluster`: the id of the cluster the server is a node of (the same
   * on every node sharing one Redis), so a client takes the nodes as one
   * server with several addresses.
   * @default {absent}
   */
  cluster?: string;
}

/** One chat server as it announces itself. */
export interface ChatService {
  /** The instance name, one DNS label: `chat on box`. */
  instance: string;
  /** The host label its SRV record points to: `box` for `box.local`. */
  host: string;
  /** The chat port. */
  port: number;
  /** What the TXT record says. */
  txt: ServiceTxt;
}

/** A chat server a querier found. */
export interface FoundServer {
  /** Its name (the TXT `name`, else the instance name). */
  name: string;
  /** The instance name, unique on the network. */
  instance: string;
  /** The host name its SRV record points to (`box.local`). */
  host: string;
  /** Its addresses, IPv4 first; the answer's source when none was given. */
  addresses: string[];
  /** The chat port. */
  port: number;
  /** The browser client's port, or `null` when it has none or did not say. */
  webPort: number | null;
  /** The native dialect's version, or `null` when it did not say. */
  version: number | null;
  /** Whether it says its chat port speaks TLS. */
  tls: boolean;
  /**
   * The fingerprint it claims; unverified.
   * @default {absent}
   */
  fingerprint?: string;
  /**
   * Members online, when it says.
   * @default {absent}
   */
  people?: number;
  /**
   * The cluster it says it is a node of.
   * @default {absent}
   */
  cluster?: string;
}

/** The mDNS port and IPv4 group. */
export const MDNS: Readonly<{ port: number; group: string }> = Object.freeze({
  port: 5353,
  group: "224.0.0.251",
});

/** `_services._dns-sd._udp.local`: DNS-SD's list of service types. */
export const SERVICES_META_QUERY = "_services._dns-sd._udp.local";

/** Seconds records are kept: host-bound ones briefly, the others long (RFC 6762 §10). */
export const TTL = Object.freeze({ host: 120, other: 4500, legacy: 10 });

/** Escapes a label for `dns-packet`'s dotted names. */
function _escape(label: string): string {
  return label.replace(/[\\.]/g, (c) => `\\${c}`);
}

function _unescape(label: string): string {
  return label.replace(/\\(.)/g, "$1");
}

function _same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The full name of an instance.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { instanceName } from "./service_records.ts";
 *
 * assertEquals(instanceName("chat on box"), "chat on box._chat._tcp.local");
 * ```
 *
 * @param instance The instance label.
 * @param serviceType The service type.
 * @returns `<instance>.<serviceType>`, dots in the label escaped.
 */
export function instanceName(
  instance: string,
  serviceType: string = DISCOVERY_DEFAULTS.serviceType,
): string {
  return `${_escape(instance)}.${serviceType}`;
}

/**
 * Cuts a name to what one DNS label holds (63 bytes of UTF-8), at a
 * character boundary.
 *
 * @param text The name.
 * @param bytes How many bytes of UTF-8 it may take.
 * @returns At most `bytes` bytes of it.
 */
export function fitLabel(text: string, bytes = 63): string {
  const encoder = new TextEncoder();
  let out = "";
  for (const char of text) {
    if (encoder.encode(out + char).length > bytes) break;
    out += char;
  }
  return out;
}

/**
 * A host label from a computer's name: its first part, with anything but
 * letters, digits and `-` made `-`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { hostLabel } from "./service_records.ts";
 *
 * assertEquals(hostLabel("Ana's MacBook.lan"), "Ana-s-MacBook");
 * assertEquals(hostLabel(""), "chat");
 * ```
 *
 * @param hostname The computer's name.
 * @returns A label for `<label>.local`.
 */
export function hostLabel(hostname: string): string {
  const first = hostname.split(".")[0] ?? "";
  const label = first.replace(/[^A-Za-z0-9-]/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return label === "" ? "chat" : label;
}

/**
 * The next name to try after a conflict: `chat on box` → `chat on box (2)`
 * → `chat on box (3)`; a host label `box` → `box-2` → `box-3`.
 *
 * @param name The name in conflict.
 * @param kind Whether it is an instance name or a host label.
 * @returns The next name.
 */
export function nextName(name: string, kind: "instance" | "host"): string {
  if (kind === "instance") {
    const match = /^(.*) \((\d+)\)$/.exec(name);
    const base = match ? match[1]! : name;
    const n = match ? Number(match[2]) + 1 : 2;
    const suffix = ` (${n})`;
    return fitLabel(base, 63 - suffix.length) + suffix;
  }
  const match = /^(.*)-(\d+)$/.exec(name);
  const base = match ? match[1]! : name;
  const n = match ? Number(match[2]) + 1 : 2;
  return `${base.slice(0, 60)}-${n}`;
}

/**
 * The TXT strings of a service.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { txtStrings } from "./service_records.ts";
 *
 * assertEquals(
 *   txtStrings({ version: 1, name: "chat on box", webPort: 50002, tls: false }),
 *   ["txtvers=1", "proto=1", "name=chat on box", "web=50002", "tls=false"],
 * );
 * ```
 *
 * @param txt What to say.
 * @returns `key=value` strings.
 */
export function txtStrings(txt: ServiceTxt): string[] {
  const strings = [
    "txtvers=1",
    `proto=${txt.version}`,
    `name=${txt.name}`,
  ];
  if (txt.webPort !== null) strings.push(`web=${txt.webPort}`);
  strings.push(`tls=${txt.tls}`);
  if (txt.fingerprint !== undefined) strings.push(`fp=${txt.fingerprint}`);
  if (txt.people !== undefined) strings.push(`people=${txt.people}`);
  if (txt.cluster !== undefined) strings.push(`cluster=${txt.cluster}`);
  return strings;
}

function _port(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * Reads TXT strings (keys ignore case; the first of a key counts; a value
 * that makes no sense is left out).
 *
 * @param strings The TXT record's strings.
 * @returns What they say, by key.
 */
export function readTxt(
  strings: readonly string[],
): Partial<ServiceTxt> {
  const values = new Map<string, string>();
  for (const entry of strings) {
    const equals = entry.indexOf("=");
    const key = (equals < 0 ? entry : entry.slice(0, equals)).toLowerCase();
    if (key !== "" && !values.has(key)) {
      values.set(key, equals < 0 ? "" : entry.slice(equals + 1));
    }
  }
  const txt: Partial<ServiceTxt> = {};
  const version = values.get("proto");
  if (version !== undefined && /^[0-9]{1,6}$/.test(version)) {
    txt.version = Number(version);
  }
  const name = values.get("name");
  if (name !== undefined && name.trim() !== "") txt.name = name.slice(0, 200);
  const web = _port(values.get("web"));
  if (web !== null) txt.webPort = web;
  txt.tls = values.get("tls") === "true";
  const fingerprint = values.get("fp");
  if (fingerprint !== undefined && /^[\x21-\x7e]{1,200}$/.test(fingerprint)) {
    txt.fingerprint = fingerprint;
  }
  const people = values.get("people");
  if (people !== undefined && /^[0-9]{1,9}$/.test(people)) {
    txt.people = Number(people);
  }
  const cluster = values.get("cluster");
  if (cluster !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(cluster)) {
    txt.cluster = cluster;
  }
  return txt;
}

/** Options of {@linkcode serviceRecords} and {@linkcode answerQuery}. */
export interface RecordOptions {
  /**
   * The service type.
   * @default {DISCOVERY_DEFAULTS.serviceType}
   */
  serviceType?: string;
  /**
   * A legacy unicast answer (RFC 6762 §6.7: to a one-shot querier, not on
   * port 5353): no cache-flush bit, and kept at most 10 s.
   * @default {false}
   */
  legacy?: boolean;
  /**
   * A goodbye: every record with a TTL of 0.
   * @default {false}
   */
  goodbye?: boolean;
}

/** Every record of a service on one interface. */
export interface ServiceRecordSet {
  /** `_chat._tcp.local PTR <instance>`. */
  ptr: DnsRecord;
  /** `_services._dns-sd._udp.local PTR _chat._tcp.local`. */
  meta: DnsRecord;
  /** The instance's SRV. */
  srv: DnsRecord;
  /** The instance's TXT. */
  txt: DnsRecord;
  /** The host's A and AAAA records. */
  addresses: DnsRecord[];
}

/**
 * The records of a service, with the addresses of one interface.
 *
 * @param service The service.
 * @param addresses The interface's addresses (IPv4 and IPv6).
 * @param options Legacy or goodbye TTLs, the service type.
 * @returns The records.
 */
export function serviceRecords(
  service: ChatService,
  addresses: readonly string[],
  options: RecordOptions = {},
): ServiceRecordSet {
  const type = options.serviceType ?? DISCOVERY_DEFAULTS.serviceType;
  const legacy = options.legacy ?? false;
  const ttl = (seconds: number) =>
    options.goodbye ? 0 : legacy ? Math.min(seconds, TTL.legacy) : seconds;
  const own = { flush: !legacy };
  const shared = { flush: false };
  const instance = instanceName(service.instance, type);
  const host = `${service.host}.local`;
  return {
    ptr: {
      name: type,
      type: "PTR",
      ttl: ttl(TTL.other),
      ...shared,
      data: instance,
    },
    meta: {
      name: SERVICES_META_QUERY,
      type: "PTR",
      ttl: ttl(TTL.other),
      ...shared,
      data: type,
    },
    srv: {
      name: instance,
      type: "SRV",
      ttl: ttl(TTL.host),
      ...own,
      data: { target: host, port: service.port },
    },
    txt: {
      name: instance,
      type: "TXT",
      ttl: ttl(TTL.other),
      ...own,
      data: txtStrings(service.txt),
    },
    addresses: addresses.map((address) => ({
      name: host,
      type: address.includes(":") ? "AAAA" as const : "A" as const,
      ttl: ttl(TTL.host),
      ...own,
      data: address,
    })),
  };
}

// A message with nothing in it but what `parts` gives.
function _message(
  kind: DnsMessage["kind"],
  parts: Partial<DnsMessage>,
): DnsMessage {
  return {
    id: 0,
    kind,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    ...parts,
  };
}

function _wants(question: DnsQuestion, ...types: string[]): boolean {
  return question.type === "ANY" || types.includes(question.type);
}

// The querier already has this record for at least half its life (RFC
// 6762 §7.1, known-answer suppression).
function _known(query: DnsMessage, record: DnsRecord): boolean {
  return query.answers.some((known) =>
    known.type === record.type && _same(known.name, record.name) &&
    typeof known.data === "string" && typeof record.data === "string" &&
    _same(known.data, record.data) && known.ttl >= record.ttl / 2
  );
}

/**
 * The answer to a query, or `null` when it asks nothing of this service:
 * its type (PTR), DNS-SD's list of types, the instance (SRV, TXT) and the
 * host (A, AAAA); answers the querier already knows are left out, and the
 * SRV, TXT and addresses come as additional records.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { answerQuery } from "./service_records.ts";
 *
 * const service = {
 *   instance: "chat on box",
 *   host: "box",
 *   port: 50001,
 *   txt: { version: 1, name: "chat on box", webPort: null, tls: false },
 * };
 * const answer = answerQuery({
 *   id: 0,
 *   kind: "query",
 *   questions: [{ name: "_chat._tcp.local", type: "PTR", unicast: false }],
 *   answers: [],
 *   authorities: [],
 *   additionals: [],
 * }, service, ["192.168.1.23"]);
 * assertEquals(answer?.answers[0]?.data, "chat on box._chat._tcp.local");
 * ```
 *
 * @param query The query.
 * @param service The service.
 * @param addresses Its addresses on the interface the query came in on.
 * @param options Legacy unicast, the service type.
 * @returns The response.
 */
export function answerQuery(
  query: DnsMessage,
  service: ChatService,
  addresses: readonly string[],
  options: RecordOptions = {},
): DnsMessage | null {
  if (query.kind !== "query") return null;
  const records = serviceRecords(service, addresses, options);
  const type = options.serviceType ?? DISCOVERY_DEFAULTS.serviceType;
  const answers: DnsRecord[] = [];
  const additionals: DnsRecord[] = [];
  const add = (list: DnsRecord[], ...items: DnsRecord[]) => {
    for (const item of items) {
      if (!answers.includes(item) && !additionals.includes(item)) {
        list.push(item);
      }
    }
  };
  const hostName = `${service.host}.local`;
  for (const question of query.questions) {
    if (_same(question.name, type) && _wants(question, "PTR")) {
      if (!_known(query, records.ptr)) add(answers, records.ptr);
    } else if (
      _same(question.name, SERVICES_META_QUERY) && _wants(question, "PTR")
    ) {
      if (!_known(query, records.meta)) add(answers, records.meta);
    } else if (_same(question.name, records.srv.name)) {
      if (_wants(question, "SRV")) add(answers, records.srv);
      if (_wants(question, "TXT")) add(answers, records.txt);
    } else if (_same(question.name, hostName)) {
      add(
        answers,
        ...records.addresses.filter((r) =>
          _wants(question, r.type) || question.type === "ANY"
        ),
      );
    }
  }
  if (answers.length === 0) return null;
  if (answers.some((r) => r === records.ptr || r === records.srv)) {
    add(additionals, records.srv, records.txt, ...records.addresses);
  }
  return _message("response", {
    id: options.legacy ? query.id : 0,
    questions: options.legacy ? query.questions : [],
    answers,
    additionals,
  });
}

/**
 * A response that announces a service unasked (or, with `goodbye`, says
 * it is gone).
 *
 * @param service The service.
 * @param addresses Its addresses on the interface it goes out on.
 * @param options A goodbye, the service type.
 * @returns The response.
 */
export function announcement(
  service: ChatService,
  addresses: readonly string[],
  options: RecordOptions = {},
): DnsMessage {
  const records = serviceRecords(service, addresses, options);
  return _message("response", {
    answers: [
      records.ptr,
      records.srv,
      records.txt,
      ...(options.goodbye ? [] : [records.meta, ...records.addresses]),
    ],
  });
}

/**
 * The probe for a service's names before it announces them (RFC 6762
 * §8.1): a query for the instance and the host, with the records it means
 * to own.
 *
 * @param service The service.
 * @param addresses Its addresses on the interface the probe goes out on.
 * @param options The service type.
 * @returns The query.
 */
export function probe(
  service: ChatService,
  addresses: readonly string[],
  options: RecordOptions = {},
): DnsMessage {
  const records = serviceRecords(service, addresses, options);
  return _message("query", {
    questions: [
      { name: records.srv.name, type: "ANY", unicast: false },
      { name: `${service.host}.local`, type: "ANY", unicast: false },
    ],
    authorities: [records.srv, records.txt, ...records.addresses],
  });
}

/** Which of a service's names another one on the network holds. */
export interface Conflict {
  /** Another server has this instance name. */
  instance: boolean;
  /** Another computer has this host name. */
  host: boolean;
}

/**
 * Whether a message shows another owner of a service's names: a response
 * (or, with `probes`, a probe's authority records) with an SRV for the
 * instance that points elsewhere, or addresses for the host name of which
 * none is one of ours. Our own records, heard back, are no conflict.
 *
 * @param message A response heard, or a probe.
 * @param service The service whose names are checked.
 * @param ours Every address of this computer.
 * @param options The service type.
 * @returns What is taken.
 */
export function conflicts(
  message: DnsMessage,
  service: ChatService,
  ours: readonly string[],
  options: RecordOptions = {},
): Conflict {
  const records = message.kind === "response"
    ? [...message.answers, ...message.additionals]
    : message.authorities;
  const instance = instanceName(
    service.instance,
    options.serviceType ?? DISCOVERY_DEFAULTS.serviceType,
  );
  const host = `${service.host}.local`;
  const mine = new Set(ours.map((a) => a.toLowerCase()));
  const hostAddresses = records.filter((r) =>
    (r.type === "A" || r.type === "AAAA") && _same(r.name, host) && r.ttl > 0
  );
  return {
    instance: records.some((r) =>
      r.type === "SRV" && r.ttl > 0 && _same(r.name, instance) &&
      (r.data.port !== service.port || !_same(r.data.target, host))
    ),
    host: hostAddresses.length > 0 &&
      !hostAddresses.some((r) => mine.has(String(r.data).toLowerCase())),
  };
}

/**
 * The chat servers a response tells of: each instance of the type that
 * has an SRV record in it (reached from a PTR or given alone), with its
 * TXT and its host's addresses; goodbyes (TTL 0) are left out.
 *
 * @param message A response.
 * @param source The address it came from: the addresses of a server
 * whose response gave none.
 * @param options The service type.
 * @returns The servers, in the order of their SRV records.
 */
export function readServers(
  message: DnsMessage,
  source: string,
  options: RecordOptions = {},
): FoundServer[] {
  if (message.kind !== "response") return [];
  const type = options.serviceType ?? DISCOVERY_DEFAULTS.serviceType;
  const suffix = `.${type}`.toLowerCase();
  const records = [...message.answers, ...message.additionals].filter((r) =>
    r.ttl > 0
  );
  const found: FoundServer[] = [];
  const seen = new Set<string>();
  for (const srv of records) {
    if (srv.type !== "SRV") continue;
    const full = srv.name;
    if (!full.toLowerCase().endsWith(suffix)) continue;
    const label = _unescape(full.slice(0, full.length - suffix.length));
    if (label === "" || seen.has(full.toLowerCase())) continue;
    seen.add(full.toLowerCase());
    const { target, port } = srv.data;
    if (port < 1 || port > 65535) continue;
    const txtRecord = records.find((r) =>
      r.type === "TXT" && _same(r.name, full)
    );
    const txt = txtRecord?.type === "TXT" ? readTxt(txtRecord.data) : {};
    const v4: string[] = [];
    const v6: string[] = [];
    for (const r of records) {
      if (r.type === "A" && _same(r.name, target)) v4.push(r.data);
      if (r.type === "AAAA" && _same(r.name, target)) v6.push(r.data);
    }
    const addresses = [...new Set([...v4, ...v6])];
    found.push({
      name: txt.name ?? label,
      instance: label,
      host: target,
      addresses: addresses.length > 0 ? addresses : [source],
      port,
      webPort: txt.webPort ?? null,
      version: txt.version ?? null,
      tls: txt.tls ?? false,
      ...(txt.fingerprint === undefined
        ? {}
        : { fingerprint: txt.fingerprint }),
      ...(txt.people === undefined ? {} : { people: txt.people }),
      ...(txt.cluster === undefined ? {} : { cluster: txt.cluster }),
    });
  }
  return found;
}

/**
 * The one-shot query a browser sends: "which chat servers are there?".
 *
 * @param id The message id the answers echo.
 * @param options The service type.
 * @returns The query.
 */
export function browseQuery(
  id: number,
  options: RecordOptions = {},
): DnsMessage {
  return _message("query", {
    id,
    questions: [{
      name: options.serviceType ?? DISCOVERY_DEFAULTS.serviceType,
      type: "PTR",
      unicast: false,
    }],
  });
}
