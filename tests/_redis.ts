/**
 * A real `redis-server` for the cluster tests, on a free port of
 * 127.0.0.1 with its own temporary folder (append-only file on, so a
 * restart keeps the stream as a real restart does). Tests that need it
 * are ignored where `redis-server` is not installed ({@linkcode HAVE_REDIS}).
 *
 * @module
 */

import { DEADLINE_MS, delay } from "./_helpers.ts";

function _onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return true;
    } catch {
      // not there
    }
  }
  return false;
}

/** Whether `redis-server` and `redis-cli` can be run here. */
export const HAVE_REDIS: boolean = _onPath("redis-server") &&
  _onPath("redis-cli");

function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** One `redis-server` process, restartable on the same port and folder. */
export class RedisServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Its folder (the append-only file). */
  readonly dir: string;
  #child: Deno.ChildProcess | null = null;
  #prefix: string[];

  private constructor(port: number, dir: string, prefix: string[]) {
    this.port = port;
    this.dir = dir;
    this.#prefix = prefix;
  }

  /** `redis://127.0.0.1:PORT/0`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /**
   * Starts a server on a free port and waits until it answers; `prefix`
   * runs it (and `redis-cli`) under another command, such as
   * `ip netns exec NS` for another network namespace's 127.0.0.1.
   */
  static async start(
    options: { prefix?: string[] } = {},
  ): Promise<RedisServer> {
    const server = new RedisServer(
      _freePort(),
      Deno.makeTempDirSync({ prefix: "chat_redis_" }),
      options.prefix ?? [],
    );
    await server.#run();
    return server;
  }

  async #run(): Promise<void> {
    const [program, ...before] = [...this.#prefix, "redis-server"];
    this.#child = new Deno.Command(program!, {
      args: [
        ...before,
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
      ],
      stdout: "null",
      stderr: "null",
      stdin: "null",
    }).spawn();
    const end = Date.now() + DEADLINE_MS;
    while ((await this.cli("PING")) !== "PONG") {
      if (Date.now() > end) throw new Error("redis-server did not answer");
      await delay(20);
    }
  }

  /**
   * Runs `redis-cli` against it.
   *
   * @returns Its output, trimmed.
   */
  async cli(...args: string[]): Promise<string> {
    const [program, ...before] = [...this.#prefix, "redis-cli"];
    const output = await new Deno.Command(program!, {
      args: [...before, "-p", String(this.port), ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(output.stdout).trim();
  }

  /** Kills it (SIGKILL: what it had written stays in its file). */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.#child = null;
    try {
      child.kill("SIGKILL");
    } catch {
      // gone already
    }
    await child.status;
  }

  /** Kills it, waits `ms`, and starts it again on the same port and folder. */
  async restart(ms = 0): Promise<void> {
    await this.kill();
    if (ms > 0) await delay(ms);
    await this.#run();
  }

  /** Stops it and removes its folder. */
  async stop(): Promise<void> {
    await this.kill();
    Deno.removeSync(this.dir, { recursive: true });
  }
}
