/**
 * The bench's report: one markdown table per workload, a row per dialect
 * and size, then the ratios between dialects (native ÷ plain, websocket ÷
 * native) for server CPU per delivery, throughput and memory per idle
 * connection.
 *
 * @module
 */

import { formatComparison } from "./compare.ts";
import { count, fixed, mb, NA, table } from "./markdown.ts";
import {
  type BenchReport,
  type FanOutResult,
  type IdleResult,
  isFailed,
  type RunResult,
} from "./results.ts";

// Everything unusual about a run, or "-".
function _anomalies(result: FanOutResult): string {
  const { counts } = result;
  const parts: string[] = [];
  if (counts.dup > 0) parts.push(`dup ${counts.dup}`);
  if (counts.self > 0) parts.push(`self ${counts.self}`);
  if (counts.foreign > 0) parts.push(`foreign ${counts.foreign}`);
  if (counts.expired > 0) parts.push(`expired ${counts.expired}`);
  if (result.disconnects > 0) parts.push(`disconnects ${result.disconnects}`);
  if (result.end !== "complete") parts.push(result.end);
  return parts.length === 0 ? "-" : parts.join(", ");
}

function _failedRow(result: RunResult & { failed: string }, width: number) {
  const cells = [result.dialect, String(result.users), result.failed];
  while (cells.length < width) cells.push("-");
  return cells;
}

// The columns of a fan-out table (burst, rooms), each with its cell.
const _FAN_OUT_COLUMNS: Readonly<
  Record<string, (r: FanOutResult) => string>
> = {
  "dialect": (r) => r.dialect,
  "users": (r) => String(r.users),
  "rooms": (r) => String(r.rooms),
  "msgs/user": (r) => String(r.messages),
  "window": (r) => String(r.window),
  "deliveries": (r) => count(r.counts.delivered),
  "deliveries/s": (r) => count(r.deliveriesPerS),
  "p50 ms": (r) => fixed(r.latencyMs.p50, 1),
  "p90 ms": (r) => fixed(r.latencyMs.p90, 1),
  "p99 ms": (r) => fixed(r.latencyMs.p99, 1),
  "max ms": (r) => fixed(r.latencyMs.max, 1),
  "lost": (r) => String(r.counts.lost),
  "server CPU %": (r) => fixed(r.serverCpuPct, 0),
  "bench CPU %": (r) => fixed(r.benchCpuPct, 0),
  "server µs/delivery": (r) => fixed(r.serverUsPerDelivery, 3),
  "server peak RSS MB": (r) => mb(r.serverPeakRssKb),
  "anomalies": (r) => _anomalies(r),
};

function _fanOutTable(
  results: readonly RunResult[],
  header: readonly string[],
): string[] {
  const rows = results.map((result) => {
    if (isFailed(result)) return _failedRow(result, header.length);
    const r = result as FanOutResult;
    return header.map((column) => _FAN_OUT_COLUMNS[column]!(r));
  });
  return table(header, rows);
}

function _burstTable(results: readonly RunResult[]): string[] {
  return _fanOutTable(results, [
    "dialect",
    "users",
    "msgs/user",
    "window",
    "deliveries",
    "deliveries/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "lost",
    "server CPU %",
    "bench CPU %",
    "server µs/delivery",
    "server peak RSS MB",
    "anomalies",
  ]);
}

function _roomsTable(results: readonly RunResult[]): string[] {
  return _fanOutTable(results, [
    "dialect",
    "users",
    "rooms",
    "msgs/user",
    "window",
    "deliveries",
    "deliveries/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "lost",
    "server CPU %",
    "bench CPU %",
    "server µs/delivery",
    "server peak RSS MB",
    "anomalies",
  ]);
}

