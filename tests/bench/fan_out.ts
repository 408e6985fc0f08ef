/**
 * The burst and paced workloads (chatload's W1 and W2) on a connected,
 * synchronised crowd.
 *
 * - **Burst**: every client sends its messages as fast as the window
 *   allows: a sender sends while at most (W − 1) × (clients − 1) deliveries
 *   of its own messages are outstanding, so about W messages are in flight
 *   each. The window is counted in deliveries, not messages, so one slow
 *   receiver does not stop every sender.
 * - **Paced**: the first `senders` clients each send `rate` messages per
 *   second on a fixed schedule, staggered; the others only receive.
 *
 * Messages older than the expiry time leave the window unfinished, so a
 * lossy server cannot stall the run. A run ends `complete` (every delivery
 * arrived), `drained` (all sent, nothing arrived for the drain time),
 * `stalled` (not all sent, nothing moving) or `timeout`.
 *
 * @module
 */

import type { Crowd } from "./crowd.ts";
import { formatMarker, nowUs } from "./marker.ts";
import { Meter } from "./meter.ts";
import type { FanOutResult, RunEnd } from "./results.ts";
import { RunError } from "./run_error.ts";
import type { ServerProcess } from "./server_process.ts";
import { Tally } from "./tally.ts";

/** What a fan-out run sends. */
export interface FanOutPlan {
  /** `burst`, `paced`, or `rooms` (a burst in many rooms). */
  workload: "burst" | "paced" | "rooms";
  /**
   * Rooms the clients are in: client `i` in room `i % rooms` (the crowd
   * has joined them).
   * @default {1}
   */
  rooms?: number;
  /** Clients that send: the first ones. */
  senders: number;
  /** Messages each sender sends. */
  messages: number;
  /** Burst: messages in flight per sender. Ignored when paced. */
  window: number;
  /** Paced: messages per second per sender. Ignored in a burst. */
  rate: number;
  /**
   * Milliseconds after which an unfinished message leaves the window.
   * @default {5000}
   */
  expireMs?: number;
  /**
   * Milliseconds without progress after which the run ends.
   * @default {2000}
   */
  drainMs?: number;
  /**
   * Milliseconds after which the run ends anyway.
   * @default {60000}
   */
  timeoutMs?: number;
}

/**
 * Runs a burst or paced workload and measures it.
 *
 * @param crowd Connected clients, past the sync barrier.
 * @param server The server, for its CPU time and memory.
 * @param plan Senders, messages, window or rate, deadlines.
 * @returns The run's record (without server problems).
 * @throws {RunError} When the server dies during the run.
 */
