/**
 * The accounting of one fan-out run, as chatload keeps it: which messages
 * were sent when, which receiver has seen which message (so each delivery
 * counts once), latencies, and how many deliveries of each sender's
 * messages are still outstanding (for the window).
 *
 * @module
 */

import { LatencyHistogram } from "./histogram.ts";

/** Options of {@linkcode Tally}. */
export interface TallyOptions {
  /**
   * Clients: each message is due to all but its sender in the sender's
   * room.
   */
  clients: number;
  /** Clients that send: numbers 0 to `senders - 1`. */
  senders: number;
  /** Messages each sender sends. */
  messages: number;
  /**
   * A sender is woken (listed in {@linkcode Tally.takeWoken}) when the
   * deliveries of its messages still outstanding drop to this or fewer; -1
   * wakes nobody.
   * @default {-1}
   */
  wakeAt?: number;
  /**
   * Most bits for duplicate detection (one per message and receiver);
   * above it duplicates are not detected and `dup` is -1.
   * @default {2 ** 30}
   */
  maxSeenBits?: number;
  /**
   * The room of each client: a message is due to the others of its
   * sender's room only, and a delivery to a client of another room counts
   * as `foreign`.
   * @default {every client in one room}
   */
  roomOf?: (client: number) => number;
}

/** Counts of a run so far. */
export interface TallyCounts {
  /** Deliveries due: senders × messages × (clients − 1). */
  expected: number;
  /** Distinct deliveries: a client receiving another's marker the first time. */
  delivered: number;
  /** `expected − delivered`. */
  lost: number;
  /** Second copies of a delivery; -1 when not tracked. */
  dup: number;
  /** A client receiving its own marker (an echoing server). */
  self: number;
  /**
   * Markers not sent in this run, with a changed send time, or delivered
   * to a client outside the sender's room.
   */
  foreign: number;
  /** Messages that left the window unfinished after the expiry time. */
  expired: number;
}

/** Delivery accounting of one run. */
export class Tally {
  /** Latencies of the deliveries, in µs. */
  readonly latency: LatencyHistogram = new LatencyHistogram();
  /** Receive time of the latest delivery, in µs (0 before any). */
  lastDeliveryUs = 0;
  #clients: number;
  #senders: number;
  #messages: number;
  #wakeAt: number;
  #sentAt: Float64Array;
  #count: Uint32Array;
  #expiredFlag: Uint8Array;
  #seen: Uint8Array | null;
  #outstanding: Float64Array;
  #sent: Uint32Array;
  #oldest: Uint32Array;
  #wokenFlag: Uint8Array;
  #woken: number[] = [];
  // Deliveries due per message of each sender, and each client's room.
  #due: Uint32Array;
  #room: Uint32Array;
  #expected = 0;
  #delivered = 0;
  #dup = 0;
  #self = 0;
  #foreign = 0;
  #expired = 0;

  /**
   * @param options Room size, senders, messages, window.
   * @throws {RangeError} When a count is not a positive whole number.
   */
  constructor(options: TallyOptions) {
    for (const key of ["clients", "senders", "messages"] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot count ${key} ${value}: expected a whole number above 0`,
        );
      }
    }
    this.#clients = options.clients;
    this.#senders = options.senders;
    this.#messages = options.messages;
    this.#wakeAt = options.wakeAt ?? -1;
    const total = this.#senders * this.#messages;
    this.#sentAt = new Float64Array(total).fill(-1);
    this.#count = new Uint32Array(total);
    this.#expiredFlag = new Uint8Array(total);
    const bits = total * this.#clients;
    this.#seen = bits <= (options.maxSeenBits ?? 2 ** 30)
      ? new Uint8Array(Math.ceil(bits / 8))
      : null;
    this.#outstanding = new Float64Array(this.#senders);
    this.#sent = new Uint32Array(this.#senders);
    this.#oldest = new Uint32Array(this.#senders);
    this.#wokenFlag = new Uint8Array(this.#senders);
    const roomOf = options.roomOf ?? (() => 0);
    this.#room = Uint32Array.from(
      { length: this.#clients },
      (_, client) => roomOf(client),
    );
    const sizes = new Map<number, number>();
    for (const room of this.#room) sizes.set(room, (sizes.get(room) ?? 0) + 1);
    this.#due = Uint32Array.from(
      { length: this.#senders },
      (_, sender) => sizes.get(this.#room[sender]!)! - 1,
    );
    for (const due of this.#due) this.#expected += due * this.#messages;
  }

  /** Deliveries due in the whole run. */
  get expected(): number {
    return this.#expected;
  }

  /** Distinct deliveries so far. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Whether every expected delivery has arrived. */
  get complete(): boolean {
    return this.#delivered >= this.expected;
  }

  /**
   * Messages a sender has sent so far.
   *
   * @param sender Client number.
   * @returns A count.
   */
  sentBy(sender: number): number {
    return this.#sent[sender]!;
  }

  /** Messages sent so far by all senders. */
  get sentTotal(): number {
    let total = 0;
    for (const count of this.#sent) total += count;
    return total;
  }

  /**
   * Deliveries of a sender's messages not yet arrived nor expired.
   *
   * @param sender Client number.
   * @returns A count.
   */
  outstanding(sender: number): number {
    return this.#outstanding[sender]!;
  }

  /**
   * Records that a sender formatted its next message.
   *
   * @param sender Client number.
   * @param sentUs The time written into the marker.
   * @returns The message's number.
   * @throws {RangeError} When the sender has sent all its messages.
   */
  send(sender: number, sentUs: number): number {
    const seq = this.#sent[sender]!;
    if (seq >= this.#messages) {
      throw new RangeError(
        `Cannot send message ${seq} of sender ${sender}: it has ${this.#messages}`,
      );
    }
    this.#sent[sender] = seq + 1;
    this.#sentAt[sender * this.#messages + seq] = sentUs;
    this.#outstanding[sender]! += this.#due[sender]!;
    return seq;
  }

