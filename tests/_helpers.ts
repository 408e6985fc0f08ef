/**
 * Helpers for end-to-end tests: a server on 127.0.0.1 port 0, line clients
 * over real sockets, and subprocesses of `chat` (`main.ts`, or the compiled
 * program `CHAT_BIN` names: see `_chat_command.ts`).
 *
 * @module
 */

import { TextLineStream } from "@std/streams/text-line-stream";
import type { ClientMessage, ServerMessage } from "../src/protocol/messages.ts";
import { encodeMessage } from "../src/protocol/native_codec.ts";
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from "../src/config.ts";
import { type ChatServer, startServer } from "../src/server/server.ts";
import { chatCommand } from "./_chat_command.ts";
import { TlsStream } from "../src/transport/tls_stream.ts";

/** How long a test waits for something it expects. */
export const DEADLINE_MS = 10_000;

/**
 * Starts a server in this process on 127.0.0.1 with a free chat port and,
 * unless `config` asks for one, no web client; the rest of the config is
 * `chat serve`'s defaults. Log lines go to `log`.
 */
export function startTestServer(
  config: Partial<ServerConfig> = {},
  log: (line: string) => void = () => {},
): Promise<ChatServer> {
  return startServer({
    ...DEFAULT_SERVER_CONFIG,
    host: "127.0.0.1",
    port: 0,
    webPort: null,
    ...config,
  }, { log });
}

/**
 * Runs `fn` with a server on 127.0.0.1 and a free port, and always shuts it
 * down. Server log lines are collected in `logs`.
 */
export async function withServer(
  fn: (server: ChatServer, logs: string[]) => Promise<void>,
  config: Partial<ServerConfig> = {},
): Promise<void> {
  const logs: string[] = [];
  const server = await startTestServer(config, (line) => logs.push(line));
  try {
    await fn(server, logs);
  } finally {
    await server.shutdown();
  }
}

/** Resolves after `ms` milliseconds; for deadlines, not synchronisation. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Awaits `promise`, or fails after `timeoutMs` with `what` in the message.
 * A guard against a hang, not a speed check: give it a generous deadline,
 * and log how long things took where that is of interest.
 */
