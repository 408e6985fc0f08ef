/**
 * Helpers for tests that drive tools nobody here wrote (netcat, ip).
 *
 * @module
 */

import { TextLineStream } from "@std/streams/text-line-stream";
import { eventually } from "./_helpers.ts";

/** Whether a program can be run here. */
export function have(program: string, ...args: string[]): boolean {
  try {
    new Deno.Command(program, { args, stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

/** A real OpenBSD netcat connected to the server, fed line by line. */
export class Netcat {
  readonly lines: string[] = [];
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #pump: Promise<void>;

  constructor(host: string, port: number, prefix: string[] = []) {
    const command = prefix.length > 0 ? prefix[0]! : "nc";
    const args = [...prefix.slice(1), ...(prefix.length > 0 ? ["nc"] : [])];
    // -N: shut the socket down for writing at end of input, as a user's ^D.
    this.#child = new Deno.Command(command, {
      args: [...args, "-N", host, String(port)],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    const stdout = this.#child.stdout;
    this.#pump = (async () => {
      const lines = stdout.pipeThrough(new TextDecoderStream())
        .pipeThrough(new TextLineStream());
      for await (const line of lines) this.lines.push(line);
    })();
  }

  async send(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  waitFor(text: string, timeoutMs?: number): Promise<string> {
    return eventually(
      () => this.lines.find((line) => line.includes(text)),
      `netcat to see "${text}"; it saw:\n${this.lines.join("\n")}`,
      timeoutMs,
    );
  }

  async end(): Promise<number> {
    await this.#stdin.close().catch(() => {});
    const status = await this.#child.status;
    await this.#pump;
    return status.code;
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.end();
  }
}

/**
 * Whether network namespaces can be made here: Linux, `ip`, and the right
 * to use it (root). Tests that need them are ignored otherwise.
 */
export function canUseNamespaces(): boolean {
  if (Deno.build.os !== "linux" || !have("ip", "-V")) return false;
  const probe = `chatprobe${Deno.pid}${Math.floor(Math.random() * 1000)}`;
  const add = new Deno.Command("ip", {
    args: ["netns", "add", probe],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  if (!add.success) return false;
  new Deno.Command("ip", { args: ["netns", "del", probe] }).outputSync();
  return true;
}

/** Runs `ip` with arguments; throws with what it said if it fails. */
export function ip(...args: string[]): void {
  const result = new Deno.Command("ip", { args, stderr: "piped" }).outputSync();
  if (!result.success) {
    throw new Error(
      `Cannot run ip ${args.join(" ")}: ${
        new TextDecoder().decode(result.stderr)
      }`,
    );
  }
}
