/**
 * The server under test, as a subprocess: `chat serve` on 127.0.0.1 with
 * flood limits off, started fresh for every workload, and stopped by the PID
 * the bench started. Its console output is read all the time (a full pipe
 * would block the server's log writes) and unusual lines are kept for the
 * report.
 *
 * @module
 */

import { TextLineStream } from "@std/streams/text-line-stream";
import { chatCommand } from "../_chat_command.ts";
import { cpuSeconds, peakRssKb, rssKb } from "./proc_stats.ts";
import { RunError } from "./run_error.ts";

/** Options of {@linkcode ServerProcess.start}. */
export interface ServerProcessOptions {
  /**
   * Run the server on CPU 0 with `taskset`, leaving the other CPUs to the
   * bench.
   * @default {false}
   */
  pin?: boolean;
  /**
   * Another server to measure instead of `chat serve` (plain dialect only),
   * as a command whose `{port}` is replaced by a free port; it is ready when
   * that port takes a connection.
   * @default {undefined}
   */
  command?: readonly string[];
  /**
   * Keep the history in memory (`--memory`); else in SQLite, in a new
   * temporary data folder removed when the server stops.
   * @default {false}
   */
  memory?: boolean;
  /**
   * Milliseconds to wait for the server to listen.
   * @default {30000}
   */
  startTimeoutMs?: number;
}

const LOG_TAIL = 20;
const MAX_PROBLEMS = 10;
// Leave reasons that a benchmark causes itself.
const ORDINARY_LEAVE = /^leave \S+ \(.*\): (quit|closed|shutdown)\b/;

/** A running server subprocess; `await using` stops it. */
export class ServerProcess implements AsyncDisposable {
  /**
   * Process id (the server itself: `deno run`, a compiled `chat` and
   * `taskset` exec).
   */
  readonly pid: number;
  #port: number;
  #webPort: number | null = null;
  #listening = false;
  #child: Deno.ChildProcess;
  #status: Promise<Deno.CommandStatus>;
  #exited: Deno.CommandStatus | null = null;
  #stopping = false;
  #readers: Promise<void>[];
  #tail: string[] = [];
  #problems = new Map<string, { first: string; count: number }>();
  #dataDir: string | null;