export async function within<T>(
  promise: Promise<T>,
  what: string | (() => string),
  timeoutMs: number = DEADLINE_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof what === "string" ? what : what();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${text}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` until it returns something other than `undefined`/`false`,
 * or fails after the deadline with `what` in the message.
 */
export async function eventually<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs: number = DEADLINE_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await delay(10);
  }
}

/**
 * Waits until `lines` holds a line at or after `from` that matches, and
 * returns its index; fails after the deadline with what arrived.
 */
export function nextLine(
  lines: readonly string[],
  from: number,
  pattern: RegExp | string,
  timeoutMs: number = DEADLINE_MS,
): Promise<number> {
  const test = (line: string) =>
    typeof pattern === "string" ? line.includes(pattern) : pattern.test(line);
  return eventually(
    () => {
      for (let i = from; i < lines.length; i++) {
        if (test(lines[i]!)) return i;
      }
      return undefined;
    },
    `a line matching ${pattern}; got:\n${lines.join("\n")}`,
    timeoutMs,
  );
}

/** A test client: one TCP connection that collects every line it receives. */
export class LineClient {
  /** Every line received so far. */
  readonly lines: string[] = [];
  /** Resolves when the server closed the connection (or it broke). */
  readonly ended: Promise<void>;
  #conn: Pick<Deno.Conn, "readable" | "write" | "close">;
  #closed = false;
  #encoder = new TextEncoder();
  #seen = 0;
  #localPort: number;

  private constructor(
    conn: Pick<Deno.Conn, "readable" | "write" | "close">,
    localPort: number,
  ) {
    this.#conn = conn;
    this.#localPort = localPort;
    this.ended = this.#pump();
  }

  /** Connects to a port on 127.0.0.1. */
  static async connect(port: number): Promise<LineClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    return new LineClient(conn, conn.localAddr.port);
  }

  /**
   * Connects to a port on 127.0.0.1 with TLS (any certificate: the tests
   * of trust are chat join's).
   */
  static async connectTls(port: number): Promise<LineClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const stream = await TlsStream.connect(conn);
    return new LineClient(stream, conn.localAddr.port);
  }

  /** The local port, to find this client in server logs. */
  get localPort(): number {
    return this.#localPort;
  }

  async #pump(): Promise<void> {
    try {
      const lines = this.#conn.readable
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new TextLineStream());
      for await (const line of lines) this.lines.push(line);
    } catch {
      // reset by peer, or closed by us
    }
  }

  /** Sends raw text as it is. */
  async write(text: string): Promise<void> {
    const bytes = this.#encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  /** Sends one line. */
  send(line: string): Promise<void> {
    return this.write(line + "\n");
  }

  /** Sends one native-dialect message. */
  sendMessage(message: ClientMessage): Promise<void> {
    return this.write(encodeMessage(message));
  }

  /**
   * Waits for the next line (after the last one this method returned) that
   * matches, and returns it.
   */
  async expect(
    pattern: RegExp | string,
    timeoutMs: number = DEADLINE_MS,
  ): Promise<string> {
    const index = await nextLine(this.lines, this.#seen, pattern, timeoutMs);
    this.#seen = index + 1;
    return this.lines[index]!;
  }

  /** Waits for a native message of a type that satisfies `match`. */
  async expectMessage<T extends ServerMessage["type"]>(
    type: T,
    match: (message: Extract<ServerMessage, { type: T }>) => boolean = () =>
      true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const index = await eventually(() => {
      for (let i = this.#seen; i < this.lines.length; i++) {
        const parsed = JSON.parse(this.lines[i]!) as ServerMessage;
        if (
          parsed.type === type &&
          match(parsed as Extract<ServerMessage, { type: T }>)
        ) return i + 1;
      }
      return undefined;
    }, `a ${type} message; got:\n${this.lines.join("\n")}`);
    this.#seen = index;
    return JSON.parse(this.lines[index - 1]!);
  }

  /** Closes the connection (a clean FIN) and waits for the reader. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }
    await this.ended;
  }
}

/** Joins as a plain (netcat-style) user and waits for the welcome. */
export async function plainUser(
  port: number,
  name: string,
): Promise<LineClient> {
  const client = await LineClient.connect(port);
  await client.send(name);
  await client.expect(`Welcome, ${name}!`);
  return client;
}

/** Joins as a native user and waits for the welcome. */
export async function nativeUser(
  port: number,
  name: string,
  lang: "en" | "pt" = "en",
): Promise<LineClient> {
  const client = await LineClient.connect(port);
  await client.sendMessage({ type: "hello", version: 2, name, lang });
  await client.expectMessage("welcome");
  return client;
}

/** Output of a finished subprocess. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `chat` to completion with optional stdin. */
export async function runChat(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const { cmd, args: fullArgs } = chatCommand(args);
  const child = new Deno.Command(cmd, {
    args: fullArgs,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", LANG: "en_US.UTF-8", ...options.env },
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A long-running subprocess of `chat` whose output is collected live. */
export class ChatProcess {
  /** Lines of stdout so far. */
  readonly stdout: string[] = [];
  /** Lines of stderr so far. */
  readonly stderr: string[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>[];
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array> | null;

  /**
   * Starts `chat` with arguments; `prefix` runs it under another command
   * (such as `ip netns exec ns1`).
   */
  constructor(
    args: string[],
    options: {
      stdin?: boolean;
      env?: Record<string, string>;
      prefix?: string[];
      /** See `ChatCommandOptions.isolate`. */
      isolate?: boolean;
    } = {},
  ) {
    const chat = chatCommand(
      args,
      options.isolate === undefined ? {} : { isolate: options.isolate },
    );
    const [command, ...fullArgs] = [
      ...options.prefix ?? [],
      chat.cmd,
      ...chat.args,
    ];
    this.#child = new Deno.Command(command!, {
      args: fullArgs,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LANG: "en_US.UTF-8", ...options.env },
    }).spawn();
    this.#stdin = options.stdin ? this.#child.stdin.getWriter() : null;
    this.#pumps = [
      _collect(this.#child.stdout, this.stdout),
      _collect(this.#child.stderr, this.stderr),
    ];
  }

  /** Starts `chat serve` on 127.0.0.1 port 0 and waits until it listens. */
  static async server(
    extra: string[] = [],
    options: { prefix?: string[]; host?: string } = {},
  ): Promise<{ process: ChatProcess; port: number }> {
    const process = new ChatProcess(
      ["serve", "--host", options.host ?? "127.0.0.1", "--port", "0", ...extra],
      options.prefix ? { prefix: options.prefix } : {},
    );
    try {
      const line = await process.waitFor(/listening on \S+:(\d+)/);
      return { process, port: Number(/:(\d+)$/.exec(line)![1]) };
    } catch (error) {
      // A server that never listens must not outlive the test.
      await process.stop();
      throw error;
    }
  }

  /** Waits for a stdout line matching `pattern`. */
  waitFor(pattern: RegExp | string, stream: "stdout" | "stderr" = "stdout") {
    const lines = stream === "stdout" ? this.stdout : this.stderr;
    const test = (line: string) =>
      typeof pattern === "string" ? line.includes(pattern) : pattern.test(line);
    return eventually(
      () => lines.find(test),
      `${stream} line matching ${pattern}; stdout:\n${
        this.stdout.join("\n")
      }\nstderr:\n${this.stderr.join("\n")}`,
    );
  }

  /** Writes a line to the process's stdin. */
  async writeLine(line: string): Promise<void> {
    await this.#stdin!.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes stdin (end of input). */
  async closeStdin(): Promise<void> {
    await this.#stdin?.close();
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * Resident memory of the process, in KiB (`VmRSS` from `/proc`): Linux
   * only, so a test that needs it is ignored elsewhere
   * (`ignore: Deno.build.os !== "linux"`).
   */
  rssKiB(): number {
    const status = Deno.readTextFileSync(`/proc/${this.pid}/status`);
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]);
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
  }

  /**
   * Waits for the exit code and the end of its output; fails, with what the
   * process printed, if it has not exited after `timeoutMs` (a hang guard:
   * the process is left running for {@linkcode ChatProcess.stop}).
   */
  async status(timeoutMs: number = DEADLINE_MS): Promise<number> {
    const status = await within(
      this.#child.status,
      () =>
        `the process to exit; stdout:\n${this.stdout.join("\n")}\nstderr:\n${
          this.stderr.join("\n")
        }`,
      timeoutMs,
    );
    await Promise.all(this.#pumps);
    return status.code;
  }

  /** Kills the process if it still runs and releases everything. */
  async stop(): Promise<number> {
    this.kill("SIGKILL");
    if (this.#stdin) {
      try {
        await this.#stdin.close();
      } catch {
        // already closed
      }
    }
    return await this.status();
  }
}

async function _collect(
  stream: ReadableStream<Uint8Array>,
  into: string[],
): Promise<void> {
  const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TextLineStream(),
  );
  for await (const line of lines) into.push(line);
}