export async function runFanOut(
  crowd: Crowd,
  server: ServerProcess,
  plan: FanOutPlan,
): Promise<FanOutResult> {
  const users = crowd.size;
  const burst = plan.workload !== "paced";
  const window = burst ? plan.window : 0;
  const rooms = plan.rooms ?? 1;
  // The window of the smallest room, for every sender.
  const wakeAt = burst
    ? (plan.window - 1) * (Math.floor(users / rooms) - 1)
    : -1;
  const tally = new Tally({
    clients: users,
    senders: plan.senders,
    messages: plan.messages,
    wakeAt,
    roomOf: (client) => client % rooms,
  });
  const expireUs = (plan.expireMs ?? 5000) * 1000;
  const drainUs = (plan.drainMs ?? 2000) * 1000;
  const timeoutUs = (plan.timeoutMs ?? 60_000) * 1000;
  const disconnectsBefore = crowd.disconnects;
  let lastSendUs = 0;

  // Formats and sends every message `sender` may send now.
  const pump = (sender: number, allowed: (seq: number) => boolean) => {
    let texts: string[] | null = null;
    while (tally.sentBy(sender) < plan.messages) {
      if (!allowed(tally.sentBy(sender))) break;
      const sentUs = nowUs();
      const seq = tally.send(sender, sentUs);
      (texts ??= []).push(formatMarker(sender, seq, sentUs));
      lastSendUs = sentUs;
    }
    if (texts !== null) crowd.clients[sender]!.send(texts);
  };
  const inWindow = (sender: number) => () =>
    tally.outstanding(sender) <= wakeAt;
  const pumpWoken = () => {
    for (const sender of tally.takeWoken()) pump(sender, inWindow(sender));
  };

  crowd.tally = tally;
  const meter = new Meter(server.pid);
  const startUs = meter.startUs;
  const periodUs = plan.rate > 0 ? 1e6 / plan.rate : 0;
  let pacer: ReturnType<typeof setInterval> | undefined;
  if (burst) {
    crowd.onReceived = pumpWoken;
    for (let sender = 0; sender < plan.senders; sender++) {
      pump(sender, inWindow(sender));
    }
  } else {
    // Message `seq` of `sender` is due at start + (seq + sender/senders)
    // periods: the senders take turns.
    const due = (sender: number) => (seq: number) =>
      startUs + (seq + sender / plan.senders) * periodUs <= nowUs();
    const tick = () => {
      for (let sender = 0; sender < plan.senders; sender++) {
        pump(sender, due(sender));
      }
    };
    pacer = setInterval(tick, 1);
    tick();
  }
  const expiry = setInterval(() => {
    tally.expire(nowUs(), expireUs);
    if (burst) pumpWoken();
  }, 250);

  let end: RunEnd;
  try {
    end = await _waitForEnd(() => {
      if (tally.complete) return "complete";
      if (server.exited !== null) return "server";
      const now = nowUs();
      const allSent = tally.sentTotal === plan.senders * plan.messages;
      const idleUs = now - Math.max(tally.lastDeliveryUs, lastSendUs, startUs);
      if (allSent && idleUs > drainUs) return "drained";
      // A burst whose window never reopens; a paced run always has sends due.
      if (!allSent && burst && idleUs > drainUs + expireUs) return "stalled";
      if (now - startUs > timeoutUs) return "timeout";
      return null;
    });
  } finally {
    clearInterval(pacer);
    clearInterval(expiry);
    crowd.onReceived = null;
    crowd.tally = null;
  }
  const usage = meter.read();
  const death = server.death();
  if (death !== null) throw new RunError(death);

  const counts = tally.counts();
  const lastUs = tally.lastDeliveryUs > 0 ? tally.lastDeliveryUs : nowUs();
  const secs = Math.max((lastUs - startUs) / 1e6, 1e-6);
  const ms = (us: number) => us / 1000;
  const latency = tally.latency;
  const pct = (cpu: number | null) =>
    cpu === null ? null : (cpu / usage.wallS) * 100;
  return {
    workload: plan.workload,
    rooms,
    dialect: crowd.dialect,
    users,
    senders: plan.senders,
    messages: plan.messages,
    rate: burst ? 0 : plan.rate,
    window,
    counts,
    end,
    secs,
    deliveriesPerS: counts.delivered / secs,
    latencyMs: {
      p50: ms(latency.percentile(50)),
      p90: ms(latency.percentile(90)),
      p99: ms(latency.percentile(99)),
      max: ms(latency.max),
      mean: ms(latency.mean),
    },
    serverCpuS: usage.serverCpuS,
    serverCpuPct: pct(usage.serverCpuS),
    benchCpuPct: pct(usage.benchCpuS),
    serverUsPerDelivery: usage.serverCpuS === null || counts.delivered === 0
      ? null
      : (usage.serverCpuS * 1e6) / counts.delivered,
    serverPeakRssKb: server.peakRssKb(),
    disconnects: crowd.disconnects - disconnectsBefore,
    problems: [],
  };
}

// Polls `check` every 5 ms until it names an end; "server" means the
// server exited.
async function _waitForEnd(
  check: () => RunEnd | "server" | null,
): Promise<RunEnd> {
  while (true) {
    const end = check();
    if (end === "server") return "drained";
    if (end !== null) return end;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
