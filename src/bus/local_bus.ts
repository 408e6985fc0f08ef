/**
 * The bus of a single server: what is published is handed back at once,
 * in the same call, so the hub's code path is the cluster's but nothing
 * waits and nothing leaves the process.
 *
 * @module
 */

import type { Bus, BusBody, BusEntry, BusSink } from "./bus.ts";

/**
 * A synchronous bus for one node.
 *
 * @example Published entries come back at once, marked as this node's
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LocalBus } from "./local_bus.ts";
 * import type { BusEntry } from "./bus.ts";
 *
 * const bus = new LocalBus();
 * const got: BusEntry[] = [];
 * await bus.start({ entry: (e) => got.push(e), status() {}, skipped() {} });
 * bus.publish({ kind: "sync" }, 0, 5);
 * assertEquals(got, [{ kind: "sync", node: "local", seq: 1, member: 0, time: 5 }]);
 * ```
 */
export class LocalBus implements Bus {
  /** Always `local`. */
  readonly node = "local";
  /** Always up. */
  readonly up = true;
  /** Nothing ever waits. */
  readonly backlog = { waiting: 0, dropped: 0 };
  #sink: BusSink | null = null;
  #seq = 0;

  /**
   * Keeps the sink; entries published from now on go to it.
   *
   * @param sink Where entries go.
   */
  start(sink: BusSink): Promise<void> {
    this.#sink = sink;
    return Promise.resolve();
  }

  /**
   * Hands the entry to the sink, now.
   *
   * @param body What it says.
   * @param member The member it is about.
   * @param time The clock.
   * @returns The entry.
   */
  publish(body: BusBody, member: number, time: number): BusEntry {
    const entry = { ...body, node: this.node, seq: ++this.#seq, member, time };
    this.#sink?.entry(entry, true);
    return entry;
  }

  /**
   * Every name is free on one node as far as the bus knows (the hub checks).
   *
   * @returns `true`.
   */
  reserve(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Nothing to let go. */
  release(): void {}

  /**
   * No other node to choose among.
   *
   * @returns `true`.
   */
  elect(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Stops handing entries on. */
  close(): Promise<void> {
    this.#sink = null;
    return Promise.resolve();
  }
}
