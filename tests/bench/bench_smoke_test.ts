// Checks the bench (tests/bench/): its counting, on made-up input, and a
// whole run in the small `--quick` configuration against the real server:
// every dialect delivers everything, and the numbers are sane. Timings are
// never asserted; the bench measures them, tests do not.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { parseBenchArgs } from "./bench.ts";
import { formatMarker, scanBytes, scanText } from "./marker.ts";
import { formatReport } from "./report.ts";
import { type FanOutResult, isFailed } from "./results.ts";
import { runBench } from "./run.ts";
import { HAVE_REDIS } from "../_redis.ts";
import { Tally } from "./tally.ts";

function found(scan: (visitor: Parameters<typeof scanText>[1]) => void) {
  const markers: number[][] = [];
  let probes = 0;
  scan({
    marker: (sender, seq, sentUs) => markers.push([sender, seq, sentUs]),
    probe: () => probes++,
  });
  return { markers, probes };
}

Deno.test("bench markers are found behind any server prefix, as bytes or text", () => {
  const text = [
    `[12:04] u3: ${formatMarker(3, 7, 123456)}`,
    `{"type":"message","from":"u12","text":"${
      formatMarker(12, 0, 9)
    }","time":1795240158216}`,
    "~P4~ ~L1.2~ ~L1.2.3 ~~L5.6.7~",
  ].join("\n") + "\n";
  const expected = [[3, 7, 123456], [12, 0, 9], [5, 6, 7]];
  const bytes = new TextEncoder().encode(text);
  const fromBytes = found((v) => scanBytes(bytes, 0, bytes.length, v));
  assertEquals(fromBytes.markers, expected);
  assertEquals(fromBytes.probes, 1);
  assertEquals(found((v) => scanText(text, v)).markers, expected);
});

Deno.test("bench tally counts each delivery once, and echoes, duplicates and strangers apart", () => {
  const tally = new Tally({ clients: 3, senders: 2, messages: 2, wakeAt: 2 });
  assertEquals(tally.expected, 8);
  const seq = tally.send(0, 1000);
  assertEquals(tally.outstanding(0), 2);
  tally.marker(1, 0, seq, 1000, 1500); // delivered
  tally.marker(1, 0, seq, 1000, 1600); // second copy
  tally.marker(0, 0, seq, 1000, 1500); // the sender's own
  tally.marker(2, 0, seq, 999, 1500); // changed time
  tally.marker(2, 1, 0, 1000, 1500); // never sent
  tally.marker(2, 0, seq, 1000, 3000); // delivered
  assertEquals(tally.counts(), {
    expected: 8,
    delivered: 2,
    lost: 6,
    dup: 1,
    self: 1,
    foreign: 2,
    expired: 0,
  });
  assertEquals(tally.outstanding(0), 0);
  assertEquals(tally.takeWoken(), [0]);
  assertEquals(tally.latency.max, 2000);
  tally.send(1, 5000);
  tally.expire(5000 + 10_001, 10_000);
  assertEquals(tally.counts().expired, 1);
  assertEquals(tally.outstanding(1), 0);
});

Deno.test("bench tally counts a message due to its room only, and a delivery to another room as foreign", () => {
  // Clients 0 and 2 in room 0, 1 and 3 in room 1.
  const tally = new Tally({
    clients: 4,
    senders: 4,
    messages: 1,
    roomOf: (client) => client % 2,
  });
  assertEquals(tally.expected, 4);
  const seq = tally.send(0, 100);
  assertEquals(tally.outstanding(0), 1);
  tally.marker(1, 0, seq, 100, 200); // room 1 got room 0's line
  tally.marker(2, 0, seq, 100, 300);
  assertEquals(tally.counts().foreign, 1);
  assertEquals(tally.counts().delivered, 1);
  assertEquals(tally.outstanding(0), 0);
});

Deno.test("bench command line takes lists and refuses unknown dialects", () => {
  const command = parseBenchArgs([
    "--quick",
    "--dialects",
    "plain,websocket",
    "--users",
    "10,100",
  ]);
  assertEquals(command.options.dialects, ["plain", "websocket"]);
  assertEquals(command.options.users, [10, 100]);
  assertEquals(command.options.quick, true);
  let error: Error | null = null;
  try {
    parseBenchArgs(["--dialects", "irc"]);
  } catch (caught) {
    error = caught as Error;
  }
  assertEquals(error?.name, "UsageError");
});

Deno.test("deno task bench --quick delivers everything in every dialect and workload", async () => {
  const progress: string[] = [];
  const report = await runBench({
    quick: true,
    log: (line) => progress.push(line),
  });
  // Four dialects (tls: native over TLS), each in four workloads.
  assertEquals(report.results.length, 16, progress.join("\n"));
  for (const result of report.results) {
    const label = `${result.workload} ${result.dialect} ${result.users}`;
    assert(!isFailed(result), `${label}: ${isFailed(result) && result.failed}`);
    assertEquals(result.users, 5, label);
    if (result.workload === "idle") {
      assertEquals(result.disconnects, 0, label);
      assert(result.settleS > 0, label);
      continue;
    }
    const run = result as FanOutResult;
    const { counts } = run;
    // Five users in one room: 4 deliveries a message; in two rooms (of 3
    // and 2), 2 for the senders of the first and 1 for the second's.
    assertEquals(
      counts.expected,
      run.workload === "rooms"
        ? run.messages * (3 * 2 + 2 * 1)
        : run.senders * run.messages * 4,
      label,
    );
    assertEquals(counts.lost, 0, label);
    assertEquals(counts.delivered, counts.expected, label);
    assertEquals(
      [counts.dup, counts.self, counts.foreign, counts.expired],
      [0, 0, 0, 0],
      label,
    );
    assertEquals(run.end, "complete", label);
    assertEquals(run.disconnects, 0, label);
    if (run.workload !== "paced") assertEquals(run.messages, 20, label);
    assert(run.deliveriesPerS > 0, label);
    const { p50, p90, p99, max } = run.latencyMs;
    assert(0 <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, label);
  }
  const text = formatReport(report);
  for (
    const heading of [
      "## Burst",
      "## Paced",
      "## Idle",
      "## Rooms",
      "## Dialects",
    ]
  ) {
    assertStringIncludes(text, heading);
  }
  assertStringIncludes(text, "| websocket | 5 |");
  assertStringIncludes(text, "| tls | 5 |");
});

Deno.test({
  name:
    "deno task bench --quick --cluster delivers everything on two nodes with the users split between them",
  ignore: !HAVE_REDIS,
  async fn() {
    const progress: string[] = [];
    const report = await runBench({
      quick: true,
      cluster: true,
      workloads: ["burst", "paced"],
      dialects: ["plain", "native"],
      log: (line) => progress.push(line),
    });
    assertEquals(report.results.length, 4, progress.join("\n"));
    for (const result of report.results) {
      const label = `${result.workload} ${result.dialect} ${result.users}`;
      assert(
        !isFailed(result),
        `${label}: ${isFailed(result) && result.failed}`,
      );
      assertEquals((result as FanOutResult).counts.lost, 0, label);
    }
  },
});
