/**
 * `chat serve`'s announcement on the local network: one mDNS responder
 * (npm `multicast-dns`) per interface it listens on, and the UDP
 * broadcast fallback (`broadcast.ts`).
 *
 * It first probes for its names (RFC 6762 §8: three queries 250 ms apart;
 * a name another server or computer holds is changed to `chat on box (2)`,
 * a host to `box-2`), then announces twice a second apart, answers
 * queries (from the interface's own subnet only: a packet from elsewhere
 * is not answered), re-announces when interfaces come and go (it looks
 * every few seconds), and says goodbye when it stops. Answers are paced:
 * at most one multicast answer a second per interface (a later one waits
 * and is sent once), and at most 10 unicast answers a second per
 * interface (a burst of 20). A malformed or hostile packet is dropped.
 *
 * Nothing here ever delays the server: it starts in the background, and a
 * failure only stops the announcement, with a line in the log.
 *
 * @module
 */

import multicastDns, {
  type MulticastDns,
  type RemoteInfo,
} from "multicast-dns";
import type { Packet } from "dns-packet";
import { DISCOVERY_DEFAULTS } from "../config.ts";
import {
  decodeDnsMessage,
  type DnsMessage,
  encodeDnsMessage,
  readDnsMessage,
  toPacket,
} from "./dns_message.ts";
import {
  announceInterfaces,
  interfaceEntries,
  type InterfaceEntry,
  type LocalInterface,
  onSubnet,
} from "./network_interfaces.ts";
import {
  announcement,
  answerQuery,
  type ChatService,
  conflicts,
  fitLabel,
  hostLabel,
  MDNS,
  nextName,
  probe,
} from "./service_records.ts";
import { broadcastTo, openBroadcastResponder } from "./broadcast.ts";
import type { UdpSocket, UdpSource } from "./udp_socket.ts";

/** What is announced about the server. */
export interface AnnouncedServer {
  /** The address the server listens on: which interfaces to announce on. */
  host: string;
  /** The chat port. */
  port: number;
  /** The browser client's port, or `null` for none. */
  webPort: number | null;
  /** The native dialect's version. */
  version: number;
  /**
   * The fingerprint (`SHA256:…`) of the certificate the chat port's TLS
   * shows: announced as `tls=true fp=…`, for people to compare, never
   * trusted by itself.
   * @default {undefined} the chat port does not speak TLS (`tls=false`)
   */
  fingerprint?: string;
  /**
   * The id of the cluster this server is a node of (`--redis`),
   * announced as `cluster=…` so that `chat join` takes every node as one
   * server.
   * @default {undefined} not part of a cluster
   */
  cluster?: string;
}

/** Options of {@linkcode Announcer.start}. */
export interface AnnouncerOptions {
  /**
   * The instance name people see.
   * @default {`chat on <hostname>`}
   */
  name?: string;
  /**
   * Members online, told in each answer's TXT record.
   * @default {not told}
   */
  people?: () => number;
  /**
   * Receives a line when the server is first announced, renamed, or its
   * interfaces change, and when announcing fails.
   * @default {no log}
   */
  log?: (line: string) => void;
  /**
   * This computer's addresses, looked at every `pollMs`.
   * @default {interfaceEntries}
   */
  interfaces?: () => InterfaceEntry[];
  /**
   * Milliseconds between looks at the interfaces.
   * @default {3000}
   */
  pollMs?: number;
  /**
   * The broadcast fallback's port.
   * @default {DISCOVERY_DEFAULTS.broadcastPort}
   */
  broadcastPort?: number;
  /**
   * This computer's name, for the default instance name and the host.
   * @default {Deno.hostname()}
   */
  hostname?: string;
}

/** At most `burst` at once, then `rate` a second. */
class _Budget {
  #tokens: number;
  #last = Date.now();
  constructor(readonly burst: number, readonly rate: number) {
    this.#tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + (now - this.#last) * this.rate / 1000,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * One interface: its mDNS socket (gone when it failed: the broadcast
 * fallback still answers for the interface) and its pacing.
 */
class _Responder {
  readonly iface: LocalInterface;
  readonly key: string;
  readonly unicast = new _Budget(20, 10);
  #mdns: MulticastDns | undefined;
  #destroyed: Promise<void> | undefined;
  #lastMulticast = -Infinity;
  #pending: ReturnType<typeof setTimeout> | undefined;
  #pendingMessage: DnsMessage | undefined;
  #closed = false;

  constructor(iface: LocalInterface, mdns: MulticastDns) {
    this.iface = iface;
    this.key = _key(iface);
    this.#mdns = mdns;
  }

