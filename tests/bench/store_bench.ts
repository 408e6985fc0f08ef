/**
 * `deno task bench:store`: the SQLite history's sustained-write benchmark.
 * It appends chat-like lines (3–15 words, 50 rooms) to a {@linkcode
 * SqliteStore} in a temporary data folder and commits them in ticks of 1
 * to 5000 lines, with `synchronous` NORMAL and FULL, and prints stored
 * lines per second and the time each commit held the thread (what the
 * delivery of a tick's lines waits for), then how fast the full-text index
 * catches up afterwards (steps of 2000 lines, as the server's ticker takes
 * them). Then it times the reads of the largest
 * history: a join's replay, searches, a retention step, an export.
 * Progress goes to standard error, markdown tables to standard output.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import { SqliteStore } from "../../src/store/sqlite_store.ts";
import { LatencyHistogram } from "./histogram.ts";
import { count, fixed, table } from "./markdown.ts";

const USAGE = `Usage: deno task bench:store [options]

Options:
  --lines N      lines per run with ticks of 100 lines or more (default 500000)
  --quick        2000 lines per run, for a smoke test
  --dir DIR      where to make the temporary data folders (default: the system's)
  -h, --help     show this help`;

/** Options of {@linkcode runStoreBench}. */
export interface StoreBenchOptions {
  /**
   * Lines per run for ticks of 100 lines or more (smaller ticks write at
   * most 20,000 commits).
   * @default {500000}
   */
  lines?: number;
  /**
   * Where the temporary data folders are made.
   * @default {undefined} the system's temporary folder
   */
  dir?: string;
  /**
   * Told of progress.
   * @default {() => {}}
   */
  progress?: (text: string) => void;
}

/** One write run: one `synchronous` setting, one tick size. */
export interface WriteRun {
  /** `"normal"` or `"full"`. */
  synchronous: "normal" | "full";
  /** Lines per commit. */
  tick: number;
  /** Lines stored. */
  lines: number;
  /** Stored lines per second, appends and commits together. */
  perSecond: number;
  /** Lines indexed per second afterwards, by steps of 2000. */
  indexedPerSecond: number;
  /** Lines per second with all the work: appends, commits, indexing. */
  allWorkPerSecond: number;
  /** Milliseconds one commit took: median, 99th percentile, most. */
  commitMs: { p50: number; p99: number; max: number };
}

/** One read measurement on the largest history. */
export interface ReadRun {
  /** What was read. */
  what: string;
  /** Calls made. */
  calls: number;
  /** Rows the last call returned. */
  rows: number;
  /** Milliseconds per call: median, 99th percentile. */
  ms: { p50: number; p99: number };
}

/** Everything {@linkcode runStoreBench} measured. */
export interface StoreBenchResult {
  /** The write runs. */
  writes: WriteRun[];
  /** The reads of the largest NORMAL history. */
  reads: ReadRun[];
  /** Its database size in bytes, with its write-ahead log. */
  databaseBytes: number;
}

const ROOMS = Array.from({ length: 50 }, (_, i) => `#room${i}`);
const TICKS = [1, 10, 100, 1000, 5000];
const MAX_SMALL_COMMITS = 20_000;

// A vocabulary with a long tail, like chat: word i is drawn about 1/(i+1)
// as often as the first.
function _words(): string[] {
  const syllables = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "zo",
    "be",
    "chi",
    "da",
  ];
  const words: string[] = [];
  for (let i = 0; words.length < 2000; i++) {
    let word = "";
    for (let n = i; word.length < 2 || n > 0; n = Math.floor(n / 10)) {
      word += syllables[n % 10];
    }
    words.push(word);
  }
  return words;
}

function _random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function _texts(lines: number): string[] {
  const words = _words();
  const random = _random(12345);
  const texts: string[] = [];
  for (let i = 0; i < Math.min(lines, 100_000); i++) {
    const length = 3 + Math.floor(random() * 13);
    const picked: string[] = [];
    for (let w = 0; w < length; w++) {
      const rank = Math.floor(words.length ** random()) - 1;
      picked.push(words[rank]!);
    }
    texts.push(picked.join(" "));
  }
  return texts;
}

function _ms(histogram: LatencyHistogram, p: number): number {
  return histogram.percentile(p) / 1000;
}

function _writeRun(
  dir: string,
  synchronous: "normal" | "full",
  tick: number,
  lines: number,
  texts: string[],
): { run: WriteRun; store: SqliteStore } {
  const store = SqliteStore.open(dir, { synchronous });
  const commits = new LatencyHistogram();
  const total = tick >= 100 ? lines : Math.min(lines, tick * MAX_SMALL_COMMITS);
  const started = performance.now();
  for (let n = 0; n < total;) {
    const time = Date.now();
    for (let i = 0; i < tick && n < total; i++, n++) {
      store.append(ROOMS[n % ROOMS.length]!, {
        from: `user${n % 997}`,
        text: texts[n % texts.length]!,
        time,
      });
    }
    const before = performance.now();
    if (!store.commit()) throw new Error("Cannot bench: a commit failed");
    commits.record(Math.round((performance.now() - before) * 1000));
  }
  const seconds = (performance.now() - started) / 1000;
  const indexing = performance.now();
  while (store.index() > 0);
  const indexSeconds = (performance.now() - indexing) / 1000;
  return {
    store,
    run: {
      synchronous,
      tick,
      lines: total,
      perSecond: total / seconds,
      indexedPerSecond: total / indexSeconds,
      allWorkPerSecond: total / (seconds + indexSeconds),
      commitMs: {
        p50: _ms(commits, 50),
        p99: _ms(commits, 99),
        max: commits.max / 1000,
      },
    },
  };
}

