// Test helpers for the client's end-to-end tests: a real `chat serve`
// subprocess, another user as a raw native-dialect socket, and polling with
// a deadline. Not a test file itself (no `_test` in the name).

import { TextLineStream } from "@std/streams/text-line-stream";
import type { ClientMessage, ServerMessage } from "../src/protocol.ts";

/** The program, as a `file:` URL that `deno run` takes on every system. */
export const MAIN = new URL("../main.ts", import.meta.url).href;

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

  static async start(): Promise<Server> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "serve", "--host", "127.0.0.1", "--port", "0"],
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

  async stop(): Promise<void> {
    this.kill("SIGTERM");
    await this.#drained;
    await this.#child.status;
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

  static async join(port: number, name: string): Promise<Peer> {
    const peer = new Peer(await Deno.connect({ hostname: "127.0.0.1", port }));
    await peer.send({ type: "hello", version: 1, name });
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
