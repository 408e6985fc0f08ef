/**
 * The dialects compared: native ÷ plain and websocket ÷ native, size by
 * size, for server CPU per delivery, throughput, p99 latency and memory per
 * idle connection, and the goals of issues 4 and 5 checked against them.
 *
 * @module
 */

import type { Dialect } from "./load_client.ts";
import { NA, table, times } from "./markdown.ts";
import {
  type FanOutResult,
  type IdleResult,
  isFailed,
  type RunResult,
  type Workload,
} from "./results.ts";

/** One dialect compared with another at one size. */
export interface DialectRatio {
  /** Workload compared. */
  workload: Workload;
  /** The dialect measured. */
  dialect: Dialect;
  /** The dialect it is compared with. */
  base: Dialect;
  /** Users (connections) in both runs. */
  users: number;
  /** Server CPU per delivery, dialect ÷ base (fan-out only). */
  cpuPerDelivery: number | null;
  /** Deliveries per second, dialect ÷ base (fan-out only). */
  throughput: number | null;
  /** p99 latency, dialect ÷ base (fan-out only). */
  p99: number | null;
  /** Memory per idle connection, dialect ÷ base (idle only). */
  kbPerConn: number | null;
}

function _ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b <= 0 ? null : a / b;
}

/**
 * Compares native with plain and websocket with native, size by size.
 *
 * @param results Every run.
 * @returns One ratio per workload, pair and size where both runs succeeded.
 */
export function dialectRatios(results: readonly RunResult[]): DialectRatio[] {
  const ratios: DialectRatio[] = [];
  const find = (workload: string, dialect: Dialect, users: number) =>
    results.find((r) =>
      r.workload === workload && r.dialect === dialect && r.users === users &&
      !isFailed(r)
    );
  const pairs: [Dialect, Dialect][] = [
    ["native", "plain"],
    ["websocket", "native"],
    ["tls", "native"],
  ];
  for (const [dialect, base] of pairs) {
    for (const result of results) {
      if (result.dialect !== dialect || isFailed(result)) continue;
      const other = find(result.workload, base, result.users);
      if (other === undefined) continue;
      if (result.workload === "idle") {
        const a = result as IdleResult, b = other as IdleResult;
        ratios.push({
          workload: "idle",
          dialect,
          base,
          users: result.users,
          cpuPerDelivery: null,
          throughput: null,
          p99: null,
          kbPerConn: _ratio(a.kbPerConn, b.kbPerConn),
        });
      } else {
        const a = result as FanOutResult, b = other as FanOutResult;
        ratios.push({
          workload: a.workload,
          dialect,
          base,
          users: result.users,
          cpuPerDelivery: _ratio(a.serverUsPerDelivery, b.serverUsPerDelivery),
          throughput: _ratio(a.deliveriesPerS, b.deliveriesPerS),
          p99: _ratio(a.latencyMs.p99, b.latencyMs.p99),
          kbPerConn: null,
        });
      }
    }
  }
  return ratios;
}

function _ratioTable(ratios: readonly DialectRatio[]): string[] {
  const header = [
    "compared",
    "workload",
    "users",
    "server CPU per delivery",
    "deliveries/s",
    "p99 latency",
    "KB/conn",
  ];
  return table(
    header,
    ratios.map((r) => [
      `${r.dialect} ÷ ${r.base}`,
      r.workload,
      String(r.users),
      times(r.cpuPerDelivery),
      times(r.throughput),
      times(r.p99),
      times(r.kbPerConn),
    ]),
  );
}

// "1.00× (10), 1.40× (100)": one ratio per size, or null when none.
function _bySize(
  ratios: readonly DialectRatio[],
  pick: (r: DialectRatio) => number | null,
): string | null {
  const parts = ratios.flatMap((r) => {
    const value = pick(r);
    return value === null ? [] : [`${times(value)} (${r.users})`];
  });
  return parts.length === 0 ? null : parts.join(", ");
}