  private constructor(
    child: Deno.ChildProcess,
    port: number,
    dataDir: string | null,
  ) {
    this.#dataDir = dataDir;
    this.pid = child.pid;
    this.#port = port;
    this.#child = child;
    this.#status = child.status.then((status) => this.#exited = status);
    const onLine = (line: string) => this.#onLine(line);
    this.#readers = [
      _readLines(child.stdout, onLine),
      _readLines(child.stderr, onLine),
    ];
  }

  /**
   * Starts a server and waits until it listens.
   *
   * @param options Pinning, another command, deadline.
   * @returns The running server.
   * @throws {RunError} `Cannot start the server: <why>` when it exits or does
   * not listen in time; the message holds its last output lines.
   */
  static async start(
    options: ServerProcessOptions = {},
  ): Promise<ServerProcess> {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const command = options.command;
    const chat = command === undefined;
    const fixedPort = chat ? 0 : _freePort();
    const dataDir = chat && !options.memory
      ? await Deno.makeTempDir({ prefix: "chat_bench_" })
      : null;
    const argv = command === undefined
      ? _chatServe(dataDir)
      : command.map((arg) => arg.replaceAll("{port}", `${fixedPort}`));
    if (options.pin) argv.unshift("taskset", "-c", "0");
    const child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const server = new ServerProcess(child, fixedPort, dataDir);
    const deadline = Date.now() + timeoutMs;
    try {
      while (true) {
        if (server.#exited !== null) {
          throw new RunError(
            `Cannot start the server: it exited with code ${server.#exited.code}: ${
              server.#tail.join(" | ")
            }`,
          );
        }
        // The web line is printed right after the listening line.
        if (chat && server.#listening && server.#webPort !== null) break;
        if (!chat && await _accepts(fixedPort)) break;
        if (Date.now() > deadline) {
          throw new RunError(
            `Cannot start the server: not listening after ${timeoutMs} ms: ${
              server.#tail.join(" | ")
            }`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** TCP chat port. */
  get port(): number {
    return this.#port;
  }

  /** WebSocket port, or `null` when the server has none. */
  get webPort(): number | null {
    return this.#webPort;
  }

  #onLine(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > LOG_TAIL) this.#tail.shift();
    const listen = / listening on \S+:(\d+)$/.exec(line);
    if (listen !== null) {
      this.#port = Number(listen[1]);
      this.#listening = true;
    }
    const web = /^web client on \S+:(\d+)$/.exec(line);
    if (web !== null) this.#webPort = Number(web[1]);
    if (_isProblem(line)) this.#problem(line);
  }

  /** How the server ended, or `null` while it runs. */
  get exited(): Deno.CommandStatus | null {
    return this.#exited;
  }

  /** CPU seconds the server has used, or `null` when unknown. */
  cpuSeconds(): number | null {
    return cpuSeconds(this.pid);
  }

  /** The server's resident memory in KB, or `null` when unknown. */
  rssKb(): number | null {
    return rssKb(this.pid);
  }

  /** The server's peak resident memory in KB, or `null` when unknown. */
  peakRssKb(): number | null {
    return peakRssKb(this.pid);
  }

  // Counts a problem line under its kind: the line without its stamp,
  // numbers and names, so 2000 members dropped the same way make one entry.
  #problem(line: string): void {
    const kind = line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, "")
      .replace(/\b(leave|flood|join) \S+/, "$1 *")
      .replace(/\d+/g, "N");
    const known = this.#problems.get(kind);
    if (known !== undefined) known.count++;
    else if (this.#problems.size < MAX_PROBLEMS) {
      this.#problems.set(kind, { first: line, count: 1 });
    }
  }

  /**
   * Unusual log lines so far, one per kind with how often it came: members
   * dropped as slow, flooding, timed out or broken, errors, anything on
   * standard error, and a server that was slow to stop.
   *
   * @returns At most 10 lines, such as `... leave u3 (...): slow (×12)`.
   */
  problems(): string[] {
    return [...this.#problems.values()].map(({ first, count }) =>
      count === 1 ? first : `${first} (×${count})`
    );
  }

  /**
   * The server's last output lines.
   *
   * @returns At most 20 lines, oldest first.
   */
  tail(): string[] {
    return [...this.#tail];
  }

  /**
   * Describes a server that died: its exit status and last lines.
   *
   * @returns A sentence, or `null` while the server runs.
   */
  death(): string | null {
    const status = this.#exited;
    if (status === null || this.#stopping) return null;
    return `server exited during the run (code ${status.code}${
      status.signal === null ? "" : `, signal ${status.signal}`
    }): ${this.#tail.slice(-5).join(" | ")}`;
  }

  /**
   * Stops the server: SIGTERM, then SIGKILL if it has not exited after
   * `graceMs` (noted in {@linkcode ServerProcess.problems}). Idempotent.
   *
   * @param graceMs Milliseconds the server has for its own shutdown.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#exited === null && !this.#stopping) {
      this.#stopping = true;
      const started = Date.now();
      _kill(this.#child, "SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = setTimeout(() => resolve("late"), graceMs)
      );
      const outcome = await Promise.race([this.#status, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        _kill(this.#child, "SIGKILL");
        this.#problem(
          `bench: the server had not exited ${graceMs} ms after SIGTERM; killed`,
        );
      } else if (Date.now() - started > 1000) {
        this.#problem(
          `bench: the server took ${
            Date.now() - started
          } ms to exit after SIGTERM`,
        );
      }
    }
    this.#stopping = true;
    await this.#status;
    await Promise.all(this.#readers);
    if (this.#dataDir !== null) {
      await Deno.remove(this.#dataDir, { recursive: true });
      this.#dataDir = null;
    }
  }

  /** Stops the server. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function _kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch (error) {
    // It exited on its own between the check and the kill.
    if (!(error instanceof TypeError)) throw error;
  }
}

function _isProblem(line: string): boolean {
  if (/ (flood|error) /.test(line) || / refuse /.test(line)) return true;
  const leave = / (leave \S+ \(.*\): \S+)/.exec(line);
  if (leave !== null) return !ORDINARY_LEAVE.test(leave[1]!);
  // Standard error, or anything that looks like a stack trace.
  return /^(error|Error|Uncaught|\s+at )/.test(line);
}

async function _readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const lines = stream
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new TextLineStream());
  for await (const line of lines) onLine(line);
}

// `chat serve` as the bench runs it: `main.ts`, or the program `CHAT_BIN`
// names.
function _chatServe(dataDir: string | null): string[] {
  const { cmd, args } = chatCommand([
    "serve",
    ...(dataDir === null ? ["--memory"] : ["--data", dataDir]),
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--web-port",
    "0",
    "--no-rate-limit",
    "--max-per-ip",
    "0",
    "--max-users",
    "0",
    "--lang",
    "en",
  ]);
  return [cmd, ...args];
}

function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function _accepts(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return false;
    throw error;
  }
}
