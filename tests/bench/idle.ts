/**
 * The idle workload (chatload's W3): open many connections, each past its
 * hello, and measure the server's resident memory per connection once all
 * are in and the server is quiet.
 *
 * @module
 */

import { Crowd } from "./crowd.ts";
import type { Target } from "./load_client.ts";
import { Meter } from "./meter.ts";
import type { IdleResult } from "./results.ts";
import { RunError } from "./run_error.ts";
import type { ServerProcess } from "./server_process.ts";

/** Options of {@linkcode runIdle}. */
export interface IdleOptions {
  /**
   * Milliseconds of silence (nothing received, server CPU still) before
   * memory is read.
   * @default {500}
   */
  quietMs?: number;
  /**
   * Milliseconds to connect everybody and be welcomed. Joining costs the
   * server O(N²) (every join is announced to everyone), so the default
   * grows with the square.
   * @default {max(60000, users² / 100)}
   */
  timeoutMs?: number;
}

/** What {@linkcode runIdle} measured, and the crowd still connected. */
export interface IdleRun {
  /** The run's record (without server problems). */
  result: IdleResult;
  /**
   * The connections, still open: the caller closes them after stopping
   * the server, which is quicker than thousands of leave notices.
   */
  crowd: Crowd;
}

/**
 * Connects `users` idle clients and measures the server's memory growth.
 *
 * @param server A fresh server with nobody connected.
 * @param target Its address and the dialect.
 * @param users Connections to open.
 * @param options Quiet time, deadline.
 * @returns The record and the open crowd.
 * @throws {RunError} When connecting fails or the server dies (the crowd is
 * closed then).
 */
export async function runIdle(
  server: ServerProcess,
  target: Target,
  users: number,
  options: IdleOptions = {},
): Promise<IdleRun> {
  const quietMs = options.quietMs ?? 500;
  const before = server.rssKb();
  const meter = new Meter(server.pid);
  const crowd = await Crowd.connect(target, users, {
    timeoutMs: options.timeoutMs ?? Math.max(60_000, users * users / 100),
    bufferBytes: 4096,
  });
  try {
    if (!await crowd.settle(quietMs, 60_000)) {
      throw new RunError(
        `the crowd of ${users} never went quiet for ${quietMs} ms`,
      );
    }
    // Quiet on the server's side too: at most 2 % of a core over the same
    // time (its timers may tick), for at most 10 s.
    let cpu = server.cpuSeconds();
    for (let tries = 0; tries < 10_000 / quietMs; tries++) {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      const now = server.cpuSeconds();
      if (cpu === null || now === null) break;
      if (now - cpu <= 0.02 * quietMs / 1000) break;
      cpu = now;
    }
    const usage = meter.read();
    const after = server.rssKb();
    const death = server.death();
    if (death !== null) throw new RunError(death);
    const result: IdleResult = {
      workload: "idle",
      dialect: target.dialect,
      users,
      settleS: usage.wallS,
      serverCpuS: usage.serverCpuS,
      benchCpuS: usage.benchCpuS,
      rssBeforeKb: before,
      rssAfterKb: after,
      kbPerConn: before === null || after === null
        ? null
        : (after - before) / users,
      disconnects: crowd.disconnects,
      problems: [],
    };
    return { result, crowd };
  } catch (error) {
    await crowd.close();
    throw error;
  }
}
