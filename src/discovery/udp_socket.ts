/**
 * A UDP socket for discovery's one-shot queries and its broadcast
 * fallback, over `node:dgram` (which, unlike `Deno.listenDatagram`, needs
 * no `--unstable-net`): open with a promise, send without throwing, close
 * once.
 *
 * @module
 */

import dgram from "node:dgram";
import { Buffer } from "node:buffer";

/** Where a datagram came from. */
export interface UdpSource {
  /** The sender's address. */
  address: string;
  /** The sender's port. */
  port: number;
}

/** Options of {@linkcode UdpSocket.open}. */
export interface UdpSocketOptions {
  /**
   * The local address to bind to.
   * @default {"0.0.0.0"}
   */
  address?: string;
  /**
   * The local port; 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * Share the port with other sockets (several servers on one computer
   * each hear the broadcast queries).
   * @default {false}
   */
  reuseAddr?: boolean;
  /**
   * The interface address multicast goes out from.
   * @default {the system's choice}
   */
  multicastInterface?: string;
  /** Called for every datagram received. */
  onMessage: (bytes: Uint8Array, source: UdpSource) => void;
}

/**
 * One bound IPv4 UDP socket that may broadcast.
 *
 * @example
 * ```ts ignore
 * import { UdpSocket } from "./udp_socket.ts";
 *
 * const socket = await UdpSocket.open({ onMessage: (bytes, from) => console.log(from) });
 * await socket.send(new TextEncoder().encode("hi"), { address: "127.0.0.1", port: 9 });
 * await socket.close();
 * ```
 */
export class UdpSocket {
  #socket: dgram.Socket;
  #closed: Promise<void> | undefined;

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
  }

  /**
   * Binds a socket.
   *
   * @param options Address, port, sharing, multicast interface, receiver.
   * @returns The socket, bound.
   * @throws {Error} `Cannot open a UDP socket on ADDRESS:PORT: <why>`.
   */
  static open(options: UdpSocketOptions): Promise<UdpSocket> {
    const address = options.address ?? "0.0.0.0";
    const port = options.port ?? 0;
    const socket = dgram.createSocket({
      type: "udp4",
      reuseAddr: options.reuseAddr ?? false,
    });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        try {
          socket.close();
        } catch {
          // never bound
        }
        reject(
          new Error(
            `Cannot open a UDP socket on ${address}:${port}: ${error.message}`,
          ),
        );
      };
      socket.once("error", fail);
      socket.bind(port, address, () => {
        socket.off("error", fail);
        // Later errors (an unreachable destination) are per datagram.
        socket.on("error", () => {});
        socket.on("message", (message: Buffer, rinfo: dgram.RemoteInfo) => {
          options.onMessage(new Uint8Array(message), {
            address: rinfo.address,
            port: rinfo.port,
          });
        });
        try {
          socket.setBroadcast(true);
          if (options.multicastInterface !== undefined) {
            socket.setMulticastInterface(options.multicastInterface);
          }
        } catch (error) {
          fail(error as Error);
          return;
        }
        resolve(new UdpSocket(socket));
      });
    });
  }

  /** The local port. */
  get port(): number {
    return this.#socket.address().port;
  }

  /**
   * Sends one datagram.
   *
   * @param bytes The datagram.
   * @param to Where to.
   * @returns Resolves `true` once sent, `false` when it could not be
   * (unreachable, closed): discovery goes on without it.
   */
  send(bytes: Uint8Array, to: UdpSource): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        this.#socket.send(
          Buffer.from(bytes),
          to.port,
          to.address,
          (error) => resolve(!error),
        );
      } catch {
        resolve(false);
      }
    });
  }

  /**
   * Closes the socket. Idempotent.
   *
   * @returns Resolves once it is closed.
   */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return this.#closed;
  }
}
