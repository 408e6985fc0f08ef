/**
 * Runs the bench: for each workload, dialect and size, a fresh server, a
 * crowd of clients in this process, the measurement, and both torn down.
 * A run that fails is reported in its row and the bench goes on.
 *
 * @module
 */

import { Crowd } from "./crowd.ts";
import { runFanOut } from "./fan_out.ts";
import { runIdle } from "./idle.ts";
import { type Dialect, DIALECTS, type Target } from "./load_client.ts";
import {
  burstPlan,
  DEFAULT_IDLE_USERS,
  DEFAULT_ROOM_USERS,
  DEFAULT_USERS,
  pacedPlan,
  QUICK_USERS,
  roomsPlan,
} from "./plan.ts";
import { openFileLimit } from "./proc_stats.ts";
import type {
  BenchReport,
  FailedRun,
  FanOutResult,
  RunResult,
  Workload,
} from "./results.ts";
import { WORKLOADS } from "./results.ts";
import { RunError } from "./run_error.ts";
import { ServerProcess } from "./server_process.ts";
import { RedisServer } from "../_redis.ts";
import { V8_FLAGS } from "../../src/tools/compile.ts";

/** Options of {@linkcode runBench}. */
export interface BenchOptions {
  /**
   * Workloads to run.
   * @default {["burst", "paced", "idle"]}
   */
  workloads?: readonly Workload[];
  /**
   * Dialects to run.
   * @default {["plain", "native", "websocket"]}
   */
  dialects?: readonly Dialect[];
  /**
   * Room sizes of the burst and paced runs.
   * @default {[10, 100, 1000], or [5] when quick}
   */
  users?: readonly number[];
  /**
   * Connection counts of the idle runs.
   * @default {[1000, 2000], or [5] when quick}
   */
  idleUsers?: readonly number[];
  /**
   * Users of the rooms runs (spread over 50 rooms, 2 when quick).
   * @default {[1000], or [5] when quick}
   */
  roomUsers?: readonly number[];
  /**
   * The small configuration, for the smoke test: 5 users, 20 messages each.
   * @default {false}
   */
  quick?: boolean;
  /**
   * Pin the server to CPU 0 and the bench to CPU 1 with `taskset`, as
   * chatload's `peers.sh` does; only where there are 2 CPUs or more and
   * `taskset` runs.
   * @default {false}
   */
  pin?: boolean;
  /**
   * Measure another plain-dialect server instead of `chat serve` (`{port}`
   * is replaced), such as `limit_server -p {port}` to see how fast the
   * generator itself can go.
   * @default {undefined}
   */
  serverCommand?: readonly string[];
  /**
   * Keep the server's history in memory (`--memory`) instead of SQLite in
   * a fresh temporary data folder, to measure what storing costs.
   * @default {false}
   */
  memory?: boolean;
  /**
   * Run every burst, paced and rooms workload on two nodes of a cluster
   * (`chat serve --redis`, a `redis-server` started for the run), the
   * users split evenly between them (TCP dialects).
   * @default {false}
   */
  cluster?: boolean;
  /**
   * Most deliveries per second a paced run offers; lower it to see the
   * latency of a server that is not busy.
   * @default {50000}
   */
  pacedDeliveries?: number;
  /**
   * Receives progress lines.
   * @default {writes them to standard error}
   */
  log?: (line: string) => void;
}

/**
 * How the bench starts `chat serve` (with port 0, a free port): from source,
 * or the compiled program that `CHAT_BIN` names.
 */
export const CHAT_COMMAND = `${
  Deno.env.get("CHAT_BIN") || `deno run -A ${V8_FLAGS.join(" ")} main.ts`
} serve --host 127.0.0.1 --port 0 --web-port 0 --no-rate-limit --max-per-ip 0 --max-users 0 --lang en`;

/** What the bench adds to {@linkcode CHAT_COMMAND}: where the history is. */
export function storeFlags(memory: boolean): string {
  return memory ? "--memory" : "--data <a new temporary folder>";
}

// File descriptors kept free besides the connections, on both sides.
const SPARE_FILES = 64;

/**
 * Runs the bench.
 *
 * @param options What to run and how.
 * @returns Every run's record.
 */
