// Hand-written types for the parts of the two npm packages LAN discovery
// uses: `multicast-dns` (the mDNS socket) and `dns-packet` (DNS messages),
// both plain JavaScript. Only what `src/discovery/` calls is declared.

declare module "dns-packet" {
  /** One question of a DNS message. */
  export interface Question {
    name: string;
    type: string;
    class?: string;
    /** mDNS: the querier asks for a unicast response. */
    qu?: boolean;
  }
  /** One resource record, with its data as `dns-packet` decodes it. */
  export interface Answer {
    name: string;
    type: string;
    class?: string;
    ttl?: number;
    /** mDNS: the cache-flush bit of a unique record. */
    flush?: boolean;
    data?: unknown;
  }
  /** A DNS message. */
  export interface Packet {
    id?: number;
    type?: "query" | "response";
    flags?: number;
    questions?: Question[];
    answers?: Answer[];
    authorities?: Answer[];
    additionals?: Answer[];
  }
  /** Flag of an authoritative answer. */
  export const AUTHORITATIVE_ANSWER: number;
  /** Encodes a message into bytes. */
  export function encode(packet: Packet): Uint8Array;
  /** Decodes bytes into a message; throws on malformed input. */
  export function decode(bytes: Uint8Array): Packet;
  const _default: {
    AUTHORITATIVE_ANSWER: number;
    encode: typeof encode;
    decode: typeof decode;
  };
  export default _default;
}

declare module "multicast-dns" {
  import type { Packet } from "dns-packet";
  /** Where a datagram came from, or goes to. */
  export interface RemoteInfo {
    address: string;
    port: number;
    family?: string;
  }
  /** Options of the package's factory. */
  export interface MulticastDnsOptions {
    port?: number;
    type?: "udp4" | "udp6";
    ip?: string;
    interface?: string;
    bind?: string | false;
    multicast?: boolean;
    reuseAddr?: boolean;
    loopback?: boolean;
    ttl?: number;
  }
  /** One mDNS socket. */
  export interface MulticastDns {
    on(event: "ready", listener: () => void): this;
    on(
      event: "query" | "response" | "packet",
      listener: (packet: Packet, rinfo: RemoteInfo) => void,
    ): this;
    on(event: "error" | "warning", listener: (error: Error) => void): this;
    send(
      packet: Packet,
      rinfo?: RemoteInfo | null,
      callback?: (error?: Error | null) => void,
    ): void;
    destroy(callback?: () => void): void;
  }
  /** Opens an mDNS socket. */
  export default function multicastDns(
    options?: MulticastDnsOptions,
  ): MulticastDns;
}
