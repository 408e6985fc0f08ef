/**
 * `deno task bench`: the project's own benchmark. It starts `chat serve` as
 * a subprocess for every run, drives it from this process with many
 * connections in each dialect (plain and native over TCP, WebSocket), and
 * prints deliveries per second, latency percentiles, server CPU and memory
 * per idle connection as markdown tables (or JSON with `--json`). Progress
 * goes to standard error.
 *
 * The method is chatload's (`../shared/bench/README.md`): markers in every
 * payload, a window of deliveries in flight, a sync barrier before the
 * clock starts, one fresh server per run.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import { type Dialect, DIALECTS } from "./load_client.ts";
import { formatReport } from "./report.ts";
import { isFailed, type Workload, WORKLOADS } from "./results.ts";
import { type BenchOptions, runBench } from "./run.ts";

const USAGE = `Usage: deno task bench [options]

Options:
  --quick                 small sizes (5 users, 20 messages each), for a smoke test
  --workloads LIST        burst,paced,idle,rooms (default: all)
  --dialects LIST         plain,native,websocket,tls (tls: native over TLS;
                          default: all)
  --users LIST            room sizes of burst and paced (default 10,100,1000)
  --idle-users LIST       connections of idle (default 1000,2000)
  --room-users LIST       users of rooms, in 50 rooms (default 1000)
  --paced-deliveries N    most deliveries per second a paced run offers
                          (default 50000); lower, a server that is not
                          busy shows its own latency
  --memory                keep the server's history in memory (chat serve
                          --memory); by default it is stored in SQLite, in
                          a new temporary data folder for every run
  --cluster               burst, paced and rooms on two nodes of a cluster
                          (chat serve --redis, a redis-server per run), the
                          users split evenly between them (TCP dialects)
  --json                  print the results as JSON instead of tables
  --no-pin                do not pin the server to CPU 0 and the bench to CPU 1
  --server-cmd "CMD"      measure another plain-dialect server; {port} is
                          replaced, e.g. "../shared/bench/limit_server -p {port}"
  -h, --help              show this help

Exit status: 0 when every run delivered everything, 1 when a run failed or
lost deliveries, 2 for a usage error.`;

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {
  /**
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function _list<T extends string>(
  value: string,
  flag: string,
  allowed: readonly T[],
): T[] {
  const items = value.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(
        `Cannot use --${flag} "${item}": expected some of ${allowed.join(",")}`,
      );
    }
  }
  return items as T[];
}

function _sizes(value: string, flag: string): number[] {
  return value.split(",").map((item) => {
    const text = item.trim();
    if (!/^[0-9]+$/.test(text) || Number(text) < 1) {
      throw new UsageError(
        `Cannot use --${flag} "${text}": expected whole numbers above 0`,
      );
    }
    return Number(text);
  });
}

/** What the command line asks for. */
export interface BenchCommand {
  /** Show the usage. */
  help: boolean;
  /** Print JSON. */
  json: boolean;
  /** What to run. */
  options: BenchOptions;
}

/**
 * Parses the bench's command line.
 *
 * @param args Arguments after the script.
 * @returns What to do.
 * @throws {UsageError} For an unknown option or a bad list.
 */
export function parseBenchArgs(args: readonly string[]): BenchCommand {
  const flags = parseArgs([...args], {
    string: [
      "workloads",
      "dialects",
      "users",
      "idle-users",
      "room-users",
      "server-cmd",
      "paced-deliveries",
    ],
    boolean: ["quick", "json", "pin", "help", "memory", "cluster"],
    negatable: ["pin"],
    default: { pin: true },
    alias: { h: "help" },
    unknown: (arg: string) => {
      throw new UsageError(`Cannot use ${arg}: unknown option or argument`);
    },
  });
  const text = (value: unknown) =>
    value === undefined || value === null ? undefined : String(value);
  const options: BenchOptions = {
    quick: flags.quick === true,
    pin: flags.pin === true,
    memory: flags.memory === true,
    ...(flags.cluster === true ? { cluster: true } : {}),
  };
  const workloads = text(flags.workloads);
  if (workloads !== undefined) {
    options.workloads = _list<Workload>(workloads, "workloads", WORKLOADS);
  }
  const dialects = text(flags.dialects);
  if (dialects !== undefined) {
    options.dialects = _list<Dialect>(dialects, "dialects", DIALECTS);
  }
  const users = text(flags.users);
  if (users !== undefined) options.users = _sizes(users, "users");
  const idleUsers = text(flags["idle-users"]);
  if (idleUsers !== undefined) {
    options.idleUsers = _sizes(idleUsers, "idle-users");
  }
  const roomUsers = text(flags["room-users"]);
  if (roomUsers !== undefined) {
    options.roomUsers = _sizes(roomUsers, "room-users");
  }
  const paced = text(flags["paced-deliveries"]);
  if (paced !== undefined) {
    const [most] = _sizes(paced, "paced-deliveries");
    options.pacedDeliveries = most!;
  }
  const serverCmd = text(flags["server-cmd"]);
  if (serverCmd !== undefined) {
    const command = serverCmd.split(/\s+/).filter((s) => s !== "");
    if (!command.some((s) => s.includes("{port}"))) {
      throw new UsageError(
        `Cannot use --server-cmd "${serverCmd}": it needs {port}`,
      );
    }
    options.serverCommand = command;
  }
  return { help: flags.help === true, json: flags.json === true, options };
}

/**
 * Runs the bench from the command line.
 *
 * @param args Arguments after the script.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  let command: BenchCommand;
  try {
    command = parseBenchArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await runBench(command.options);
  console.log(
    command.json
      ? JSON.stringify(report, null, 2)
      : formatReport(report).trimEnd(),
  );
  const bad = report.results.filter((r) =>
    isFailed(r)
      ? !r.failed.startsWith("skipped")
      : "counts" in r && r.counts.lost > 0
  );
  if (bad.length > 0) {
    console.error(`bench: ${bad.length} run(s) failed or lost deliveries`);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