export async function runBench(
  options: BenchOptions = {},
): Promise<BenchReport> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const quick = options.quick ?? false;
  const workloads = options.workloads ?? WORKLOADS;
  const dialects = options.serverCommand === undefined
    ? options.dialects ?? DIALECTS
    : ["plain" as const];
  const users = options.users ?? (quick ? QUICK_USERS : DEFAULT_USERS);
  const idleUsers = options.idleUsers ??
    (quick ? QUICK_USERS : DEFAULT_IDLE_USERS);
  const roomUsers = options.roomUsers ??
    (quick ? QUICK_USERS : DEFAULT_ROOM_USERS);
  const fileLimit = openFileLimit();
  const notes: string[] = [];
  const pinned = options.pin === true && await _pinSelf(notes);
  const results: RunResult[] = [];

  for (const workload of workloads) {
    const sizes = workload === "idle"
      ? idleUsers
      : workload === "rooms"
      ? roomUsers
      : users;
    for (const dialect of dialects) {
      for (const size of sizes) {
        const label = `${workload} ${dialect} ${size} users`;
        if (workload === "rooms" && options.serverCommand !== undefined) {
          notes.push(`${label}: skipped: another server has no rooms`);
          continue;
        }
        if (fileLimit !== null && size + SPARE_FILES > fileLimit.soft) {
          const why =
            `skipped: ${size} connections need more than the open-file limit of ${fileLimit.soft} (ulimit -n)`;
          notes.push(`${label}: ${why}`);
          results.push({
            workload,
            dialect,
            users: size,
            failed: why,
            problems: [],
          });
          log(`${label}: ${why}`);
          continue;
        }
        log(`${label}...`);
        const result = await _runOne(workload, dialect, size, {
          quick,
          pinned,
          serverCommand: options.serverCommand,
          memory: options.memory ?? false,
          cluster: options.cluster ?? false,
          pacedDeliveries: options.pacedDeliveries,
        });
        results.push(result);
        log(`${label}: ${_summary(result)}`);
      }
    }
  }
  return {
    date: new Date(started).toISOString(),
    quick,
    server: options.serverCommand?.join(" ") ??
      `${CHAT_COMMAND} ${storeFlags(options.memory ?? false)}`,
    pinned,
    cpus: navigator.hardwareConcurrency,
    runtime: `deno ${Deno.version.deno}, v8 ${Deno.version.v8}`,
    fileLimit,
    totalS: (Date.now() - started) / 1000,
    notes,
    results,
  };
}

interface _RunSettings {
  quick: boolean;
  pinned: boolean;
  serverCommand: readonly string[] | undefined;
  memory: boolean;
  cluster: boolean;
  pacedDeliveries: number | undefined;
}

async function _runOne(
  workload: Workload,
  dialect: Dialect,
  users: number,
  settings: _RunSettings,
): Promise<RunResult> {
  let server: ServerProcess | null = null;
  let crowd: Crowd | null = null;
  let result: RunResult;
  const cluster = settings.cluster && workload !== "idle"
    ? await _Cluster.start(settings)
    : null;
  try {
    server = cluster?.a ?? await ServerProcess.start({
      pin: settings.pinned,
      memory: settings.memory,
      ...(settings.serverCommand === undefined
        ? {}
        : { command: settings.serverCommand }),
    });
    const target: Target = {
      dialect,
      hostname: "127.0.0.1",
      port: server.port,
      webPort: server.webPort,
      welcome: settings.serverCommand === undefined,
    };
    if (workload === "idle") {
      const idle = await runIdle(server, target, users, {
        quietMs: settings.quick ? 200 : 500,
      });
      crowd = idle.crowd;
      result = idle.result;
    } else if (users < 2 || (workload === "rooms" && users < 4)) {
      result = _failed(
        workload,
        dialect,
        users,
        "skipped: a room needs 2 users",
      );
    } else {
      crowd = await Crowd.connect(
        target,
        users,
        cluster === null ? {} : { ports: [cluster.a.port, cluster.b.port] },
      );
      await crowd.barrier(10_000);
      const plan = workload === "burst"
        ? burstPlan(users, settings.quick)
        : workload === "rooms"
        ? roomsPlan(users, settings.quick)
        : pacedPlan(users, settings.quick, settings.pacedDeliveries);
      if (plan.rooms !== undefined) await crowd.joinRooms(plan.rooms, 30_000);
      await crowd.settle(300, 10_000);
      const peerBefore = cluster?.b.cpuSeconds() ?? null;
      result = await runFanOut(crowd, server, plan);
      const peerAfter = cluster?.b.cpuSeconds() ?? null;
      if (peerBefore !== null && peerAfter !== null && "counts" in result) {
        result = { ...result, peerCpuS: peerAfter - peerBefore };
      }
    }
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    result = _failed(
      workload,
      dialect,
      users,
      server?.death() ?? error.message,
    );
  } finally {
    // The server first: it closes every connection with one goodbye each,
    // where closing thousands of clients would make it announce every
    // leave to everyone left.
    crowd?.detach();
    await server?.stop();
    await cluster?.stop();
    await crowd?.close();
  }
  return { ...result, problems: server?.problems() ?? [] };
}

