/**
 * A bounded outbound queue drained by one writer. Lines queued while a write
 * is in flight go out together in the next write, so a busy member costs one
 * system call per batch, not per line; a member that stops reading fills
 * only its own queue.
 *
 * @module
 */

import type { BusyGate } from "./busy_gate.ts";
import { SERVE_DEFAULTS } from "../config.ts";

/** Options of {@linkcode Outbox}. */
export interface OutboxOptions {
  /**
   * Most bytes queued; {@linkcode Outbox.push} refuses beyond it.
   * @default {262144}
   */
  maxBytes?: number;
  /** Called once when a write fails; the outbox stops writing. */
  onError?: (error: unknown) => void;
  /**
   * Collects lazy pushes (see {@linkcode Outbox.push}) of many outboxes and
   * flushes them together a little later.
   * @default {undefined} lazy pushes are written at once
   */
  batcher?: FlushBatcher;
  /**
   * While it is on, eager pushes wait for its batcher too (see
   * {@linkcode BusyGate}).
   * @default {undefined} eager pushes are written on the next microtask
   */
  busy?: BusyGate;
  /**
   * Called right before each write (see
   * `LineTransportOptions.beforeWrite`).
   * @default {() => {}}
   */
  beforeWrite?: () => void;
}

/** Something a {@linkcode FlushBatcher} can flush. */
export interface Flushable {
  /** Starts writing what waits. */
  flush(): void;
}

/**
 * Flushes many outboxes together, a short delay after the first lazy push:
 * notices such as "ana joined" that go to every member then cost one write
 * per member per batch, not one per notice. One timer for all outboxes,
 * armed only while something waits.
 */
export class FlushBatcher {
  #delayMs: number;
  #waiting = new Set<Flushable>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param delayMs How long a lazy push may wait. */
  constructor(delayMs = 50) {
    this.#delayMs = delayMs;
  }

  /**
   * Flushes an outbox (or any other {@linkcode Flushable}) with the next
   * batch.
   *
   * @param outbox The outbox holding lazy bytes.
   */
  add(outbox: Flushable): void {
    this.#waiting.add(outbox);
    this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
  }

  /** Flushes every waiting outbox now and disarms the timer. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = new Set();
    for (const outbox of waiting) outbox.flush();
  }
}

/** Writes some bytes and resolves with how many were written. */
export type WriteFn = (bytes: Uint8Array) => Promise<number>;

/** Default bound of an outbox: 256 KiB (`--queue-limit`). */
export const DEFAULT_OUTBOX_BYTES: number = SERVE_DEFAULTS.queueLimitKiB * 1024;

/**
 * Per-member outbound queue.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Outbox } from "./outbox.ts";
 *
 * const written: string[] = [];
 * const outbox = new Outbox(async (bytes) => {
 *   written.push(new TextDecoder().decode(bytes));
 *   return bytes.length;
 * });
 * outbox.push(new TextEncoder().encode("a\n"));
 * outbox.push(new TextEncoder().encode("b\n"));
 * await outbox.drained();
 * assertEquals(written, ["a\nb\n"]);
 * ```
 */
export class Outbox {
  #write: WriteFn;
  #maxBytes: number;
  #onError: (error: unknown) => void;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #scheduled = false;
  #writing = false;
  #failed = false;
  #idle: (() => void)[] = [];
  #batcher: FlushBatcher | undefined;
  #busy: BusyGate | undefined;
  #beforeWrite: () => void;
  #lazy = false;

  /**
   * @param write Writes to the peer (e.g. `conn.write.bind(conn)`).
   * @param options Bound and error handler.
   */
  constructor(write: WriteFn, options: OutboxOptions = {}) {
    this.#write = write;
    this.#maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_BYTES;
    this.#onError = options.onError ?? (() => {});
    this.#batcher = options.batcher;
    this.#busy = options.busy;
    this.#beforeWrite = options.beforeWrite ?? (() => {});
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /**
   * Queues bytes. Never blocks.
   *
   * @param bytes Bytes to send; not copied, so do not modify them afterwards.
   * @param lazy `true` when the bytes may wait for the batcher (at most its
   * delay); the next eager push takes them along, in order.
   * @returns `false` when the queue would pass its bound (nothing is queued).
   */
  push(bytes: Uint8Array, lazy = false): boolean {
    if (this.#failed) return true;
    if (this.#queued + bytes.length > this.#maxBytes) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#writing || this.#scheduled) return true;
    if (lazy && this.#batcher !== undefined) {
      if (!this.#lazy) {
        this.#lazy = true;
        this.#batcher.add(this);
      }
    } else if (this.#busy?.on) {
      // Busy: wait a little for more, in fewer and larger writes.
      this.#lazy = true;
      this.#busy.batcher.add(this);
    } else this.#schedule();
    return true;
  }

  /** Starts writing what is queued, if anything (the batcher calls this). */
  flush(): void {
    if (this.#queue.length > 0 && !this.#writing && !this.#scheduled) {
      this.#schedule();
    }
  }

  #schedule(): void {
    // Start on a microtask so every line produced by the current input
    // chunk joins the first write.
    this.#lazy = false;
    this.#scheduled = true;
    queueMicrotask(() => this.#drain());
  }

  /**
   * Resolves when everything queued so far has been written (or writing failed).
   *
   * @returns A promise that resolves when the queue is empty.
   */
  drained(): Promise<void> {
    if (this.#queued === 0 && !this.#writing && !this.#scheduled) {
      return Promise.resolve();
    }
    this.flush();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#scheduled = false;
    this.#writing = true;
    // While busy, one buffer is reused for every batch that needs joining;
    // it is dropped with this call, so an idle member holds none.
    let scratch: Uint8Array | null = null;
    try {
      while (this.#queue.length > 0 && !this.#failed) {
        const queue = this.#queue;
        const total = this.#queued;
        let batch: Uint8Array;
        if (queue.length === 1) batch = queue[0]!;
        else {
          if (scratch === null || scratch.length < total) {
            scratch = new Uint8Array(total);
          }
          batch = _join(queue, scratch, total);
        }
        queue.length = 0;
        this.#queued = 0;
        this.#beforeWrite();
        let offset = 0;
        while (offset < batch.length) {
          offset += await this.#write(batch.subarray(offset));
        }
      }
    } catch (error) {
      this.#failed = true;
      this.#queue = [];
      this.#queued = 0;
      this.#onError(error);
    } finally {
      this.#writing = false;
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}

function _join(
  chunks: Uint8Array[],
  into: Uint8Array,
  total: number,
): Uint8Array {
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    into.set(chunk, offset);
    offset += chunk.length;
  }
  return into.subarray(0, total);
}
