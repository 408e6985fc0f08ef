/**
 * A bounded outbound queue drained by one writer. Lines queued while a write
 * is in flight go out together in the next write, so a busy member costs one
 * system call per batch, not per line; a member that stops reading fills
 * only its own queue.
 *
 * @module
 */

/** Options of {@linkcode Outbox}. */
export interface OutboxOptions {
  /**
   * Most bytes queued; {@linkcode Outbox.push} refuses beyond it.
   * @default {262144}
   */
  maxBytes?: number;
  /** Called once when a write fails; the outbox stops writing. */
  onError?: (error: unknown) => void;
}

/** Writes some bytes and resolves with how many were written. */
export type WriteFn = (bytes: Uint8Array) => Promise<number>;

/** Default bound of an outbox: 256 KiB. */
export const DEFAULT_OUTBOX_BYTES = 262_144;

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

  /**
   * @param write Writes to the peer (e.g. `conn.write.bind(conn)`).
   * @param options Bound and error handler.
   */
  constructor(write: WriteFn, options: OutboxOptions = {}) {
    this.#write = write;
    this.#maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_BYTES;
    this.#onError = options.onError ?? (() => {});
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /**
   * Queues bytes. Never blocks.
   *
   * @param bytes Bytes to send; not copied, so do not modify them afterwards.
   * @returns `false` when the queue would pass its bound (nothing is queued).
   */
  push(bytes: Uint8Array): boolean {
    if (this.#failed) return true;
    if (this.#queued + bytes.length > this.#maxBytes) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing && !this.#scheduled) {
      // Start on a microtask so every line produced by the current input
      // chunk joins the first write.
      this.#scheduled = true;
      queueMicrotask(() => this.#drain());
    }
    return true;
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
            scratch = new Uint8Array(Math.max(total, 4096));
          }
          batch = _join(queue, scratch, total);
        }
        queue.length = 0;
        this.#queued = 0;
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
