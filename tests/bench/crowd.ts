/**
 * A crowd: all the load generator's connections to one server, in this one
 * process, so they share one view of the run (the window and the sync
 * barrier need it). It connects them with bounded concurrency, waits for
 * every welcome, passes chatload's sync barrier, and forwards what the
 * clients receive to the run's {@linkcode Tally}.
 *
 * @module
 */

import type { ClientSink, Dialect, LoadClient, Target } from "./load_client.ts";
import { formatProbe, nowUs } from "./marker.ts";
import { RunError } from "./run_error.ts";
import type { Tally } from "./tally.ts";
import { TcpLoadClient } from "./tcp_load_client.ts";
import { waitUntil } from "./wait.ts";
import { WsLoadClient } from "./ws_load_client.ts";

// Silence after which a client sends its keep-alive line.
const KEEP_ALIVE_MS = 20_000;

/** Options of {@linkcode Crowd.connect}. */
export interface CrowdOptions {
  /**
   * Connections being opened at once.
   * @default {64}
   */
  concurrency?: number;
  /**
   * Milliseconds to connect everybody and receive every welcome.
   * @default {60000}
   */
  timeoutMs?: number;
  /**
   * First read-buffer size of a TCP client.
   * @default {16384}
   */
  bufferBytes?: number;
  /**
   * Chat ports to spread the clients over, client `i` on port
   * `i % ports.length` (the nodes of a cluster).
   * @default {[target.port]}
   */
  ports?: readonly number[];
}

/** The connections of one run, and what they have seen. */
export class Crowd implements ClientSink {
  /** Number of clients. */
  readonly size: number;
  /** The dialect every client speaks. */
  readonly dialect: Dialect;
  /** The connected clients, by number. */
  readonly clients: LoadClient[] = [];
  /** The run's accounting; markers received outside a run are ignored. */
  tally: Tally | null = null;
  /** Called after each read any client handled (the burst's pump). */
  onReceived: (() => void) | null = null;
  /** Time of the latest read by any client, in µs. */
  lastInputUs = 0;
  #ready = 0;
  #probed: Uint8Array;
  #probedCount = 0;
  #probeSenders: ReadonlySet<number> = new Set([0]);
  #disconnects = 0;
  #firstDisconnect: string | null = null;
  #keepAlive: ReturnType<typeof setInterval>;
  #detached = false;