function _time(
  what: string,
  calls: number,
  call: (i: number) => number,
): ReadRun {
  const histogram = new LatencyHistogram();
  let rows = 0;
  for (let i = 0; i < calls; i++) {
    const before = performance.now();
    rows = call(i);
    histogram.record(Math.round((performance.now() - before) * 1000));
  }
  return {
    what,
    calls,
    rows,
    ms: { p50: _ms(histogram, 50), p99: _ms(histogram, 99) },
  };
}

function _reads(store: SqliteStore): ReadRun[] {
  const words = _words();
  const room = (i: number) => ROOMS[i % ROOMS.length]!;
  const reads = [
    _time(
      "recent(room, 50): a join's replay",
      200,
      (i) => store.recent(room(i), 50).length,
    ),
    _time("recent(room, 50, before): a page back", 200, (i) => {
      const newest = store.recent(room(i), 1)[0]?.id ?? 0;
      return store.recent(room(i), 50, newest - 5000).length;
    }),
    _time(
      `search: a common word ("${words[0]}")`,
      50,
      (i) => store.search(room(i), words[0]!).length,
    ),
    _time(
      `search: a rare word ("${words[1500]}")`,
      50,
      (i) => store.search(room(i), words[1500]!).length,
    ),
    _time(
      "search: two words",
      50,
      (i) => store.search(room(i), `${words[3]} ${words[40]}`).length,
    ),
    _time(
      "search: no match",
      50,
      (i) => store.search(room(i), "nosuchword").length,
    ),
    _time(
      "retain: one step (200 lines by default)",
      20,
      () => store.retain({ maxLinesPerRoom: 1000 }).removed,
    ),
  ];
  let exported = 0;
  const before = performance.now();
  for (const _ of store.exportLines()) exported++;
  const ms = performance.now() - before;
  reads.push({
    what: `exportLines(): every line (${count(exported)})`,
    calls: 1,
    rows: exported,
    ms: { p50: ms, p99: ms },
  });
  return reads;
}

/**
 * Runs every write run, then the reads, each in a fresh data folder that
 * is removed afterwards.
 *
 * @param options Sizes, folder, progress.
 * @returns The measurements.
 */
export async function runStoreBench(
  options: StoreBenchOptions = {},
): Promise<StoreBenchResult> {
  const lines = options.lines ?? 500_000;
  const progress = options.progress ?? (() => {});
  const texts = _texts(lines);
  const writes: WriteRun[] = [];
  let reads: ReadRun[] = [];
  let databaseBytes = 0;
  for (const synchronous of ["normal", "full"] as const) {
    for (const tick of TICKS) {
      const dir = await Deno.makeTempDir({
        prefix: "chat_store_bench_",
        ...(options.dir === undefined ? {} : { dir: options.dir }),
      });
      try {
        const { run, store } = _writeRun(dir, synchronous, tick, lines, texts);
        writes.push(run);
        progress(
          `${synchronous}, ${tick} per commit: ${
            count(Math.round(run.perSecond))
          } lines/s`,
        );
        if (synchronous === "normal" && tick === 1000) {
          for (const suffix of ["", "-wal"]) {
            databaseBytes += (await Deno.stat(`${store.path}${suffix}`)).size;
          }
          reads = _reads(store);
          progress("reads done");
        }
        store.close();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
  return { writes, reads, databaseBytes };
}

/**
 * The results as markdown tables.
 *
 * @param result What {@linkcode runStoreBench} measured.
 * @returns Markdown.
 */
export function formatStoreBench(result: StoreBenchResult): string {
  const writes = table(
    [
      "synchronous",
      "lines per commit",
      "lines",
      "stored lines/s",
      "indexed lines/s",
      "all work lines/s",
      "commit p50 ms",
      "commit p99 ms",
      "commit max ms",
    ],
    result.writes.map((run) => [
      run.synchronous.toUpperCase(),
      String(run.tick),
      count(run.lines),
      count(Math.round(run.perSecond)),
      count(Math.round(run.indexedPerSecond)),
      count(Math.round(run.allWorkPerSecond)),
      fixed(run.commitMs.p50, 3),
      fixed(run.commitMs.p99, 3),
      fixed(run.commitMs.max, 2),
    ]),
  );
  const reads = table(
    ["read", "calls", "rows", "p50 ms", "p99 ms"],
    result.reads.map((run) => [
      run.what,
      String(run.calls),
      String(run.rows),
      fixed(run.ms.p50, 3),
      fixed(run.ms.p99, 3),
    ]),
  );
  return [
    "#### Sustained writes",
    "",
    ...writes,
    "",
    `#### Reads of the NORMAL, 1000-per-commit history (${
      fixed(result.databaseBytes / 1024 / 1024, 1)
    } MiB with its log)`,
    "",
    ...reads,
    "",
  ].join("\n");
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["lines", "dir"],
    boolean: ["quick", "help"],
    alias: { h: "help" },
  });
  if (args.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const dir = args.dir as string | undefined;
  const lines = args.quick ? 2000 : Number(args.lines ?? 500_000);
  if (!Number.isInteger(lines) || lines < 1) {
    console.error(
      `Cannot use --lines ${args.lines}: expected a whole number\n\n${USAGE}`,
    );
    Deno.exit(2);
  }
  const result = await runStoreBench({
    lines,
    ...(dir === undefined ? {} : { dir }),
    progress: (text) => console.error(text),
  });
  console.log(formatStoreBench(result));
}
