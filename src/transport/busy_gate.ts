/**
 * {@linkcode BusyGate}: fewer, larger writes while the process is busy.
 *
 * @module
 */

import process from "node:process";
import { FlushBatcher } from "./outbox.ts";

/** Options of {@linkcode BusyGate}. */
export interface BusyGateOptions {
  /**
   * Milliseconds an eager push may wait while busy.
   * @default {4}
   */
  delayMs?: number;
  /**
   * The share of a CPU from which the process is busy.
   * @default {0.85}
   */
  onAt?: number;
  /**
   * The share below which it is not busy any more.
   * @default {0.6}
   */
  offAt?: number;
}

/**
 * Says when the process is busy, so that outboxes write less often: while
 * on, an eager push waits for the gate's batcher (a few milliseconds) and
 * goes with whatever else comes meanwhile, fewer and larger writes when
 * writes are what the CPU is spent on. Off, a push is written on the next
 * microtask, as always. Measured in W2 (500 users, 200,000 deliveries/s,
 * docs/performance.md): p99 339–648 → 48–65 ms, server CPU −10 %.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { BusyGate } from "./busy_gate.ts";
 *
 * const gate = new BusyGate();
 * gate.update(0.9);
 * assert(gate.on);
 * gate.update(0.7); // between the two: stays on
 * assert(gate.on);
 * gate.update(0.3);
 * assertFalse(gate.on);
 * ```
 */
export class BusyGate {
  /** The batcher eager pushes wait for while busy. */
  readonly batcher: FlushBatcher;
  #on = false;
  #onAt: number;
  #offAt: number;
  #lastCpu = process.cpuUsage();
  #lastWall = performance.now();

  /** @param options How long a push waits, and when the process is busy. */
  constructor(options: BusyGateOptions = {}) {
    this.batcher = new FlushBatcher(options.delayMs ?? 4);
    this.#onAt = options.onAt ?? 0.85;
    this.#offAt = options.offAt ?? 0.6;
  }

  /** Whether pushes wait now. */
  get on(): boolean {
    return this.#on;
  }

  /**
   * Takes the share of a CPU the process used since the last sample (the
   * server's ticker calls it a few times a second).
   */
  sample(): void {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    if (wall > this.#lastWall) {
      const usedMs = (cpu.user - this.#lastCpu.user + cpu.system -
        this.#lastCpu.system) / 1000;
      this.update(usedMs / (wall - this.#lastWall));
    }
    this.#lastCpu = cpu;
    this.#lastWall = wall;
  }

  /**
   * Takes the share of a CPU the process used lately.
   *
   * @param share CPU time over wall time, 0 to 1 (or more with threads).
   */
  update(share: number): void {
    if (!this.#on && share >= this.#onAt) this.#on = true;
    else if (this.#on && share < this.#offAt) {
      this.#on = false;
      this.batcher.flush();
    }
  }
}
