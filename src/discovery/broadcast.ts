/**
 * The UDP broadcast fallback, for networks that filter multicast: on one
 * documented port ({@linkcode DISCOVERY_DEFAULTS.broadcastPort}, 50000/udp)
 * a server hears one-shot queries broadcast to its subnet and answers the
 * sender directly, and announces itself to the subnet when it starts. The
 * messages are the same DNS-SD messages mDNS carries
 * (`service_records.ts`), so one reader serves both.
 *
 * @module
 */

import { DISCOVERY_DEFAULTS } from "../config.ts";
import { broadcastAddress, type LocalInterface } from "./network_interfaces.ts";
import { UdpSocket, type UdpSource } from "./udp_socket.ts";

/** Options of {@linkcode openBroadcastResponder}. */
export interface BroadcastResponderOptions {
  /**
   * The port.
   * @default {DISCOVERY_DEFAULTS.broadcastPort}
   */
  port?: number;
}

/**
 * Listens on the broadcast port of every interface, sharing it with other
 * servers on this computer. The caller decides which senders to answer.
 *
 * @param onMessage Called for every datagram heard.
 * @param options The port.
 * @returns The socket.
 * @throws {Error} `Cannot open a UDP socket on 0.0.0.0:50000: <why>`.
 */
export function openBroadcastResponder(
  onMessage: (bytes: Uint8Array, source: UdpSource) => void,
  options: BroadcastResponderOptions = {},
): Promise<UdpSocket> {
  return UdpSocket.open({
    address: "0.0.0.0",
    port: options.port ?? DISCOVERY_DEFAULTS.broadcastPort,
    reuseAddr: true,
    onMessage,
  });
}

/**
 * Sends a datagram to every computer on an interface's subnet, at the
 * broadcast port.
 *
 * @param socket A socket that may broadcast.
 * @param bytes The datagram.
 * @param local The interface.
 * @param port The broadcast port.
 * @returns Resolves `true` once sent.
 */
export function broadcastTo(
  socket: UdpSocket,
  bytes: Uint8Array,
  local: Pick<LocalInterface, "address" | "netmask">,
  port: number = DISCOVERY_DEFAULTS.broadcastPort,
): Promise<boolean> {
  return socket.send(bytes, { address: broadcastAddress(local), port });
}