  private constructor(dialect: Dialect, size: number) {
    this.dialect = dialect;
    this.size = size;
    this.#probed = new Uint8Array(size);
    // Native members silent for 30 s are pinged and dropped after 90 s; a
    // crowd of thousands can take longer than that to join.
    this.#keepAlive = setInterval(() => {
      for (const client of this.clients) client?.keepAlive(KEEP_ALIVE_MS);
    }, KEEP_ALIVE_MS / 4);
  }

  /**
   * Opens `size` connections, each with its hello, and waits until the
   * server has welcomed them all.
   *
   * @param target Server and dialect.
   * @param size Number of clients.
   * @param options Concurrency, deadline, buffer size.
   * @returns The crowd, every member welcomed.
   * @throws {RunError} When a connect fails, a name is refused, or the
   * deadline passes; the connections made are closed first.
   */
  static async connect(
    target: Target,
    size: number,
    options: CrowdOptions = {},
  ): Promise<Crowd> {
    const crowd = new Crowd(target.dialect, size);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const concurrency = Math.min(options.concurrency ?? 64, size);
    const clientOptions = { bufferBytes: options.bufferBytes ?? 16384 };
    let next = 0;
    let failure: string | null = null;
    const opener = async () => {
      while (next < size && failure === null) {
        const index = next++;
        const ports = options.ports;
        const to = ports === undefined
          ? target
          : { ...target, port: ports[index % ports.length]! };
        try {
          const client = target.dialect === "websocket"
            ? await WsLoadClient.connect(to, index, crowd)
            : await TcpLoadClient.connect(to, index, crowd, clientOptions);
          // One that connects after the deadline gave up is closed at once.
          if (crowd.#detached) await client.close();
          else crowd.clients[index] = client;
        } catch (error) {
          failure ??= `client ${index} of ${size} could not connect: ${
            (error as Error).message
          }`;
        }
      }
    };
    try {
      // A server that stops accepting leaves connects hanging for minutes
      // (SYN retries): the deadline covers them too.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const opened = await Promise.race([
        Promise.all(Array.from({ length: concurrency }, opener)).then(() =>
          true
        ),
        new Promise<false>((resolve) =>
          timer = setTimeout(() => resolve(false), timeoutMs)
        ),
      ]);
      clearTimeout(timer);
      if (!opened) {
        failure ??=
          `could not connect ${size} clients within ${timeoutMs} ms (${
            crowd.clients.filter((c) => c !== undefined).length
          } connected)`;
      }
      if (failure !== null) throw new RunError(failure);
      const welcomed = await waitUntil(
        () => crowd.#ready === size || crowd.#disconnects > 0,
        Math.max(0, deadline - Date.now()),
      );
      if (crowd.#disconnects > 0) {
        throw new RunError(
          `${crowd.#disconnects} connection(s) ended while joining; first: ${crowd.#firstDisconnect}`,
        );
      }
      if (!welcomed) {
        throw new RunError(
          `only ${crowd.#ready} of ${size} clients were welcomed within ${timeoutMs} ms`,
        );
      }
    } catch (error) {
      await crowd.close();
      throw error;
    }
    return crowd;
  }

  /** Connections the server ended (or broke) since the crowd connected. */
  get disconnects(): number {
    return this.#disconnects;
  }

  /** What happened to the first connection that ended, if one did. */
  get firstDisconnect(): string | null {
    return this.#firstDisconnect;
  }

  /**
   * chatload's sync barrier: client 0 sends a probe every 250 ms until
   * every other client has received one, which proves the server
   * broadcasts to everybody before anything is counted. With `senders`,
   * each of them sends probes (the first member of each room), and every
   * other client must receive one.
   *
   * @param timeoutMs Deadline.
   * @param senders Clients that send probes.
   * @throws {RunError} When some client never receives a probe.
   */
  async barrier(
    timeoutMs: number,
    senders: readonly number[] = [0],
  ): Promise<void> {
    if (this.size < 2) return;
    this.#probed.fill(0);
    this.#probedCount = 0;
    this.#probeSenders = new Set(senders);
    const waiting = this.size - senders.length;
    let probe = 0;
    const end = Date.now() + timeoutMs;
    while (this.#probedCount < waiting) {
      if (Date.now() >= end) {
        throw new RunError(
          `sync barrier: ${this.#probedCount} of ${waiting} clients received a probe within ${timeoutMs} ms`,
        );
      }
      for (const sender of senders) {
        this.clients[sender]!.send([formatProbe(probe)]);
      }
      probe++;
      await waitUntil(() => this.#probedCount === waiting, 250, 5);
    }
  }

  /**
   * Puts client `i` in room `#r<i % rooms>`, and waits until every room's
   * first member is heard by the rest of its room (a barrier per room).
   *
   * @param rooms Number of rooms.
   * @param timeoutMs Deadline.
   * @throws {RunError} When some client never hears its room.
   */
  async joinRooms(rooms: number, timeoutMs: number): Promise<void> {
    for (const [i, client] of this.clients.entries()) {
      client.send([`/join #r${i % rooms}`]);
    }
    await this.barrier(
      timeoutMs,
      Array.from({ length: Math.min(rooms, this.size) }, (_, i) => i),
    );
  }

  /**
   * Waits until no client has received anything for `quietMs`.
   *
   * @param quietMs Length of the silence.
   * @param timeoutMs Deadline.
   * @returns `true` once quiet, `false` at the deadline.
   */
  settle(quietMs: number, timeoutMs: number): Promise<boolean> {
    this.lastInputUs = Math.max(this.lastInputUs, nowUs());
    return waitUntil(
      () => nowUs() - this.lastInputUs >= quietMs * 1000,
      timeoutMs,
      Math.min(50, quietMs / 4),
    );
  }

  /**
   * Stops counting: connections that end from now on are expected (the
   * server is being stopped).
   */
  detach(): void {
    this.#detached = true;
    this.tally = null;
    this.onReceived = null;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.detach();
    clearInterval(this.#keepAlive);
    await Promise.all(this.clients.map((client) => client?.close()));
  }

  /**
   * @param _client Client number.
   */
  ready(_client: number): void {
    this.#ready++;
  }

  /**
   * @param receiver Receiver.
   * @param sender Sender in the marker.
   * @param seq Message number in the marker.
   * @param sentUs Send time in the marker.
   * @param receivedUs Receive time.
   */
  marker(
    receiver: number,
    sender: number,
    seq: number,
    sentUs: number,
    receivedUs: number,
  ): void {
    this.tally?.marker(receiver, sender, seq, sentUs, receivedUs);
  }

  /**
   * @param receiver Receiver.
   */
  probe(receiver: number): void {
    if (!this.#probeSenders.has(receiver) && this.#probed[receiver] === 0) {
      this.#probed[receiver] = 1;
      this.#probedCount++;
    }
  }

  /**
   * @param _receiver Receiver.
   * @param receivedUs Receive time.
   */
  received(_receiver: number, receivedUs: number): void {
    this.lastInputUs = receivedUs;
    this.onReceived?.();
  }

  /**
   * @param client Client number.
   * @param why What happened.
   */
  ended(client: number, why: string): void {
    if (this.#detached) return;
    this.#disconnects++;
    this.#firstDisconnect ??= `u${client}: ${why}`;
  }
}