  /** Sends now, to the group or to one querier. */
  send(message: DnsMessage, to?: RemoteInfo): Promise<void> {
    const mdns = this.#mdns;
    if (this.#closed || mdns === undefined) return Promise.resolve();
    if (to === undefined) this.#lastMulticast = Date.now();
    return new Promise((resolve) => {
      try {
        mdns.send(
          toPacket(message),
          to ?? null,
          () => resolve(),
        );
      } catch {
        resolve();
      }
    });
  }

  /**
   * Multicasts an answer at most once a second: one asked for sooner
   * waits, and only the last one waiting is sent.
   */
  answer(message: DnsMessage): void {
    const wait = this.#lastMulticast + 1000 - Date.now();
    if (wait <= 0 && this.#pending === undefined) {
      // Shared records (PTR) are answered after 20-120 ms (RFC 6762 §6),
      // so that several responders do not all answer at once.
      this.#lastMulticast = Date.now();
      this.#pendingMessage = message;
      this.#pending = setTimeout(() => this.#flush(), 20 + Math.random() * 100);
      return;
    }
    this.#pendingMessage = message;
    this.#pending ??= setTimeout(() => this.#flush(), Math.max(wait, 20));
  }

  #flush(): void {
    this.#pending = undefined;
    const message = this.#pendingMessage;
    this.#pendingMessage = undefined;
    if (message !== undefined) void this.send(message);
  }

  /** Whether its mDNS socket is still open. */
  get hasMdns(): boolean {
    return this.#mdns !== undefined;
  }

  /** Closes the mDNS socket; the interface stays for the broadcast fallback. */
  dropMdns(): Promise<void> {
    const mdns = this.#mdns;
    this.#mdns = undefined;
    clearTimeout(this.#pending);
    this.#pending = undefined;
    if (mdns !== undefined) {
      this.#destroyed = new Promise((resolve) => {
        try {
          mdns.destroy(() => resolve());
        } catch {
          resolve();
        }
      });
    }
    return this.#destroyed ?? Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.dropMdns();
  }
}

function _key(iface: LocalInterface): string {
  return `${iface.name}|${iface.netmask}|${iface.addresses.join(",")}`;
}

function _hostname(): string {
  try {
    return Deno.hostname();
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return "";
    throw error;
  }
}

/**
 * Announces a chat server on the local network until closed.
 *
 * @example
 * ```ts ignore
 * import { Announcer } from "./announcer.ts";
 *
 * const announcer = Announcer.start(
 *   { host: "0.0.0.0", port: 50001, webPort: 50002, version: 1 },
 *   { log: console.log },
 * );
 * // …
 * await announcer.close();
 * ```
 */
export class Announcer {
  #server: AnnouncedServer;
  #options: AnnouncerOptions;
  #broadcastPort: number;
  #instance: string;
  #host: string;
  #phase: "waiting" | "probing" | "announced" | "closed" = "waiting";
  #responders = new Map<string, _Responder>();
  #broadcast: UdpSocket | undefined;
  #opening: Promise<void> | undefined;
  #conflict = { instance: false, host: false };
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #poll: ReturnType<typeof setInterval>;
  #announcedOn = "";

