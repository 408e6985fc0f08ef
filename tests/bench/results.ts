/**
 * The shapes of the bench's results: one record per run (workload, dialect,
 * number of users), as the report prints them and `--json` writes them.
 *
 * @module
 */

import type { Dialect } from "./load_client.ts";
import type { FileLimit } from "./proc_stats.ts";
import type { TallyCounts } from "./tally.ts";

/**
 * The workloads: chatload's W1, W2 and W3, and a burst in many rooms at
 * once (each message due to its room only).
 */
export type Workload = "burst" | "paced" | "idle" | "rooms";

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [
  "burst",
  "paced",
  "idle",
  "rooms",
];

/** How a fan-out run ended, as chatload names it. */
export type RunEnd = "complete" | "drained" | "stalled" | "timeout";

/** Latency percentiles in milliseconds. */
export interface LatencyMs {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest, exact. */
  max: number;
  /** Mean. */
  mean: number;
}

/** A burst or paced run: messages fanned out to the whole room (or rooms). */
export interface FanOutResult {
  /**
   * `burst` (window-paced), `paced` (fixed rate), or `rooms` (window-paced,
   * in many rooms).
   */
  workload: "burst" | "paced" | "rooms";
  /** Rooms the clients are spread over (1 but for `rooms`). */
  rooms: number;
  /** Dialect of every client. */
  dialect: Dialect;
  /** Clients in the room. */
  users: number;
  /** Clients that send (the first ones). */
  senders: number;
  /** Messages each sender sends. */
  messages: number;
  /** Messages per second per sender; 0 in a burst. */
  rate: number;
  /** Messages in flight per sender; 0 when paced. */
  window: number;
  /** Delivery counts. */
  counts: TallyCounts;
  /** How the run ended. */
  end: RunEnd;
  /** Seconds from the first send to the last delivery. */
  secs: number;
  /** Distinct deliveries per second over `secs`. */
  deliveriesPerS: number;
  /** Latency of the deliveries. */
  latencyMs: LatencyMs;
  /** Server CPU seconds over the run; `null` when unknown. */
  serverCpuS: number | null;
  /** Server CPU over wall time, 100 = one core; `null` when unknown. */
  serverCpuPct: number | null;
  /** The bench's own CPU over wall time; `null` when unknown. */
  benchCpuPct: number | null;
  /** Server CPU microseconds per delivery; `null` when unknown. */
  serverUsPerDelivery: number | null;
  /**
   * A cluster's second node (b): its CPU seconds over the run (node a's
   * are `serverCpuS`); each node delivers to its half of the users.
   * @default {undefined} one node
   */
  peerCpuS?: number | null;
  /** Server peak RSS (`VmHWM`) after the run, KB; `null` when unknown. */
  serverPeakRssKb: number | null;
  /** Connections the server ended during the run. */
  disconnects: number;
  /** Unusual server log lines (drops, errors). */
  problems: string[];
}

/** An idle run: memory per connection. */
export interface IdleResult {
  /** Always `idle`. */
  workload: "idle";
  /** Dialect of every client. */
  dialect: Dialect;
  /** Connections held. */
  users: number;
  /** Seconds to connect everybody, be welcomed, and go quiet. */
  settleS: number;
  /** Server CPU seconds in that time; `null` when unknown. */
  serverCpuS: number | null;
  /** The bench's CPU seconds in that time; `null` when unknown. */
  benchCpuS: number | null;
  /** Server RSS before the first connection, KB; `null` when unknown. */
  rssBeforeKb: number | null;
  /** Server RSS once all are in and quiet, KB; `null` when unknown. */
  rssAfterKb: number | null;
  /** `(after − before) / users`; `null` when unknown. */
  kbPerConn: number | null;
  /** Connections the server ended while idle. */
  disconnects: number;
  /** Unusual server log lines. */
  problems: string[];
}

/** A run that could not be measured, or was not run. */
export interface FailedRun {
  /** The workload. */
  workload: Workload;
  /** The dialect. */
  dialect: Dialect;
  /** Clients asked for. */
  users: number;
  /** Why: the error, or why it was skipped. */
  failed: string;
  /** Unusual server log lines. */
  problems: string[];
}

/** One row of the report. */
export type RunResult = FanOutResult | IdleResult | FailedRun;

/** Everything one bench run found. */
export interface BenchReport {
  /** When the bench started (ISO 8601). */
  date: string;
  /** The small configuration of `--quick`. */
  quick: boolean;
  /** The server measured: its command line, `{port}` for its port. */
  server: string;
  /** Whether the server and the bench ran on separate pinned CPUs. */
  pinned: boolean;
  /** CPUs of the machine. */
  cpus: number;
  /** Deno and V8 versions. */
  runtime: string;
  /** Open-file limit of the bench process; `null` when unknown. */
  fileLimit: FileLimit | null;
  /** Wall-clock seconds of the whole bench. */
  totalS: number;
  /** Notes about the configuration (sizes skipped, and why). */
  notes: string[];
  /** Every run, in order. */
  results: RunResult[];
}

/**
 * Tells a measured run from a failed one.
 *
 * @param result A run.
 * @returns Whether it failed or was skipped.
 */
export function isFailed(result: RunResult): result is FailedRun {
  return "failed" in result;
}