function _pacedTable(results: readonly RunResult[]): string[] {
  const header = [
    "dialect",
    "users",
    "senders × msg/s",
    "deliveries",
    "deliveries/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "lost",
    "server CPU %",
    "bench CPU %",
    "server µs/delivery",
    "server peak RSS MB",
    "anomalies",
  ];
  const rows = results.map((result) => {
    if (isFailed(result)) return _failedRow(result, header.length);
    const r = result as FanOutResult;
    return [
      r.dialect,
      String(r.users),
      `${r.senders} × ${r.rate}`,
      count(r.counts.delivered),
      count(r.deliveriesPerS),
      fixed(r.latencyMs.p50, 2),
      fixed(r.latencyMs.p90, 2),
      fixed(r.latencyMs.p99, 2),
      fixed(r.latencyMs.max, 2),
      String(r.counts.lost),
      fixed(r.serverCpuPct, 0),
      fixed(r.benchCpuPct, 0),
      fixed(r.serverUsPerDelivery, 3),
      mb(r.serverPeakRssKb),
      _anomalies(r),
    ];
  });
  return table(header, rows);
}

function _idleTable(results: readonly RunResult[]): string[] {
  const header = [
    "dialect",
    "connections",
    "KB/conn",
    "RSS before MB",
    "RSS after MB",
    "connect+settle s",
    "server CPU s",
    "bench CPU s",
    "dropped",
  ];
  const rows = results.map((result) => {
    if (isFailed(result)) return _failedRow(result, header.length);
    const r = result as IdleResult;
    return [
      r.dialect,
      String(r.users),
      fixed(r.kbPerConn, 1),
      mb(r.rssBeforeKb),
      mb(r.rssAfterKb),
      fixed(r.settleS, 1),
      fixed(r.serverCpuS, 1),
      fixed(r.benchCpuS, 1),
      String(r.disconnects),
    ];
  });
  return table(header, rows);
}

/**
 * Formats the report as markdown.
 *
 * @param report What the bench found.
 * @returns The text, ending in a line break.
 */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const limit = report.fileLimit === null
    ? NA
    : `${report.fileLimit.soft} (hard ${report.fileLimit.hard})`;
  lines.push(
    `# chat bench, ${report.date}${report.quick ? " (quick)" : ""}`,
    "",
    `${report.runtime}; ${report.cpus} CPUs; ${
      report.pinned ? "server pinned to CPU 0, bench to CPU 1" : "not pinned"
    }; open-file limit ${limit}; ${report.totalS.toFixed(0)} s in all.`,
    `Server: \`${report.server}\`, a fresh one per run. ` +
      "Load generator: this one Deno process, one " +
      "thread, every connection (markers, window and sync barrier as in " +
      "chatload). Server CPU per delivery = server CPU seconds ÷ " +
      "deliveries. The generator's own ceiling: run with " +
      "`--server-cmd '../shared/bench/limit_server -p {port}'`.",
  );
  for (const note of report.notes) lines.push(`- ${note}`);
  const sections: [string, string, (r: readonly RunResult[]) => string[]][] = [
    [
      "burst",
      "Burst: every user sends its messages as fast as the window allows",
      _burstTable,
    ],
    [
      "paced",
      "Paced: the first senders send at a fixed rate, everybody receives",
      _pacedTable,
    ],
    [
      "idle",
      "Idle: connections after hello; server RSS growth per connection",
      _idleTable,
    ],
    [
      "rooms",
      "Rooms: every user sends as the window allows, each message to its own room only",
      _roomsTable,
    ],
  ];
  for (const [workload, title, makeTable] of sections) {
    const rows = report.results.filter((r) => r.workload === workload);
    if (rows.length === 0) continue;
    lines.push("", `## ${title}`, "", ...makeTable(rows));
  }
  const comparison = formatComparison(report.results);
  if (comparison.length > 0) lines.push("", ...comparison);
  const problems = report.results.flatMap((r) =>
    r.problems.map((line) => `- ${r.workload} ${r.dialect} ${r.users}: ${line}`)
  );
  if (problems.length > 0) {
    lines.push("", "## Server log lines worth a look", "", ...problems);
  }
  return lines.join("\n") + "\n";
}