  /**
   * Counts a marker a client received.
   *
   * @param receiver Client number of the receiver.
   * @param sender Client number in the marker.
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
    if (sender >= this.#senders || seq >= this.#messages) {
      this.#foreign++;
      return;
    }
    const message = sender * this.#messages + seq;
    if (this.#sentAt[message] !== sentUs) {
      this.#foreign++;
      return;
    }
    if (receiver === sender) {
      this.#self++;
      return;
    }
    if (this.#room[receiver] !== this.#room[sender]) {
      this.#foreign++;
      return;
    }
    const seen = this.#seen;
    if (seen !== null) {
      const bit = message * this.#clients + receiver;
      const mask = 1 << (bit & 7);
      const byte = bit >>> 3;
      if ((seen[byte]! & mask) !== 0) {
        this.#dup++;
        return;
      }
      seen[byte] = seen[byte]! | mask;
    }
    this.#count[message]!++;
    this.#delivered++;
    this.latency.record(receivedUs - sentUs);
    this.lastDeliveryUs = receivedUs;
    if (this.#expiredFlag[message] === 0) this.#settle(sender, 1);
  }

  /**
   * Takes messages older than `maxAgeUs` that are still unfinished out of
   * the window, so a lossy server cannot stall the senders. Their late
   * deliveries still count.
   *
   * @param nowUs The current time.
   * @param maxAgeUs Age after which a message expires.
   */
  expire(nowUs: number, maxAgeUs: number): void {
    for (let sender = 0; sender < this.#senders; sender++) {
      const due = this.#due[sender]!;
      let seq = this.#oldest[sender]!;
      for (; seq < this.#sent[sender]!; seq++) {
        const message = sender * this.#messages + seq;
        const count = this.#count[message]!;
        if (count >= due) continue;
        if (nowUs - this.#sentAt[message]! <= maxAgeUs) break;
        this.#expiredFlag[message] = 1;
        this.#expired++;
        this.#settle(sender, due - count);
      }
      this.#oldest[sender] = seq;
    }
  }

  #settle(sender: number, deliveries: number): void {
    const left = this.#outstanding[sender]! - deliveries;
    this.#outstanding[sender] = left;
    if (left <= this.#wakeAt && this.#wokenFlag[sender] === 0) {
      this.#wokenFlag[sender] = 1;
      this.#woken.push(sender);
    }
  }

  /**
   * Senders whose window opened since the last call.
   *
   * @returns Client numbers; the list is emptied.
   */
  takeWoken(): number[] {
    if (this.#woken.length === 0) return [];
    const woken = this.#woken;
    this.#woken = [];
    for (const sender of woken) this.#wokenFlag[sender] = 0;
    return woken;
  }

  /**
   * The counts so far.
   *
   * @returns Expected, delivered, lost and the anomalies.
   */
  counts(): TallyCounts {
    return {
      expected: this.expected,
      delivered: this.#delivered,
      lost: this.expected - this.#delivered,
      dup: this.#seen === null ? -1 : this.#dup,
      self: this.#self,
      foreign: this.#foreign,
      expired: this.#expired,
    };
  }
}