  private constructor(server: AnnouncedServer, options: AnnouncerOptions) {
    this.#server = server;
    this.#options = options;
    this.#broadcastPort = options.broadcastPort ??
      DISCOVERY_DEFAULTS.broadcastPort;
    const hostname = options.hostname ?? _hostname();
    this.#host = hostLabel(hostname);
    this.#instance = fitLabel(
      options.name ?? `chat on ${hostname === "" ? "this computer" : hostname}`,
    );
    this.#poll = setInterval(() => this.#refresh(), options.pollMs ?? 3000);
    this.#refresh();
  }

  /**
   * Starts announcing, in the background.
   *
   * @param server What to announce.
   * @param options The name, the people count, the log, the interfaces.
   * @returns The running announcer.
   */
  static start(
    server: AnnouncedServer,
    options: AnnouncerOptions = {},
  ): Announcer {
    return new Announcer(server, options);
  }

  /** The instance name, as announced (after any change for a conflict). */
  get name(): string {
    return this.#instance;
  }

  /**
   * Says goodbye on every interface and closes every socket. Idempotent.
   *
   * @returns Resolves once everything is closed.
   */
  async close(): Promise<void> {
    if (this.#phase === "closed") return;
    const announced = this.#phase === "announced";
    this.#phase = "closed";
    clearInterval(this.#poll);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const responders = [...this.#responders.values()];
    this.#responders.clear();
    if (announced) {
      await Promise.all(responders.map((r) => r.send(this.#goodbye(r))));
    }
    await this.#opening;
    await Promise.all([
      ...responders.map((r) => r.close()),
      this.#broadcast?.close(),
    ]);
  }

  #log(line: string): void {
    try {
      this.#options.log?.(line);
    } catch {
      // A failing log never stops the announcement.
    }
  }

  #service(): ChatService {
    const people = this.#options.people?.();
    return {
      instance: this.#instance,
      host: this.#host,
      port: this.#server.port,
      txt: {
        version: this.#server.version,
        name: this.#instance,
        webPort: this.#server.webPort,
        tls: this.#server.fingerprint !== undefined,
        ...(this.#server.fingerprint === undefined
          ? {}
          : { fingerprint: this.#server.fingerprint }),
        ...(people === undefined ? {} : { people }),
        ...(this.#server.cluster === undefined
          ? {}
          : { cluster: this.#server.cluster }),
      },
    };
  }

  #goodbye(r: _Responder): DnsMessage {
    return announcement(this.#service(), r.iface.addresses, { goodbye: true });
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#phase !== "closed") fn();
    }, ms);
    this.#timers.add(timer);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#later(ms, resolve));
  }

  #ownAddresses(): string[] {
    return (this.#options.interfaces ?? interfaceEntries)().map((e) =>
      e.address
    );
  }

  // Brings the responders in line with the interfaces there are now.
  #refresh(): void {
    if (this.#phase === "closed") return;
    let wanted: LocalInterface[];
    try {
      wanted = announceInterfaces(
        this.#server.host,
        (this.#options.interfaces ?? interfaceEntries)(),
      );
    } catch (error) {
      this.#log(`cannot read the network interfaces: ${error}`);
      return;
    }
    const keys = new Set(wanted.map(_key));
    for (const [key, responder] of this.#responders) {
      if (keys.has(key)) continue;
      this.#responders.delete(key);
      const goodbye = this.#phase === "announced"
        ? responder.send(this.#goodbye(responder))
        : Promise.resolve();
      void goodbye.then(() => responder.close());
    }
    const added: _Responder[] = [];
    for (const iface of wanted) {
      if (this.#responders.has(_key(iface))) continue;
      const responder = this.#open(iface);
      this.#responders.set(responder.key, responder);
      added.push(responder);
    }
    if (this.#responders.size > 0) {
      this.#opening ??= this.#openBroadcast();
    }
    if (this.#phase === "waiting" && this.#responders.size > 0) {
      this.#phase = "probing";
      void this.#probeThenAnnounce();
    } else if (this.#phase === "announced") {
      for (const responder of added) this.#announceOn(responder);
      this.#sayWhere();
    }
  }

  #open(iface: LocalInterface): _Responder {
    const mdns = multicastDns({
      interface: iface.address,
      // Bound to every address, or nothing sent to the group is heard.
      bind: "0.0.0.0",
      port: MDNS.port,
      reuseAddr: true,
      loopback: true,
      ttl: 255,
    });
    const responder = new _Responder(iface, mdns);
    mdns.on(
      "query",
      (packet, rinfo) =>
        this.#guard(() => this.#onQuery(responder, packet, rinfo)),
    );
    mdns.on(
      "response",
      (packet, rinfo) =>
        this.#guard(() => this.#onResponse(responder, packet, rinfo)),
    );
    mdns.on("warning", () => {}); // a malformed packet, dropped
    mdns.on("error", (error) => {
      if (!responder.hasMdns) return; // said once
      this.#log(
        `cannot announce on ${iface.name} (mDNS port ${MDNS.port}): ${error.message}`,
      );
      void responder.dropMdns();
    });
    return responder;
  }

  async #openBroadcast(): Promise<void> {
    try {
      const socket = await openBroadcastResponder(
        (bytes, source) => this.#guard(() => this.#onBroadcast(bytes, source)),
        { port: this.#broadcastPort },
      );
      if (this.#phase === "closed") await socket.close();
      else this.#broadcast = socket;
    } catch (error) {
      this.#log(
        `cannot listen for broadcast queries: ${(error as Error).message}`,
      );
    }
  }

  // Whatever a packet makes us do, a bug never takes the server down.
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#log(`discovery error: ${(error as Error).message}`);
    }
  }

  #read(packet: Packet): DnsMessage | undefined {
    try {
      return readDnsMessage(packet);
    } catch {
      return undefined;
    }
  }

  #onQuery(r: _Responder, packet: Packet, rinfo: RemoteInfo): void {
    if (!onSubnet(rinfo.address, r.iface)) return;
    const query = this.#read(packet);
    if (query === undefined) return;
    if (this.#phase === "probing") {
      this.#onProbe(query);
      return;
    }
    if (this.#phase !== "announced") return;
    const legacy = rinfo.port !== MDNS.port;
    const answer = answerQuery(query, this.#service(), r.iface.addresses, {
      legacy,
    });
    if (answer === null) return;
    if (legacy || query.questions.some((q) => q.unicast)) {
      if (r.unicast.take()) void r.send(answer, rinfo);
    } else if (query.authorities.length > 0) {
      // Defending our names against a probe: at once (RFC 6762 §6).
      void r.send(answer);
    } else r.answer(answer);
  }

  // Another server probing for our names while we probe (RFC 6762 §8.2,
  // simplified): the one whose records sort later keeps the name.
  #onProbe(query: DnsMessage): void {
    const service = this.#service();
    const found = conflicts(query, service, this.#ownAddresses());
    if (!found.instance && !found.host) return;
    const theirs = JSON.stringify(query.authorities.map((r) => r.data));
    const ours = JSON.stringify(
      probe(service, [...this.#responders.values()][0]?.iface.addresses ?? [])
        .authorities.map((r) => r.data),
    );
    if (theirs > ours) {
      this.#conflict.instance ||= found.instance;
      this.#conflict.host ||= found.host;
    }
  }

  #onResponse(r: _Responder, packet: Packet, rinfo: RemoteInfo): void {
    if (this.#phase !== "probing" || !onSubnet(rinfo.address, r.iface)) {
      return;
    }
    const response = this.#read(packet);
    if (response === undefined) return;
    const found = conflicts(response, this.#service(), this.#ownAddresses());
    this.#conflict.instance ||= found.instance;
    this.#conflict.host ||= found.host;
  }

  #onBroadcast(bytes: Uint8Array, source: UdpSource): void {
    if (this.#phase !== "announced") return;
    const r = [...this.#responders.values()].find((r) =>
      onSubnet(source.address, r.iface)
    );
    if (r === undefined) return;
    let query: DnsMessage;
    try {
      query = decodeDnsMessage(bytes);
    } catch {
      return;
    }
    const answer = answerQuery(query, this.#service(), r.iface.addresses, {
      legacy: true,
    });
    if (answer !== null && r.unicast.take()) {
      void this.#broadcast?.send(encodeDnsMessage(answer), source);
    }
  }

  async #probeThenAnnounce(): Promise<void> {
    const taken: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      this.#conflict = { instance: false, host: false };
      for (let i = 0; i < 3; i++) {
        const service = this.#service();
        for (const r of this.#responders.values()) {
          void r.send(probe(service, r.iface.addresses));
        }
        await this.#sleep(250);
        if (this.#phase === "closed") return;
        if (this.#conflict.instance || this.#conflict.host) break;
      }
      if (!this.#conflict.instance && !this.#conflict.host) break;
      if (this.#conflict.instance) {
        taken.push(this.#instance);
        this.#instance = nextName(this.#instance, "instance");
      }
      if (this.#conflict.host) this.#host = nextName(this.#host, "host");
    }
    if (taken.length > 0) {
      this.#log(
        `the name "${
          taken[0]
        }" is taken on this network; using "${this.#instance}"`,
      );
    }
    this.#phase = "announced";
    for (const r of this.#responders.values()) this.#announceOn(r);
    this.#sayWhere();
  }

  // Two announcements a second apart (RFC 6762 §8.3), by mDNS and by
  // broadcast.
  #announceOn(r: _Responder): void {
    const once = () => {
      if (this.#responders.get(r.key) !== r) return;
      const message = announcement(this.#service(), r.iface.addresses);
      void r.send(message);
      void this.#opening?.then(() => {
        if (this.#broadcast && this.#phase === "announced") {
          void broadcastTo(
            this.#broadcast,
            encodeDnsMessage(message),
            r.iface,
            this.#broadcastPort,
          );
        }
      });
    };
    once();
    this.#later(1000, once);
  }

  #sayWhere(): void {
    const names = [
      ...new Set([...this.#responders.values()].map((r) => r.iface.name)),
    ]
      .join(", ");
    if (names === this.#announcedOn) return;
    const first = this.#announcedOn === "";
    this.#announcedOn = names;
    if (names === "") {
      this.#log("no network to announce on");
    } else if (first) {
      this.#log(
        `announced as "${this.#instance}" on the local network (${names}): mDNS ${DISCOVERY_DEFAULTS.serviceType}, UDP broadcast port ${this.#broadcastPort}`,
      );
    } else this.#log(`now announced on ${names}`);
  }
}
