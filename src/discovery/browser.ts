/**
 * Finding chat servers on the local network: {@linkcode browse} asks on
 * every interface with an IPv4 address other than loopback, by mDNS
 * (one-shot queries to 224.0.0.251:5353 from a port of its own, answered
 * directly: RFC 6762 §5.1, so nothing here binds port 5353) and by UDP
 * broadcast to the subnet on the fallback port, and gathers what answers.
 *
 * @module
 */

import { DISCOVERY_DEFAULTS } from "../config.ts";
import { decodeDnsMessage, encodeDnsMessage } from "./dns_message.ts";
import { broadcastTo } from "./broadcast.ts";
import {
  announceInterfaces,
  interfaceEntries,
  type InterfaceEntry,
  type LocalInterface,
} from "./network_interfaces.ts";
import {
  browseQuery,
  type FoundServer,
  MDNS,
  readServers,
} from "./service_records.ts";
import { UdpSocket } from "./udp_socket.ts";

/** Options of {@linkcode browse}. */
export interface BrowseOptions {
  /**
   * Milliseconds to look at most.
   * @default {DISCOVERY_DEFAULTS.browseMs}
   */
  timeoutMs?: number;
  /**
   * Once a server has answered, stop this many milliseconds after the
   * last new one (answers on a LAN take a few milliseconds; a responder
   * may wait up to 120 ms before it answers).
   * @default {300}
   */
  quietMs?: number;
  /**
   * This computer's addresses.
   * @default {interfaceEntries}
   */
  interfaces?: () => InterfaceEntry[];
  /**
   * The broadcast fallback's port.
   * @default {DISCOVERY_DEFAULTS.broadcastPort}
   */
  broadcastPort?: number;
  /**
   * Stops looking early, with what was found so far.
   * @default {undefined}
   */
  signal?: AbortSignal;
}

function _key(server: FoundServer): string {
  return `${server.instance.toLowerCase()}|${server.host.toLowerCase()}|${server.port}`;
}

/**
 * Looks for chat servers on the local network.
 *
 * @example
 * ```ts ignore
 * import { browse } from "./browser.ts";
 *
 * for (const server of await browse()) {
 *   console.log(server.name, server.addresses[0], server.port);
 * }
 * ```
 *
 * @param options How long, on which interfaces.
 * @returns The servers found, each once (what mDNS and broadcast told of
 * one server merged), by name.
 */
export async function browse(
  options: BrowseOptions = {},
): Promise<FoundServer[]> {
  const timeoutMs = options.timeoutMs ?? DISCOVERY_DEFAULTS.browseMs;
  const quietMs = options.quietMs ?? 300;
  const broadcastPort = options.broadcastPort ??
    DISCOVERY_DEFAULTS.broadcastPort;
  const interfaces: LocalInterface[] = announceInterfaces(
    "0.0.0.0",
    (options.interfaces ?? interfaceEntries)(),
  );
  const found = new Map<string, FoundServer>();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => finish = resolve);
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const id = Math.floor(Math.random() * 0xffff) + 1;

  const onMessage = (bytes: Uint8Array, source: { address: string }) => {
    let message;
    try {
      message = decodeDnsMessage(bytes);
    } catch {
      return; // not DNS, or broken: not an answer
    }
    let added = false;
    for (const server of readServers(message, source.address)) {
      const key = _key(server);
      const known = found.get(key);
      if (known === undefined) {
        found.set(key, server);
        added = true;
      } else {
        known.addresses = [
          ...new Set([...known.addresses, ...server.addresses]),
        ];
      }
    }
    if (added) {
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs);
    }
  };

  const sockets: (UdpSocket | undefined)[] = [];
  for (const iface of interfaces) {
    try {
      sockets.push(
        await UdpSocket.open({
          address: iface.address,
          multicastInterface: iface.address,
          onMessage,
        }),
      );
    } catch {
      // An interface that went away meanwhile: ask on the others.
      sockets.push(undefined);
    }
  }
  const query = encodeDnsMessage(browseQuery(id));
  const ask = () => {
    interfaces.forEach((iface, i) => {
      const socket = sockets[i];
      if (socket === undefined) return;
      void socket.send(query, { address: MDNS.group, port: MDNS.port });
      void broadcastTo(socket, query, iface, broadcastPort);
    });
  };
  const onAbort = () => finish();
  options.signal?.addEventListener("abort", onAbort);
  const deadline = setTimeout(finish, timeoutMs);
  // Asked again once, in case a datagram was lost.
  const again = setTimeout(ask, Math.min(250, timeoutMs / 3));
  try {
    if (interfaces.length === 0 || options.signal?.aborted) finish();
    else ask();
    await done;
  } finally {
    clearTimeout(deadline);
    clearTimeout(again);
    clearTimeout(quiet);
    options.signal?.removeEventListener("abort", onAbort);
    await Promise.all(sockets.map((socket) => socket?.close()));
  }
  return [...found.values()].sort((a, b) =>
    a.name.localeCompare(b.name) || a.port - b.port
  );
}