function _pairLines(ratios: readonly DialectRatio[]): string[] {
  const lines: string[] = [];
  const pairs = [
    ["native", "plain"],
    ["websocket", "native"],
    ["tls", "native"],
  ] as const;
  for (const [dialect, base] of pairs) {
    const pair = ratios.filter((r) => r.dialect === dialect && r.base === base);
    const of = (workload: string) =>
      pair.filter((r) => r.workload === workload);
    const parts = [
      [
        "burst server CPU per delivery",
        of("burst"),
        (r: DialectRatio) => r.cpuPerDelivery,
      ],
      ["burst deliveries/s", of("burst"), (r: DialectRatio) => r.throughput],
      [
        "paced server CPU per delivery",
        of("paced"),
        (r: DialectRatio) => r.cpuPerDelivery,
      ],
      ["paced p99", of("paced"), (r: DialectRatio) => r.p99],
      ["idle KB/conn", of("idle"), (r: DialectRatio) => r.kbPerConn],
    ] as const;
    const said = parts.flatMap(([what, rows, pick]) => {
      const text = _bySize(rows, pick);
      return text === null ? [] : [`${what} ${text}`];
    });
    if (said.length > 0) {
      lines.push(`- ${dialect} ÷ ${base} (users): ${said.join("; ")}.`);
    }
  }
  return lines;
}

// Whether every ratio picked passes `ok`; the failures, worst first.
function _verdict(
  ratios: readonly DialectRatio[],
  pick: (r: DialectRatio) => number | null,
  ok: (value: number) => boolean,
): string | null {
  const values = ratios.flatMap((r) => {
    const value = pick(r);
    return value === null ? [] : [{ r, value }];
  });
  if (values.length === 0) return null;
  const bad = values.filter(({ value }) => !ok(value));
  if (bad.length === 0) return "met";
  return `not met: ${
    bad.map(({ r, value }) => `${times(value)} (${r.workload}, ${r.users})`)
      .join(", ")
  }`;
}

function _goalLines(ratios: readonly DialectRatio[]): string[] {
  const lines: string[] = [];
  const native = ratios.filter((r) => r.dialect === "native");
  const web = ratios.filter((r) => r.dialect === "websocket");
  const burst = (rows: readonly DialectRatio[]) =>
    rows.filter((r) => r.workload === "burst");
  const paced = (rows: readonly DialectRatio[]) =>
    rows.filter((r) => r.workload === "paced");
  const throughput = _verdict(
    burst(native),
    (r) => r.throughput,
    (v) => v >= 0.8,
  );
  const p99 = _verdict(paced(native), (r) => r.p99, (v) => v <= 1.25);
  if (throughput !== null || p99 !== null) {
    lines.push(
      `- Issue 4, native within 25 % of plain: burst deliveries/s ≥ 0.8×: ${
        throughput ?? NA
      }; paced p99 ≤ 1.25×: ${p99 ?? NA}.`,
    );
  }
  const cpu = _verdict(
    web.filter((r) => r.workload !== "idle"),
    (r) => r.cpuPerDelivery,
    (v) => v <= 2,
  );
  const memory = _verdict(web, (r) => r.kbPerConn, (v) => v <= 2);
  if (cpu !== null || memory !== null) {
    lines.push(
      `- Issue 5, a WebSocket member costs at most 2× a TCP (native) one: server CPU per delivery: ${
        cpu ?? NA
      }; memory per idle connection: ${memory ?? NA}.`,
    );
  }
  return lines;
}

/**
 * The comparison section of the report.
 *
 * @param results Every run.
 * @returns Markdown lines; none when no two dialects were measured alike.
 */
export function formatComparison(results: readonly RunResult[]): string[] {
  const ratios = dialectRatios(results);
  if (ratios.length === 0) return [];
  const lines = [
    "## Dialects compared",
    "",
    ..._ratioTable(ratios),
    "",
    ..._pairLines(ratios),
  ];
  const goals = _goalLines(ratios);
  if (goals.length > 0) {
    lines.push("", "## Goals from the issues", "", ...goals);
  }
  return lines;
}
