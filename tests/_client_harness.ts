// Test helpers for the client's end-to-end tests: a real `chat serve`
// subprocess, another user as a raw native-dialect socket, and polling with
// a deadline. Not a test file itself (no `_test` in the name).

import { TextLineStream } from "@std/streams/text-line-stream";
import type { ClientMessage, ServerMessage } from "../src/protocol/messages.ts";
import { chatCommand } from "./_chat_command.ts";

/** How long any expected thing may take before a test fails. */
export const DEADLINE_MS = 15_000;

/** Environment for subprocesses: no colour, English. */
export const ENV = { NO_COLOR: "1", LC_ALL: "C.UTF-8" };

/** Polls `check` until it returns a value other than `undefined`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  describe: () => Promise<string> | string = () => "",
): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  while (true) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}\n${await describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `chat serve` on 127.0.0.1 and a free port. */
export class Server {
  readonly port: number;
  /** What the server printed, for failure messages. */
  output = "";
  #child: Deno.ChildProcess;
  #drained: Promise<void>;

  private constructor(
    child: Deno.ChildProcess,
    port: number,
    lines: ReadableStreamDefaultReader<string>,
    output: string,
  ) {
    this.#child = child;
    this.port = port;
    this.output = output;
    // Keep reading its log so that it never blocks on a full pipe.
    this.#drained = (async () => {
      while (true) {
        const { done, value } = await lines.read();
        if (done) return;
        this.output += value + "\n";
      }
    })();
  }

  /**
   * Starts `chat serve` on a free port, or on `port` (then without the
   * browser client, whose port would be the next one), with `flags` more.
   */
  static async start(port = 0, flags: string[] = []): Promise<Server> {
    const { cmd, args } = chatCommand([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...(port === 0 ? [] : ["--no-web"]),
      ...flags,
    ]);
    const child = new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
      env: ENV,
    }).spawn();
    const lines = child.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream())
      .getReader();
    let output = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`chat serve did not start:\n${output}`)),
          DEADLINE_MS,
        );
      });
      while (true) {
        const { done, value } = await Promise.race([lines.read(), timeout]);
        if (done) throw new Error(`chat serve exited:\n${output}`);
        output += value + "\n";
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(value);
        if (match) return new Server(child, Number(match[1]), lines, output);
      }
    } catch (error) {
      child.kill("SIGKILL");
      await lines.cancel();
      await child.status;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal (SIGKILL: the server vanishes without a goodbye). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Stops the server: SIGTERM (a clean shutdown) unless told otherwise. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    this.kill(signal);
    await this.#drained;
    await this.#child.status;
  }
}

/**
 * A TCP relay on 127.0.0.1 in front of a server, to cut connections as a
 * network that drops would, while the server runs on.
 */
export class Relay {
  readonly port: number;
  #target: number;
  #listener: Deno.TcpListener | undefined;
  #conns = new Set<Deno.TcpConn>();
  #tasks = new Set<Promise<void>>();

  private constructor(target: number) {
    this.#target = target;
    this.port = this.#listen(0);
  }

  /** Relays a free port to `target`. */
  static start(target: number): Relay {
    return new Relay(target);
  }

  /** Closes every relayed connection and stops taking new ones. */
  async cut(): Promise<void> {
    this.#listener?.close();
    this.#listener = undefined;
    for (const conn of this.#conns) _closeQuietly(conn);
    this.#conns.clear();
    await Promise.all(this.#tasks);
  }

  /** Takes connections again, on the same port. */
  resume(): void {
    this.#listen(this.port);
  }

  #listen(port: number): number {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.#listener = listener;
    this.#track((async () => {
      try {
        for await (const client of listener) {
          this.#conns.add(client);
          const server = await Deno.connect({
            hostname: "127.0.0.1",
            port: this.#target,
          });
          this.#conns.add(server);
          this.#track(this.#pump(client, server));
          this.#track(this.#pump(server, client));
        }
      } catch {
        // closed by cut()
      }
    })());
    return listener.addr.port;
  }

  async #pump(from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        let written = 0;
        while (written < n) {
          written += await to.write(buffer.subarray(written, n));
        }
      }
    } catch {
      // one side closed
    }
    for (const conn of [from, to]) {
      if (this.#conns.delete(conn)) _closeQuietly(conn);
    }
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }
}

function _closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Another user: a raw TCP socket speaking the native dialect. */
export class Peer {
  readonly received: ServerMessage[] = [];
  #conn: Deno.TcpConn;
  #reading: Promise<void>;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    const lines = conn.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream());
    this.#reading = (async () => {
      try {
        for await (const line of lines) this.received.push(JSON.parse(line));
      } catch {
        // closed under the reader
      }
    })();
  }

  static async join(
    port: number,
    name: string,
    password?: string,
  ): Promise<Peer> {
    const peer = new Peer(await Deno.connect({ hostname: "127.0.0.1", port }));
    await peer.send(
      password === undefined
        ? { type: "hello", version: 2, name }
        : { type: "hello", version: 2, name, password },
    );
    await peer.expect(`welcome for ${name}`, (m) => m.type === "welcome");
    return peer;
  }

  async send(message: ClientMessage): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(message) + "\n");
    let written = 0;
    while (written < bytes.length) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  say(text: string): Promise<void> {
    return this.send({ type: "input", text });
  }

  expect(
    what: string,
    match: (message: ServerMessage) => boolean,
  ): Promise<ServerMessage> {
    return waitFor(
      what,
      () => this.received.find(match),
      () => `received: ${JSON.stringify(this.received, null, 1)}`,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed by the reader
    }
    await this.#reading;
  }
}