// Two nodes of a cluster on a redis-server of their own: node a is the one
// measured (its CPU and memory), node b holds half the users.
class _Cluster {
  readonly a: ServerProcess;
  readonly b: ServerProcess;
  readonly #redis: RedisServer;

  private constructor(a: ServerProcess, b: ServerProcess, redis: RedisServer) {
    this.a = a;
    this.b = b;
    this.#redis = redis;
  }

  static async start(settings: _RunSettings): Promise<_Cluster> {
    const redis = await RedisServer.start();
    const node = (name: string) =>
      ServerProcess.start({
        pin: settings.pinned,
        memory: settings.memory,
        extraArgs: ["--redis", redis.url, "--node-name", name],
      });
    const a = await node("a");
    const b = await node("b");
    return new _Cluster(a, b, redis);
  }

  async stop(): Promise<void> {
    await this.a.stop();
    await this.b.stop();
    await this.#redis.stop();
  }
}

function _failed(
  workload: Workload,
  dialect: Dialect,
  users: number,
  why: string,
): FailedRun {
  return { workload, dialect, users, failed: why, problems: [] };
}

// A cluster's server CPU per delivery on each node (each delivers to its
// half of the users); a single node's over all deliveries.
function _perNode(result: FanOutResult): string {
  const delivered = result.counts.delivered;
  if (delivered === 0 || result.serverCpuS === null) return "";
  const us = (cpu: number, share: number) =>
    (cpu * 1e6 / (delivered * share)).toFixed(2);
  if (result.peerCpuS === undefined || result.peerCpuS === null) {
    return `, ${us(result.serverCpuS, 1)} µs/delivery`;
  }
  return `, per node ${us(result.serverCpuS, 0.5)} (a) ${
    us(result.peerCpuS, 0.5)
  } (b) µs/delivery`;
}

function _summary(result: RunResult): string {
  if ("failed" in result) return result.failed;
  if (result.workload === "idle") {
    return `${result.kbPerConn?.toFixed(1) ?? "n/a"} KB/conn, settled in ${
      result.settleS.toFixed(1)
    } s`;
  }
  const { counts } = result;
  return `${Math.round(result.deliveriesPerS)} deliveries/s, p99 ${
    result.latencyMs.p99.toFixed(1)
  } ms, lost ${counts.lost}, server CPU ${
    result.serverCpuPct?.toFixed(0) ?? "n/a"
  } %, bench CPU ${result.benchCpuPct?.toFixed(0) ?? "n/a"} %${
    _perNode(result)
  } (${result.end})`;
}

// Pins this process (all its threads) to CPU 1; the server goes on CPU 0.
async function _pinSelf(notes: string[]): Promise<boolean> {
  if (Deno.build.os !== "linux" || navigator.hardwareConcurrency < 2) {
    notes.push("not pinned: needs Linux and 2 CPUs or more");
    return false;
  }
  try {
    const { success } = await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", "1", String(Deno.pid)],
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return true;
    notes.push("not pinned: taskset failed");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    notes.push("not pinned: taskset is not installed");
  }
  return false;
}
