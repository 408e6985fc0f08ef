/**
 * When to give freed memory back to the system: once the number of
 * connections has stopped changing after it changed (a crowd arrived or
 * left). Each arrival costs the C heap many short-lived buffers (every
 * join is told to everyone), and what they leave behind is kept by the
 * process unless it is trimmed.
 *
 * @module
 */

import { trimMemory } from "./system_tuning.ts";

/** Options of {@linkcode MemoryTrimmer}. */
export interface MemoryTrimmerOptions {
  /**
   * Gives freed memory back; returns whether it did.
   * @default {trimMemory} glibc's `malloc_trim` on Linux, nothing elsewhere
   */
  trim?: () => boolean;
}

/**
 * Trims once per change in the number of connections, on the first tick
 * that sees the count hold still.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { MemoryTrimmer } from "./memory_trimmer.ts";
 *
 * let trims = 0;
 * const trimmer = new MemoryTrimmer({ trim: () => (trims++, true) });
 * trimmer.tick(10); // a crowd arrives
 * trimmer.tick(20);
 * trimmer.tick(20); // it has settled: trimmed
 * trimmer.tick(20); // nothing changed since
 * assertEquals(trims, 1);
 * ```
 */
export class MemoryTrimmer {
  #trim: () => boolean;
  #count = 0;
  #changed = false;

  /** @param options How to trim. */
  constructor(options: MemoryTrimmerOptions = {}) {
    this.#trim = options.trim ?? trimMemory;
  }

  /**
   * Called by the server's timer.
   *
   * @param connections How many connections are open now.
   * @returns `true` when this tick trimmed.
   */
  tick(connections: number): boolean {
    if (connections !== this.#count) {
      this.#count = connections;
      this.#changed = true;
      return false;
    }
    if (!this.#changed) return false;
    this.#changed = false;
    this.#trim();
    return true;
  }
}
